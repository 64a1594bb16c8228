using LlavaFunctions.Storage;

namespace LlavaFunctions.Jobs;

/// <summary>
/// A job as it travels on the jobs queue: compact UTF-8 JSON, base64-encoded by the queue client (what the queue
/// trigger expects). The queue refuses messages over 64 KiB <em>after</em> encoding, so the limit is checked on the
/// encoded size before anything is written.
/// </summary>
public sealed class JobQueueMessage
{
    /// <summary>The largest message Azure Queue Storage accepts, counted after base64 encoding.</summary>
    public const int MaxEncodedBytes = 64 * 1024;

    private JobQueueMessage(BinaryData body) => Body = body;

    /// <summary>The UTF-8 JSON the queue client encodes.</summary>
    public BinaryData Body { get; }

    /// <summary>The size on the queue: base64 makes every 3 bytes (or part of them) into 4 characters.</summary>
    public long EncodedBytes => EncodedLength(Body.ToMemory().Length);

    public bool Fits => EncodedBytes <= MaxEncodedBytes;

    public static JobQueueMessage From(VqaJobMessage job) => new(BinaryData.FromObjectAsJson(job, JsonDocuments.CompactOptions));

    public static long EncodedLength(long bytes) => 4 * ((bytes + 2) / 3);
}
