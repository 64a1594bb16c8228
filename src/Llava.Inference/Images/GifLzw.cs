namespace Llava.Inference.Images;

/// <summary>
/// Runs a GIF image's LZW stream without producing pixels: every code must be one the decoder can know, and the
/// stream must yield the frame's pixel count before it ends. ImageSharp fills what is missing with background; PIL
/// refuses, and so does the loader.
/// </summary>
internal static class GifLzw
{
    private const int MaxCodes = 4096;

    /// <summary>True when the sub-blocks (size-prefixed, ending with the 0 block) decode to at least <paramref name="pixels"/> pixels.</summary>
    public static bool Decodes(ReadOnlySpan<byte> subBlocks, int minimumCodeSize, long pixels)
    {
        if (minimumCodeSize > 11)
        {
            return false;
        }

        int clear = 1 << minimumCodeSize;
        int end = clear + 1;
        int[] lengths = new int[MaxCodes];
        for (int i = 0; i < clear; i++)
        {
            lengths[i] = 1;
        }

        int codeSize = minimumCodeSize + 1;
        int next = end + 1;
        int previous = -1;
        long produced = 0;
        int bitBuffer = 0;
        int bitCount = 0;
        int at = 0;
        int blockLeft = 0;
        while (produced < pixels)
        {
            while (bitCount < codeSize)
            {
                if (blockLeft == 0)
                {
                    if (at >= subBlocks.Length || subBlocks[at] == 0)
                    {
                        return false;
                    }

                    blockLeft = subBlocks[at++];
                }

                bitBuffer |= subBlocks[at++] << bitCount;
                bitCount += 8;
                blockLeft--;
            }

            int code = bitBuffer & ((1 << codeSize) - 1);
            bitBuffer >>= codeSize;
            bitCount -= codeSize;
            if (code == clear)
            {
                codeSize = minimumCodeSize + 1;
                next = end + 1;
                previous = -1;
                continue;
            }

            if (code == end)
            {
                return false;
            }

            int length;
            if (previous < 0)
            {
                if (code >= clear)
                {
                    return false;
                }

                length = 1;
            }
            else if (code < next)
            {
                length = lengths[code];
                if (length == 0)
                {
                    return false;
                }
            }
            else if (code == next)
            {
                length = lengths[previous] + 1;
            }
            else
            {
                return false;
            }

            if (previous >= 0 && next < MaxCodes)
            {
                lengths[next] = lengths[previous] + 1;
                next++;
                if (next == (1 << codeSize) && codeSize < 12)
                {
                    codeSize++;
                }
            }

            produced += length;
            previous = code;
        }

        return true;
    }
}
