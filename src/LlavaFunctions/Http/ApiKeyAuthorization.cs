using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;

namespace LlavaFunctions.Http;

/// <summary>
/// The API key of the OpenAI-compatible routes (<c>/v1/*</c>), sent the way every OpenAI client sends it:
/// <c>Authorization: Bearer &lt;key&gt;</c>. Function keys cannot do this (the host reads them from
/// <c>x-functions-key</c> or <c>?code=</c> only), so these functions are anonymous at the host and the worker checks
/// the key against the secret setting <c>LLAVA_API_KEY</c>.
/// </summary>
/// <remarks>
/// Without a key the routes refuse every request (fail closed) instead of stopping the app: the queue and blob
/// triggers do not need the key, and a replica that crash-loops on a missing HTTP secret would hold a GPU while
/// doing nothing. Never serves <c>/v1/*</c> open: there is no switch for that.
/// </remarks>
public sealed class ApiKeyAuthorization
{
    public const string SettingName = "LLAVA_API_KEY";

    /// <summary>Shorter keys are refused at start-up: they can be guessed. The same minimum as the deployment's apiKey parameter.</summary>
    public const int MinimumLength = 32;

    private readonly byte[]? _keyHash;

    public ApiKeyAuthorization(string? apiKey)
    {
        if (string.IsNullOrEmpty(apiKey))
        {
            return;
        }

        if (Problem(apiKey) is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        _keyHash = Hash(apiKey);
    }

    /// <summary>Whether a key is set; without one every request to the protected routes is refused.</summary>
    public bool IsConfigured => _keyHash is not null;

    /// <summary>Why a configured key cannot be used; null when it can, or when none is set.</summary>
    public static string? Problem(string? apiKey) =>
        !string.IsNullOrEmpty(apiKey) && (apiKey.Length < MinimumLength || apiKey.Any(char.IsWhiteSpace))
            ? $"{SettingName} must be at least {MinimumLength} characters without spaces."
            : null;

    /// <summary>Whether an <c>Authorization</c> header value carries the configured key as a bearer token.</summary>
    public bool IsAuthorized(string? authorizationHeader)
    {
        if (_keyHash is null || !AuthenticationHeaderValue.TryParse(authorizationHeader, out AuthenticationHeaderValue? header)
            || !string.Equals(header.Scheme, "Bearer", StringComparison.OrdinalIgnoreCase) || string.IsNullOrEmpty(header.Parameter))
        {
            return false;
        }

        // Hashing first makes both sides the same length, so the comparison time says nothing about the key.
        return CryptographicOperations.FixedTimeEquals(Hash(header.Parameter), _keyHash);
    }

    public override string ToString() => IsConfigured ? "API key: set" : "API key: not set";

    private static byte[] Hash(string value) => SHA256.HashData(Encoding.UTF8.GetBytes(value));
}
