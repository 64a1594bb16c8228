using System.Diagnostics;
using Llava.Inference.Engine;
using Llava.Inference.Errors;
using Llava.Inference.Generation;
using Llava.Inference.Prompts;

namespace Llava.Inference.Tests.Engine;

public sealed class EngineConcurrencyTests
{
    private const string Family = "llava-1.5";
    private static readonly string[] s_images = ["chelsea_336x336", "coffee_500x375", "astronaut_316x500", "camera_448x336_grey"];

    [Fact]
    public async Task Parallel_requests_give_the_same_answers_as_sequential_ones()
    {
        using LlavaEngine engine = TinyEngines.Load(Family, maxConcurrent: 4, maxQueued: 32);
        GenerationOptions options = new() { MaxNewTokens = 6 };
        List<IReadOnlyList<int>> sequential = [];
        foreach (string image in s_images)
        {
            sequential.Add((await engine.AskAsync(TinyEngines.Image(image), "Describe " + image, options)).TokenIds);
        }

        Task<GenerationResult>[] parallel = [.. Enumerable.Range(0, 12).Select(i => Task.Run(() => engine.AskAsync(TinyEngines.Image(s_images[i % 4]), "Describe " + s_images[i % 4], options)))];
        GenerationResult[] results = await Task.WhenAll(parallel);

        for (int i = 0; i < results.Length; i++)
        {
            Assert.Equal(sequential[i % 4], results[i].TokenIds);
        }

        Assert.Equal(0, engine.InFlight);
    }

    [Fact]
    public async Task Over_the_cap_and_the_queue_callers_get_a_busy_error_and_the_rest_complete()
    {
        using LlavaEngine engine = TinyEngines.Load(Family, maxConcurrent: 1, maxQueued: 1);
        GenerationOptions slow = new() { MaxNewTokens = 64 };
        byte[] image = TinyEngines.Image("chelsea_336x336");

        Task<GenerationResult>[] requests = [.. Enumerable.Range(0, 6).Select(_ => Task.Run(() => engine.AskAsync(image, "Describe.", slow)))];
        Task all = Task.WhenAll(requests);
        await all.ContinueWith(_ => { }, TaskScheduler.Default);

        int completed = requests.Count(r => r.IsCompletedSuccessfully);
        EngineBusyException[] busy = [.. requests.Where(r => r.IsFaulted).Select(r => Assert.IsType<EngineBusyException>(r.Exception!.InnerException))];
        Assert.Equal(6, completed + busy.Length);
        Assert.InRange(completed, 1, 5);
        Assert.NotEmpty(busy);
        Assert.All(busy, b => Assert.True(b.RetryAfter > TimeSpan.Zero));
        Assert.Equal(0, engine.InFlight);
    }

    [Fact]
    public async Task A_request_that_waits_too_long_for_a_slot_is_refused_as_busy()
    {
        using LlavaEngine engine = TinyEngines.Load(Family, maxConcurrent: 1, maxQueued: 4, maxWait: TimeSpan.FromMilliseconds(1));
        using CancellationTokenSource hold = new();
        byte[] image = TinyEngines.Image("chelsea_336x336");
        IAsyncEnumerator<GenerationUpdate> holder = engine.StreamAsync([PromptMessage.User(image, "Hold the slot.")], new GenerationOptions { MaxNewTokens = 200 }, hold.Token).GetAsyncEnumerator();
        Assert.True(await holder.MoveNextAsync());

        await Assert.ThrowsAsync<EngineBusyException>(() => engine.AskAsync(image, "Waiting.", new GenerationOptions { MaxNewTokens = 2 }));

        await holder.DisposeAsync();
        GenerationResult after = await engine.AskAsync(image, "Now.", new GenerationOptions { MaxNewTokens = 2 });
        Assert.Equal(2, after.Usage.CompletionTokens);
    }

    [Fact]
    public async Task Cancellation_stops_a_generation_within_a_token_and_frees_its_slot()
    {
        using LlavaEngine engine = TinyEngines.Load(Family, maxConcurrent: 1, maxQueued: 0);
        using CancellationTokenSource cancel = new();
        int tokens = 0;
        Stopwatch clock = new();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (GenerationUpdate update in engine.StreamAsync([PromptMessage.User(TinyEngines.Image("chelsea_336x336"), "Go on.")], new GenerationOptions { MaxNewTokens = 500 }, cancel.Token))
            {
                if (update.TokenId is not null && ++tokens == 3)
                {
                    clock.Start();
                    await cancel.CancelAsync();
                }
            }
        });

        Assert.Equal(3, tokens);
        Assert.Equal(0, engine.InFlight);
        GenerationResult next = await engine.AskAsync(TinyEngines.Image("chelsea_336x336"), "Again.", new GenerationOptions { MaxNewTokens = 2 });
        Assert.Equal(2, next.Usage.CompletionTokens);
    }

    [Fact]
    public async Task Abandoning_a_stream_early_releases_the_slot()
    {
        using LlavaEngine engine = TinyEngines.Load(Family, maxConcurrent: 1, maxQueued: 0);

        await foreach (GenerationUpdate update in engine.StreamAsync([PromptMessage.User(TinyEngines.Image("chelsea_336x336"), "Go.")], new GenerationOptions { MaxNewTokens = 500 }))
        {
            break;
        }

        Assert.Equal(0, engine.InFlight);
        GenerationResult next = await engine.AskAsync(TinyEngines.Image("chelsea_336x336"), "Again.", new GenerationOptions { MaxNewTokens = 2 });
        Assert.Equal(2, next.Usage.CompletionTokens);
    }

    [Fact]
    public async Task A_saturated_engine_refuses_before_decoding_the_images()
    {
        using LlavaEngine engine = TinyEngines.Load(Family, maxConcurrent: 1, maxQueued: 0);
        IAsyncEnumerator<GenerationUpdate> holder = engine.StreamAsync([PromptMessage.User(TinyEngines.Image("chelsea_336x336"), "Hold.")], new GenerationOptions { MaxNewTokens = 200 }).GetAsyncEnumerator();
        Assert.True(await holder.MoveNextAsync());
        byte[] corrupt = File.ReadAllBytes(Llava.Testing.RepositoryPaths.Fixture("images", "bad", "truncated.jpg"));

        // Busy, not "corrupt image": the request was refused before its image was touched.
        await Assert.ThrowsAsync<EngineBusyException>(() => engine.AskAsync(corrupt, "?"));

        await holder.DisposeAsync();
        await Assert.ThrowsAsync<Llava.Inference.Images.ImageRejectedException>(() => engine.AskAsync(corrupt, "?"));
    }
}
