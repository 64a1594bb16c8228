using System.Diagnostics;
using System.Net;
using Llava.Inference.Engine;
using Llava.ModelFormat;
using Llava.Serving.Tests.Infrastructure;
using Llava.Testing.Models;
using Llava.Testing.Abuse;
using Xunit.Abstractions;

namespace Llava.Serving.Tests.Http;

/// <summary>
/// The hostile-image corpus and the abuse set against a real server, on a model of each architecture (LLaVA-1.5's
/// single tile and LLaVA-NeXT's anyres grid preprocess differently): every request gets the answer its entry names,
/// nothing gets a 5xx other than 503 busy, and an ordinary request is answered afterwards.
/// </summary>
public sealed class AbuseTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(ModelVariant.Llava15)]
    [InlineData(ModelVariant.NextMistral)]
    public async Task Every_hostile_image_gets_the_answer_its_manifest_names_and_none_a_5xx(string family)
    {
        IReadOnlyList<HostileImage> corpus = HostileImageCorpus.Load();
        await using ServingServer server = await ServingServer.StartReadyAsync(TinyServing.EngineOptions() with { ModelPath = TinyModels.Model(family) });
        Stopwatch clock = Stopwatch.StartNew();

        // Each file as an upload to /api/ask, and as a data URL in a chat completion.
        List<AbuseAnswer> answers = await AbuseClient.SendAllAsync(
            server.Client,
            corpus.SelectMany(image =>
            {
                byte[] bytes = File.ReadAllBytes(image.Path);
                return new (string, Func<HttpRequestMessage>)[]
                {
                    ($"ask {image.File}", () => AbuseClient.AskWithImage(bytes)),
                    ($"chat {image.File}", () => AbuseClient.ChatWithImage(bytes)),
                };
            }),
            parallel: 4);

        output.WriteLine($"{family}: {corpus.Count} files, {answers.Count} requests in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.DoesNotContain(answers, AbuseClient.IsServerFault);
        List<string> wrong = [];
        foreach ((HostileImage image, AbuseAnswer[] pair) in corpus.Zip(answers.Chunk(2)))
        {
            (int status, string? code) = image.ExpectedAnswer;
            wrong.AddRange(pair.Where(a => a.Status != status || a.Code != code).Select(a => $"{image.Class}/{image.Expect}: expected {status} {code}; got {a}"));
        }

        Assert.True(wrong.Count == 0, $"{wrong.Count} of {answers.Count} answers differ from the manifest:{Environment.NewLine}{string.Join(Environment.NewLine, wrong.Take(40))}");
        await AssertStillServingAsync(server);
    }

    [Theory]
    [InlineData(ModelVariant.Llava15)]
    [InlineData(ModelVariant.NextMistral)]
    public async Task Every_abusive_request_gets_its_4xx_naming_the_field_and_none_a_5xx(string family)
    {
        IReadOnlyList<AbuseRequest> set = AbuseSet.Build(TinyServing.Image());
        await using ServingServer server = await ServingServer.StartReadyAsync(TinyServing.EngineOptions() with { ModelPath = TinyModels.Model(family) });
        Stopwatch clock = Stopwatch.StartNew();

        List<AbuseAnswer> answers = await AbuseClient.SendAllAsync(server.Client, set.Select(r => (r.Name, r.Create)), parallel: 4);

        output.WriteLine($"{family}: {set.Count} abusive requests in {clock.Elapsed.TotalSeconds:F1} s");
        Assert.DoesNotContain(answers, AbuseClient.IsServerFault);
        List<string> wrong = [.. set.Zip(answers)
            .Where(p => !p.First.IsAnsweredBy(p.Second))
            .Select(p => $"expected {p.First.Status} {p.First.Code} {p.First.Param}; got {p.Second}")];
        Assert.True(wrong.Count == 0, $"{wrong.Count} of {set.Count} answers are not the expected ones:{Environment.NewLine}{string.Join(Environment.NewLine, wrong)}");
        Assert.Equal(0, (await server.EngineAsync()).InFlight);
        await AssertStillServingAsync(server);
    }

    [Fact]
    public async Task Sixty_four_concurrent_asks_get_200_or_503_with_Retry_After_and_fifty_abandoned_streams_leak_no_slot()
    {
        await using ServingServer server = await ServingServer.StartReadyAsync(TinyServing.EngineOptions(maxConcurrent: 4, maxQueued: 8));
        LlavaEngine engine = await server.EngineAsync();
        byte[] image = TinyServing.Image();

        (HttpStatusCode Status, TimeSpan? RetryAfter)[] burst = await Task.WhenAll(Enumerable.Range(0, 64).Select(async i =>
        {
            using HttpResponseMessage response = await server.Client.PostAsync("/api/ask", Requests.Multipart(image, $"Question {i}?", ("maxTokens", "4")));
            return (response.StatusCode, response.Headers.RetryAfter?.Delta);
        }));
        for (int round = 0; round < 13; round++)
        {
            // Four streams hold every slot, then their clients go away mid-answer (52 in all).
            SlotHolder[] holders = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => SlotHolder.StartAsync(server)));
            foreach (SlotHolder holder in holders)
            {
                await holder.DisposeAsync();
            }
        }

        output.WriteLine(string.Join(", ", burst.GroupBy(r => r.Status).Select(g => $"{(int)g.Key} x{g.Count()}")));
        Assert.All(burst, r => Assert.True(r.Status is HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable, $"{(int)r.Status}"));
        Assert.All(burst.Where(r => r.Status == HttpStatusCode.ServiceUnavailable), r => Assert.True(r.RetryAfter >= TimeSpan.FromSeconds(1), "a 503 without Retry-After"));
        Assert.Contains(burst, r => r.Status == HttpStatusCode.OK);
        await ErrorStatusTests.WaitUntilIdleAsync(engine);
        await AssertStillServingAsync(server);
    }

    private static async Task AssertStillServingAsync(ServingServer server)
    {
        LlavaEngine engine = await server.EngineAsync();
        await ErrorStatusTests.WaitUntilIdleAsync(engine);
        AbuseAnswer normal = await AbuseClient.SendAsync(server.Client, "normal", AbuseSet.Normal(TinyServing.Image()));
        Assert.True(normal.Status == 200, normal.ToString());
    }
}
