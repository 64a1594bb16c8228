namespace Llava.ModelBuilder.Checkpoints;

/// <summary>The float element types we write (and read back as float32).</summary>
public enum SafetensorsDType
{
    /// <summary>IEEE float32.</summary>
    F32,

    /// <summary>IEEE float16.</summary>
    F16,

    /// <summary>bfloat16: the upper half of a float32.</summary>
    BF16,
}
