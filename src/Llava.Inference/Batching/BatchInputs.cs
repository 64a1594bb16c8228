using Llava.Inference.Engine;

namespace Llava.Inference.Batching;

/// <summary>
/// The model inputs of one batch: every row's prompt right-padded to the longest (GenAI masks the pad id out of
/// attention and positions), the tiles of all rows concatenated in row order for one vision run, and the
/// feature-row index rebased onto them.
/// </summary>
/// <remarks>
/// The embedding graph flattens batch x sequence and gives the k-th image token feature row k, so the rows' indexes
/// are simply concatenated: each row's tile rows move past the tiles of the rows before it, and its newline entries
/// (which point one past its own last tile) move to the single newline row the vision graph appends after the last
/// tile of the batch.
/// </remarks>
internal sealed record BatchInputs(int[] TokenIds, int PaddedLength, Array PixelValues, int TileCount, long[] FeatureIndex)
{
    public static BatchInputs Create(IReadOnlyList<PreparedPrompt> rows, int padTokenId, int featuresPerTile, int tileValues)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Count == 0)
        {
            throw new ArgumentException("A batch needs at least one row.", nameof(rows));
        }

        if (rows.Count == 1)
        {
            PreparedPrompt only = rows[0];
            return new BatchInputs(only.TokenIds, only.TokenIds.Length, only.PixelValues, only.TileCount, only.FeatureIndex);
        }

        int padded = rows.Max(r => r.TokenIds.Length);
        int[] ids = new int[rows.Count * padded];
        Array.Fill(ids, padTokenId);
        int tiles = rows.Sum(r => r.TileCount);
        long newlineRow = (long)tiles * featuresPerTile;
        long[] index = new long[rows.Sum(r => r.FeatureIndex.Length)];
        bool half = rows.Any(r => r.PixelValues is Half[]);
        Array pixels = half ? new Half[tiles * tileValues] : new float[tiles * tileValues];
        int tilesBefore = 0;
        int indexAt = 0;
        for (int row = 0; row < rows.Count; row++)
        {
            PreparedPrompt prompt = rows[row];
            prompt.TokenIds.CopyTo(ids, row * padded);
            Array.Copy(prompt.PixelValues, 0, pixels, (long)tilesBefore * tileValues, prompt.PixelValues.Length);
            long ownNewline = (long)prompt.TileCount * featuresPerTile;
            long shift = (long)tilesBefore * featuresPerTile;
            foreach (long feature in prompt.FeatureIndex)
            {
                index[indexAt++] = feature == ownNewline ? newlineRow : feature + shift;
            }

            tilesBefore += prompt.TileCount;
        }

        return new BatchInputs(ids, padded, pixels, tiles, index);
    }
}
