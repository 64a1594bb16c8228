namespace Llava.Reference;

/// <summary>
/// The geometry of one LLaVA-NeXT image: the chosen resolution, the tile grid, and which rows and
/// columns of the (rows*P) x (cols*P) feature grid survive <c>unpad_image</c> (end exclusive).
/// </summary>
public sealed record AnyResLayout(
    int ImageHeight,
    int ImageWidth,
    int BestHeight,
    int BestWidth,
    int GridRows,
    int GridCols,
    int PatchesPerSide,
    int KeptRowStart,
    int KeptRowEnd,
    int KeptColStart,
    int KeptColEnd)
{
    /// <summary>Tiles the vision tower sees: the base (whole image) tile plus the grid.</summary>
    public int Tiles => 1 + (GridRows * GridCols);

    public int KeptRows => KeptRowEnd - KeptRowStart;

    public int KeptCols => KeptColEnd - KeptColStart;

    /// <summary>Image-token rows once packed: base tile, then every kept row plus its newline.</summary>
    public int FeatureRows(bool withNewline) =>
        (PatchesPerSide * PatchesPerSide) + (KeptRows * (KeptCols + (withNewline ? 1 : 0)));
}
