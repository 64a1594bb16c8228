namespace Llava.Reference;

/// <summary>
/// LLaVA-NeXT's "anyres" geometry and <c>pack_image_features</c> (spatial_unpad), written from the
/// semantics of transformers v4.45.1 rather than copied. Sizes are (height, width), as HF's
/// <c>image_sizes</c> and its reading of <c>image_grid_pinpoints</c>.
/// </summary>
public static class AnyResPackingReference
{
    /// <summary>
    /// <c>select_best_resolution</c>: the candidate that keeps the most of the image's pixels once the
    /// image is fitted inside it (capped at the original pixel count), then the one that wastes least; the
    /// first candidate wins exact ties.
    /// </summary>
    public static (int Height, int Width) SelectBestResolution(int imageHeight, int imageWidth, IReadOnlyList<(int Height, int Width)> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        if (imageHeight <= 0 || imageWidth <= 0 || candidates.Count == 0)
        {
            throw new ArgumentException($"Need a positive image size (got {imageHeight}x{imageWidth} h x w) and at least one candidate resolution.");
        }

        (int Height, int Width) best = default;
        long bestEffective = 0;
        long bestWasted = long.MaxValue;
        long original = (long)imageHeight * imageWidth;
        foreach ((int height, int width) in candidates)
        {
            // Python floats are IEEE doubles and int() truncates, so this is bit-for-bit HF's arithmetic.
            double scale = Math.Min((double)width / imageWidth, (double)height / imageHeight);
            long fittedWidth = (long)(imageWidth * scale);
            long fittedHeight = (long)(imageHeight * scale);
            long effective = Math.Min(fittedWidth * fittedHeight, original);
            long wasted = ((long)width * height) - effective;
            if (effective > bestEffective || (effective == bestEffective && wasted < bestWasted))
            {
                bestEffective = effective;
                bestWasted = wasted;
                best = (height, width);
            }
        }

        return best;
    }

    /// <summary><c>get_anyres_image_grid_shape</c>: tiles down and across for the chosen resolution.</summary>
    public static (int Rows, int Cols) GridShape(int imageHeight, int imageWidth, IReadOnlyList<(int Height, int Width)> pinpoints, int tileSize)
    {
        (int height, int width) = SelectBestResolution(imageHeight, imageWidth, pinpoints);
        if (height % tileSize != 0 || width % tileSize != 0)
        {
            // HF would then disagree with itself (ceil in image_size_to_num_patches, floor here).
            throw new ArgumentException($"Grid pinpoint {height}x{width} (h x w) is not a multiple of the {tileSize} px tile.", nameof(pinpoints));
        }

        return (height / tileSize, width / tileSize);
    }

    /// <summary>
    /// <c>unpad_image</c> on a feature grid of currentHeight x currentWidth: the half-open row and column
    /// ranges that came from the image rather than from the letterbox padding.
    /// </summary>
    public static (int RowStart, int RowEnd, int ColStart, int ColEnd) UnpadRange(
        int currentHeight, int currentWidth, int imageHeight, int imageWidth, UnpadRounding rounding)
    {
        double originalAspect = (double)imageWidth / imageHeight;
        double currentAspect = (double)currentWidth / currentHeight;
        if (originalAspect > currentAspect)
        {
            // Wider than the grid: the image fills the width and padding sits above and below.
            double scale = (double)currentWidth / imageWidth;
            int newHeight = ToInt(imageHeight * scale, rounding);
            int padding = (currentHeight - newHeight) / 2;
            return (padding, currentHeight - padding, 0, currentWidth);
        }
        else
        {
            double scale = (double)currentHeight / imageHeight;
            int newWidth = ToInt(imageWidth * scale, rounding);
            int padding = (currentWidth - newWidth) / 2;
            return (0, currentHeight, padding, currentWidth - padding);
        }
    }

    /// <summary>Everything about one image's packing, from the one geometry both the count and the features use.</summary>
    public static AnyResLayout Layout(
        int imageHeight,
        int imageWidth,
        IReadOnlyList<(int Height, int Width)> pinpoints,
        int tileSize,
        int patchesPerSide,
        UnpadRounding rounding = UnpadRounding.TruncateV4451)
    {
        (int bestHeight, int bestWidth) = SelectBestResolution(imageHeight, imageWidth, pinpoints);
        (int rows, int cols) = GridShape(imageHeight, imageWidth, pinpoints, tileSize);
        (int r0, int r1, int c0, int c1) = UnpadRange(rows * patchesPerSide, cols * patchesPerSide, imageHeight, imageWidth, rounding);
        return new AnyResLayout(imageHeight, imageWidth, bestHeight, bestWidth, rows, cols, patchesPerSide, r0, r1, c0, c1);
    }

    /// <summary>
    /// <c>pack_image_features</c> for one image. tileFeatures are the projected features
    /// [layout.Tiles, P*P, hidden], base tile first and the grid tiles row-major. Result: the base tile's
    /// rows, then the unpadded (rows*P) x (cols*P) grid row by row, each row followed by the newline
    /// vector when one is given: [layout.FeatureRows, hidden].
    /// </summary>
    public static float[] Pack(float[] tileFeatures, int hidden, AnyResLayout layout, float[]? imageNewline)
    {
        ArgumentNullException.ThrowIfNull(tileFeatures);
        ArgumentNullException.ThrowIfNull(layout);
        int side = layout.PatchesPerSide;
        int perTile = side * side;
        if (tileFeatures.Length != (long)layout.Tiles * perTile * hidden)
        {
            throw new ArgumentException($"Expected {layout.Tiles} tiles x {perTile} rows x {hidden}, got {tileFeatures.Length} floats.", nameof(tileFeatures));
        }

        if (imageNewline is not null && imageNewline.Length != hidden)
        {
            throw new ArgumentException($"image_newline has {imageNewline.Length} values, expected {hidden}.", nameof(imageNewline));
        }

        float[] packed = new float[layout.FeatureRows(imageNewline is not null) * hidden];
        tileFeatures.AsSpan(0, perTile * hidden).CopyTo(packed);
        int outRow = perTile;
        for (int y = layout.KeptRowStart; y < layout.KeptRowEnd; y++)
        {
            for (int x = layout.KeptColStart; x < layout.KeptColEnd; x++)
            {
                // Grid position (y, x) is patch (y % P, x % P) of tile (y / P, x / P); tile 0 is the base.
                int tile = 1 + ((y / side) * layout.GridCols) + (x / side);
                int patch = ((y % side) * side) + (x % side);
                tileFeatures.AsSpan(((tile * perTile) + patch) * hidden, hidden).CopyTo(packed.AsSpan(outRow * hidden));
                outRow++;
            }

            if (imageNewline is not null)
            {
                imageNewline.CopyTo(packed.AsSpan(outRow * hidden));
                outRow++;
            }
        }

        return packed;
    }

    private static int ToInt(double value, UnpadRounding rounding) => rounding switch
    {
        UnpadRounding.TruncateV4451 => (int)value,
        UnpadRounding.Round7 => (int)Math.Round(value, 7, MidpointRounding.ToEven),
        _ => throw new ArgumentOutOfRangeException(nameof(rounding)),
    };
}
