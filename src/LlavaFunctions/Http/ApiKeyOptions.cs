using Microsoft.Extensions.Configuration;

namespace LlavaFunctions.Http;

/// <summary>
/// The secret of the OpenAI-compatible routes, bound like the app's other <c>LLAVA_*</c> settings and validated with
/// them at start-up (<see cref="ApiKeyOptionsValidator"/>). Kept apart from <c>LlavaAppOptions</c>, and a class rather
/// than a record, so that no description of the settings can print it.
/// </summary>
public sealed class ApiKeyOptions
{
    /// <summary>Unset or empty: the routes refuse every request (see <see cref="ApiKeyAuthorization"/>).</summary>
    [ConfigurationKeyName(ApiKeyAuthorization.SettingName)]
    public string? ApiKey { get; set; }
}
