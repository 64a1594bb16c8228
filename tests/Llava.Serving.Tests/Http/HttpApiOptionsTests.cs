using Llava.Serving.Http.Hosting;
using Llava.Serving.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Llava.Serving.Tests.Http;

public sealed class HttpApiOptionsTests
{
    [Fact]
    public void The_defaults_are_valid_and_heartbeats_beat_the_ingress_idle_timeout()
    {
        HttpApiOptions options = new();

        Assert.Empty(options.Validate());
        Assert.Equal(TimeSpan.FromSeconds(15), options.HeartbeatInterval);
        Assert.True(options.HeartbeatInterval < HttpApiOptions.IngressIdleTimeout);
    }

    [Fact]
    public void Every_bad_setting_is_named()
    {
        HttpApiOptions options = new() { ReadinessWait = TimeSpan.FromSeconds(-1), HeartbeatInterval = TimeSpan.FromSeconds(300), MaxRequestBodyBytes = 10 };

        IReadOnlyList<string> errors = options.Validate();

        Assert.Equal(3, errors.Count);
        Assert.Contains(errors, e => e.Contains(nameof(HttpApiOptions.ReadinessWait), StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains(nameof(HttpApiOptions.HeartbeatInterval), StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains(nameof(HttpApiOptions.MaxRequestBodyBytes), StringComparison.Ordinal));
    }

    [Fact]
    public void Every_request_limit_out_of_range_is_named()
    {
        HttpApiOptions options = new() { MaxMessages = 0, MaxContentParts = -1, MaxPromptChars = 0, MaxStopSequences = -1, MaxStopSequenceChars = 0 };

        IReadOnlyList<string> errors = options.Validate();

        Assert.Equal(5, errors.Count);
        foreach (string name in new[] { nameof(HttpApiOptions.MaxMessages), nameof(HttpApiOptions.MaxContentParts), nameof(HttpApiOptions.MaxPromptChars), nameof(HttpApiOptions.MaxStopSequences), nameof(HttpApiOptions.MaxStopSequenceChars) })
        {
            Assert.Contains(errors, e => e.StartsWith(name + " ", StringComparison.Ordinal));
        }

        Assert.Empty(new HttpApiOptions { MaxMessages = 1, MaxContentParts = 1, MaxPromptChars = 1, MaxStopSequences = 0, MaxStopSequenceChars = 1 }.Validate());
    }

    [Fact]
    public async Task A_server_with_invalid_options_refuses_to_start()
    {
        OptionsValidationException error = await Assert.ThrowsAsync<OptionsValidationException>(() => ServingServer.StartAsync(api: o => o.HeartbeatInterval = TimeSpan.Zero));

        Assert.Contains(nameof(HttpApiOptions.HeartbeatInterval), error.Message, StringComparison.Ordinal);
    }
}
