using Microsoft.Extensions.Options;

namespace LlavaFunctions.Http;

/// <summary>Refuses a guessable or malformed <c>LLAVA_API_KEY</c> at start-up, with the other settings' problems.</summary>
public sealed class ApiKeyOptionsValidator : IValidateOptions<ApiKeyOptions>
{
    public ValidateOptionsResult Validate(string? name, ApiKeyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return ApiKeyAuthorization.Problem(options.ApiKey) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
    }
}
