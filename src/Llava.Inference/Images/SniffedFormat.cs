namespace Llava.Inference.Images;

/// <summary>What the header bytes say the input is. <see cref="Name"/> is null for unrecognised data.</summary>
internal readonly record struct SniffedFormat(AcceptedFormat Format, string? Name)
{
    public bool IsAccepted => Format != AcceptedFormat.None;
}
