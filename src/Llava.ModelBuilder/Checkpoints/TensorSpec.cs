namespace Llava.ModelBuilder.Checkpoints;

/// <summary>A tensor to be written: its name, stored element type and shape (the data comes later, streamed).</summary>
public sealed record TensorSpec(string Name, SafetensorsDType DType, IReadOnlyList<long> Shape)
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

    public long ByteLength => ElementCount * SafetensorsDTypes.ElementSize(DType);
}
