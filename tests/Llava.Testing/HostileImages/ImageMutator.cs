using System.Buffers.Binary;

namespace Llava.Testing.HostileImages;

/// <summary>
/// Deterministic mutations of image files for fuzzing the loader: bit flips, interesting bytes, inserts, deletes,
/// duplicated and spliced ranges, edited length fields, and structure-aware edits that repair what a decoder checks
/// first (a PNG chunk's CRC, the RIFF size) so that damage reaches deeper code. The same seed gives the same sequence.
/// </summary>
public sealed class ImageMutator(ulong seed)
{
    private static readonly uint[] s_interesting = [0, 1, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000, 0xFFFFFFFF];

    private ulong _state = seed == 0 ? 0x9E3779B97F4A7C15 : seed;

    /// <summary>A mutated copy of <paramref name="input"/> (1 to 4 mutations); <paramref name="donor"/> feeds splices.</summary>
    public byte[] Mutate(byte[] input, byte[] donor)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(donor);
        List<byte> data = [.. input];
        int count = 1 + Next(4);
        for (int i = 0; i < count; i++)
        {
            MutateOnce(data, donor);
        }

        byte[] result = [.. data];
        // Half of the time, repair the checks that would otherwise stop the damage at the door.
        if (Next(2) == 0)
        {
            RepairPngCrcs(result);
            RepairRiffSize(result);
        }

        return result;
    }

    /// <summary>A number in [0, bound).</summary>
    public int Next(int bound)
    {
        // xorshift64*: small, fast, and the same on every platform.
        _state ^= _state >> 12;
        _state ^= _state << 25;
        _state ^= _state >> 27;
        return (int)(((_state * 0x2545F4914F6CDD1DUL) >> 33) % (ulong)bound);
    }

    private void MutateOnce(List<byte> data, byte[] donor)
    {
        if (data.Count == 0)
        {
            data.Add((byte)Next(256));
            return;
        }

        int at = Next(data.Count);
        switch (Next(10))
        {
            case 0:
                data[at] ^= (byte)(1 << Next(8));
                break;
            case 1:
                data[at] = (byte)s_interesting[Next(5)];
                break;
            case 2:
                data.InsertRange(at, Enumerable.Range(0, 1 + Next(16)).Select(_ => (byte)Next(256)));
                break;
            case 3:
                data.RemoveRange(at, Math.Min(data.Count - at, 1 + Next(Math.Max(1, data.Count / 8))));
                break;
            case 4:
                {
                    int length = Math.Min(data.Count - at, 1 + Next(64));
                    data.InsertRange(Next(data.Count), data.GetRange(at, length));
                    break;
                }

            case 5:
                {
                    // Splice: this file's head, another file's tail.
                    int from = donor.Length == 0 ? 0 : Next(donor.Length);
                    data.RemoveRange(at, data.Count - at);
                    data.AddRange(donor.AsSpan(from).ToArray());
                    break;
                }

            case 6:
            case 7:
                {
                    // A length or size field: four bytes, either byte order, set to an interesting value.
                    if (at + 4 > data.Count)
                    {
                        break;
                    }

                    uint value = Next(3) == 0 ? (uint)(data.Count + Next(64) - 32) : s_interesting[Next(s_interesting.Length)];
                    Span<byte> field = stackalloc byte[4];
                    if (Next(2) == 0)
                    {
                        BinaryPrimitives.WriteUInt32BigEndian(field, value);
                    }
                    else
                    {
                        BinaryPrimitives.WriteUInt32LittleEndian(field, value);
                    }

                    for (int i = 0; i < 4; i++)
                    {
                        data[at + i] = field[i];
                    }

                    break;
                }

            case 8:
                {
                    // A two-byte field (JPEG segment lengths and dimensions, GIF and VP8 sizes).
                    if (at + 2 > data.Count)
                    {
                        break;
                    }

                    ushort value = (ushort)s_interesting[Next(9)];
                    data[at] = (byte)(value >> (Next(2) * 8));
                    data[at + 1] = (byte)value;
                    break;
                }

            default:
                data.RemoveRange(at, data.Count - at);
                break;
        }
    }

    /// <summary>Recomputes the CRC of every whole PNG chunk, so a damaged chunk body is read rather than refused by its CRC.</summary>
    private static void RepairPngCrcs(Span<byte> data)
    {
        if (!data.StartsWith(PngChunks.Signature))
        {
            return;
        }

        int at = 8;
        while (at + 12 <= data.Length)
        {
            uint length = BinaryPrimitives.ReadUInt32BigEndian(data[at..]);
            if (length > (uint)(data.Length - at - 12))
            {
                return;
            }

            int end = at + 8 + (int)length;
            BinaryPrimitives.WriteUInt32BigEndian(data[end..], PngChunks.Crc32(data[(at + 4)..end]));
            at = end + 4;
        }
    }

    private static void RepairRiffSize(Span<byte> data)
    {
        if (data.Length >= 12 && data.StartsWith("RIFF"u8))
        {
            BinaryPrimitives.WriteUInt32LittleEndian(data[4..], (uint)(data.Length - 8));
        }
    }
}
