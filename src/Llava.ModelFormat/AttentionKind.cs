namespace Llava.ModelFormat;

/// <summary>The decoder's attention, as the manifest's <c>attention</c> records it.</summary>
public static class AttentionKind
{
    /// <summary>com.microsoft GroupQueryAttention with a KV buffer shared between past and present.</summary>
    public const string GroupQuery = "group_query";

    /// <summary>Standard ONNX operators with a concatenated KV cache (a test reference).</summary>
    public const string Plain = "plain";

    public static IReadOnlyList<string> All { get; } = [GroupQuery, Plain];
}
