namespace Llava.ModelBuilder.Checkpoints;

/// <summary>
/// One tensor of a safetensors file as its header describes it. <paramref name="DataOffset"/> is the absolute
/// byte position in <paramref name="File"/> (header included), so a reader can seek straight to it.
/// </summary>
public sealed record TensorInfo(string Name, string DType, IReadOnlyList<long> Shape, string File, long DataOffset, long ByteLength)
{
    public long ElementCount
    {
        get
        {
            long count = 1;
            foreach (long dim in Shape)
            {
                count *= dim;
            }

            return count;
        }
    }

    /// <summary>Elements per row: the product of every dimension after the first (1 for a vector).</summary>
    public long RowLength
    {
        get
        {
            long count = 1;
            for (int i = 1; i < Shape.Count; i++)
            {
                count *= Shape[i];
            }

            return count;
        }
    }

    public override string ToString() => $"{Name} {DType}[{string.Join(", ", Shape)}] in {System.IO.Path.GetFileName(File)}";
}
