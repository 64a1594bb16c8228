namespace Llava.Inference.Preprocessing;

/// <summary>
/// LLaVA-NeXT's "anyres" geometry for one image, following transformers' conventions: which candidate
/// resolution is chosen, how the image is fitted and padded into it, how it is cut into tiles, which patch
/// rows and columns survive unpadding, and therefore how many image tokens the image costs. Both the pixel
/// tiles and the feature-row index are built from this one object, so the token count can never disagree
/// with the features.
/// </summary>
public sealed class AnyResGeometry
{
    private AnyResGeometry(int imageWidth, int imageHeight, int tileSize, int patchesPerSide, (int Height, int Width) best)
    {
        ImageWidth = imageWidth;
        ImageHeight = imageHeight;
        TileSize = tileSize;
        PatchesPerSide = patchesPerSide;
        BestHeight = best.Height;
        BestWidth = best.Width;
        GridRows = best.Height / tileSize;
        GridColumns = best.Width / tileSize;

        // Fit inside the best resolution keeping the aspect ratio (ceil on the constrained side, capped).
        double scaleW = (double)BestWidth / imageWidth;
        double scaleH = (double)BestHeight / imageHeight;
        if (scaleW < scaleH)
        {
            ResizedWidth = BestWidth;
            ResizedHeight = Math.Min((int)Math.Ceiling(imageHeight * scaleW), BestHeight);
        }
        else
        {
            ResizedHeight = BestHeight;
            ResizedWidth = Math.Min((int)Math.Ceiling(imageWidth * scaleH), BestWidth);
        }

        PadLeft = (BestWidth - ResizedWidth) / 2;
        PadTop = (BestHeight - ResizedHeight) / 2;

        // unpad_image on the patch grid, with current transformers' int(round(x, 7)).
        int gridH = GridRows * patchesPerSide;
        int gridW = GridColumns * patchesPerSide;
        double originalAspect = (double)imageWidth / imageHeight;
        double currentAspect = (double)gridW / gridH;
        if (originalAspect > currentAspect)
        {
            double scale = (double)gridW / imageWidth;
            int newHeight = (int)Math.Round(imageHeight * scale, 7);
            int padding = (gridH - newHeight) / 2;
            FirstPatchRow = padding;
            PatchRows = gridH - (2 * padding);
            FirstPatchColumn = 0;
            PatchColumns = gridW;
        }
        else
        {
            double scale = (double)gridH / imageHeight;
            int newWidth = (int)Math.Round(imageWidth * scale, 7);
            int padding = (gridW - newWidth) / 2;
            FirstPatchRow = 0;
            PatchRows = gridH;
            FirstPatchColumn = padding;
            PatchColumns = gridW - (2 * padding);
        }
    }

    public int ImageWidth { get; }

    public int ImageHeight { get; }

    public int TileSize { get; }

    public int PatchesPerSide { get; }

    /// <summary>The chosen candidate resolution.</summary>
    public int BestHeight { get; }

    public int BestWidth { get; }

    public int GridRows { get; }

    public int GridColumns { get; }

    /// <summary>Size of the image after fitting it into the best resolution, before padding.</summary>
    public int ResizedWidth { get; }

    public int ResizedHeight { get; }

    /// <summary>Where the fitted image is pasted on the black canvas of the best resolution.</summary>
    public int PadLeft { get; }

    public int PadTop { get; }

    /// <summary>The unpadded part of the (rows x 24) x (cols x 24) patch grid.</summary>
    public int FirstPatchRow { get; }

    public int PatchRows { get; }

    public int FirstPatchColumn { get; }

    public int PatchColumns { get; }

    /// <summary>Tiles fed to the vision tower: the whole image squashed to one tile, then the grid row-major.</summary>
    public int TileCount => 1 + (GridRows * GridColumns);

    /// <summary>Base tile features, then every kept patch row followed by one newline row.</summary>
    public int ImageTokenCount => (PatchesPerSide * PatchesPerSide) + (PatchRows * (PatchColumns + 1));

    /// <summary>
    /// transformers' select_best_resolution: maximise the effective resolution (capped at the original),
    /// then minimise waste; the first candidate wins ties. Candidates are (height, width).
    /// </summary>
    public static (int Height, int Width) SelectBestResolution(int imageWidth, int imageHeight, IReadOnlyList<(int Height, int Width)> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        if (candidates.Count == 0)
        {
            throw new ArgumentException("At least one candidate resolution is needed.", nameof(candidates));
        }

        (int, int) best = candidates[0];
        long bestEffective = -1;
        long bestWaste = long.MaxValue;
        foreach ((int h, int w) in candidates)
        {
            double scale = Math.Min((double)w / imageWidth, (double)h / imageHeight);
            long downW = (long)(imageWidth * scale);
            long downH = (long)(imageHeight * scale);
            long effective = Math.Min(downW * downH, (long)imageWidth * imageHeight);
            long waste = ((long)w * h) - effective;
            if (effective > bestEffective || (effective == bestEffective && waste < bestWaste))
            {
                best = (h, w);
                bestEffective = effective;
                bestWaste = waste;
            }
        }

        return best;
    }

    public static AnyResGeometry Create(int imageWidth, int imageHeight, IReadOnlyList<(int Height, int Width)> pinpoints, int tileSize, int patchSize)
    {
        if (imageWidth <= 0 || imageHeight <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(imageWidth), $"Image size must be positive; got {imageWidth}x{imageHeight}.");
        }

        (int Height, int Width) best = SelectBestResolution(imageWidth, imageHeight, pinpoints);
        if (best.Height % tileSize != 0 || best.Width % tileSize != 0)
        {
            throw new ArgumentException($"Grid pinpoint {best.Height}x{best.Width} is not a multiple of the {tileSize} px tile.", nameof(pinpoints));
        }

        return new AnyResGeometry(imageWidth, imageHeight, tileSize, tileSize / patchSize, best);
    }

    /// <summary>
    /// Appends this image's feature-row indices to <paramref name="index"/>. The vision graph's rows are every
    /// tile's features (tile t, patch p at <c>(firstTile + t) * F + p</c>) followed by one newline row at
    /// <paramref name="newlineRow"/>.
    /// </summary>
    public void AppendFeatureIndex(List<long> index, int firstTile, long newlineRow)
    {
        ArgumentNullException.ThrowIfNull(index);
        int side = PatchesPerSide;
        long perTile = side * side;
        long baseOffset = firstTile * perTile;
        for (long p = 0; p < perTile; p++)
        {
            index.Add(baseOffset + p);
        }

        for (int r = FirstPatchRow; r < FirstPatchRow + PatchRows; r++)
        {
            for (int c = FirstPatchColumn; c < FirstPatchColumn + PatchColumns; c++)
            {
                int tile = 1 + ((r / side) * GridColumns) + (c / side);
                index.Add(((firstTile + tile) * perTile) + ((r % side) * side) + (c % side));
            }

            index.Add(newlineRow);
        }
    }
}
