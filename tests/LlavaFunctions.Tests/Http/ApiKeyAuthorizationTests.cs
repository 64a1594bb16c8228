using LlavaFunctions.Http;
using LlavaFunctions.Tests.Configuration;
using Microsoft.Extensions.Options;

namespace LlavaFunctions.Tests.Http;

public sealed class ApiKeyAuthorizationTests
{
    private const string Key = "sk-llava-0123456789abcdef0123456789";

    [Theory]
    [InlineData("Bearer " + Key, true)]
    [InlineData("bearer " + Key, true)]
    [InlineData("Bearer " + Key + "x", false)]
    [InlineData("Bearer sk-llava-0123456789abcdef012345678X", false)]
    [InlineData("Basic " + Key, false)]
    [InlineData(Key, false)]
    [InlineData("Bearer", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Only_the_configured_key_as_a_bearer_token_is_accepted(string? header, bool accepted)
    {
        Assert.Equal(accepted, new ApiKeyAuthorization(Key).IsAuthorized(header));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Without_a_configured_key_every_request_is_refused(string? configured)
    {
        ApiKeyAuthorization keys = new(configured);

        Assert.False(keys.IsConfigured);
        Assert.False(keys.IsAuthorized("Bearer " + Key));
        Assert.False(keys.IsAuthorized("Bearer "));
    }

    [Theory]
    [InlineData("short-key")]
    [InlineData("a key with spaces in it")]
    public async Task A_guessable_or_malformed_key_stops_the_app_at_start_up(string configured)
    {
        Exception error = await AppSettings.StartUpFailureAsync(new Dictionary<string, string?>
        {
            ["LLAVA_MODEL_PATH"] = "/models/x",
            [ApiKeyAuthorization.SettingName] = configured,
        });

        Assert.IsType<OptionsValidationException>(error);
        Assert.Contains(ApiKeyAuthorization.SettingName, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(configured, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_key_never_appears_in_its_description()
    {
        Assert.DoesNotContain(Key, new ApiKeyAuthorization(Key).ToString(), StringComparison.Ordinal);
    }
}
