namespace Llava.Serving.Http.Hosting;

/// <summary>
/// Settings of the HTTP API shared by the Functions app and <c>llava serve</c>. Bind from configuration section
/// <see cref="SectionName"/>; <see cref="Validate"/> runs at start-up.
/// </summary>
public sealed class HttpApiOptions
{
    public const string SectionName = "HttpApi";

    /// <summary>The Consumption ingress closes a connection that stays silent this long; heartbeats must come sooner.</summary>
    public static readonly TimeSpan IngressIdleTimeout = TimeSpan.FromSeconds(240);

    /// <summary>How long a request waits for a loading model before it is answered 503 with Retry-After.</summary>
    public TimeSpan ReadinessWait { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Interval of the <c>: ping</c> comment on a Server-Sent Events stream. It also bounds how long a streamed
    /// request waits for its first token before the 200 and the event-stream headers are sent: errors found
    /// before then get their own status; later ones arrive as an <c>error</c> event.
    /// </summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Largest request body accepted (an image travels as base64 in JSON, so about 4/3 of the image limit plus the rest).</summary>
    public long MaxRequestBodyBytes { get; set; } = 32L * 1024 * 1024;

    /// <summary>Most messages in one chat request (system, user and assistant turns together).</summary>
    public int MaxMessages { get; set; } = 256;

    /// <summary>
    /// Most content parts (text and images, all messages together; a string content counts as one). Checked while
    /// the body is read, before any image is decoded or any text tokenized: 20,000 one-word parts are refused here,
    /// not by the tokenizer and the context check after the memory has been spent.
    /// </summary>
    public int MaxContentParts { get; set; } = 512;

    /// <summary>Most characters of prompt text in one request (every text part, system prompt and question together).</summary>
    public int MaxPromptChars { get; set; } = 128 * 1024;

    /// <summary>Most stop sequences in one request (OpenAI allows 4).</summary>
    public int MaxStopSequences { get; set; } = 4;

    /// <summary>Longest stop sequence, in characters (the streamed answer is held back by up to this much).</summary>
    public int MaxStopSequenceChars { get; set; } = 256;

    /// <summary>Every problem with the settings, in words; empty when they are valid.</summary>
    public IReadOnlyList<string> Validate()
    {
        List<string> errors = [];
        if (ReadinessWait < TimeSpan.Zero || ReadinessWait > TimeSpan.FromMinutes(5))
        {
            errors.Add($"{nameof(ReadinessWait)} must be between 0 and 5 minutes; got {ReadinessWait}.");
        }

        if (HeartbeatInterval <= TimeSpan.Zero || HeartbeatInterval >= IngressIdleTimeout)
        {
            errors.Add($"{nameof(HeartbeatInterval)} must be positive and shorter than the ingress idle timeout ({IngressIdleTimeout.TotalSeconds:0} s); got {HeartbeatInterval}.");
        }

        if (MaxRequestBodyBytes is < 1024 or > 1L << 30)
        {
            errors.Add($"{nameof(MaxRequestBodyBytes)} must be between 1 KiB and 1 GiB; got {MaxRequestBodyBytes}.");
        }

        AddIfOutside(errors, nameof(MaxMessages), MaxMessages, 1, 100_000);
        AddIfOutside(errors, nameof(MaxContentParts), MaxContentParts, 1, 100_000);
        AddIfOutside(errors, nameof(MaxPromptChars), MaxPromptChars, 1, 64 * 1024 * 1024);
        AddIfOutside(errors, nameof(MaxStopSequences), MaxStopSequences, 0, 64);
        AddIfOutside(errors, nameof(MaxStopSequenceChars), MaxStopSequenceChars, 1, 4096);
        return errors;
    }

    private static void AddIfOutside(List<string> errors, string name, int value, int min, int max)
    {
        if (value < min || value > max)
        {
            errors.Add($"{name} must be between {min} and {max}; got {value}.");
        }
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every problem.</summary>
    internal void ThrowIfInvalid()
    {
        IReadOnlyList<string> errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid HTTP API options: " + string.Join(" ", errors));
        }
    }
}
