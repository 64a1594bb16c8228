using Llava.Inference.Preprocessing;

namespace Llava.Inference.Engine;

/// <summary>
/// One image of a request as its header describes it, before decoding: its upright size (null when the header
/// cannot be read; the loader will refuse it) and what preprocessing it will cost.
/// </summary>
internal sealed record ImagePlan(ReadOnlyMemory<byte> Encoded, int? Width, int? Height, long DecodedPixels, ImageCost Cost);
