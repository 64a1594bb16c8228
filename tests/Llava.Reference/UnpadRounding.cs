namespace Llava.Reference;

/// <summary>How <c>unpad_image</c> turns the scaled original side into an integer.</summary>
public enum UnpadRounding
{
    /// <summary>transformers v4.45.1 (and the original LLaVA-NeXT code): <c>int(original * scale)</c>.</summary>
    TruncateV4451,

    /// <summary>transformers v4.46 and later: <c>int(round(original * scale, 7))</c>.</summary>
    Round7,
}
