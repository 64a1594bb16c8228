using System.Buffers.Binary;
using System.Text;
using Llava.ModelBuilder.Checkpoints;

namespace Llava.ModelBuilder.Tests.Checkpoints;

/// <summary>Small safetensors files for the reader tests: written by our writer, or byte by byte to corrupt them.</summary>
internal static class SafetensorsTestFiles
{
    /// <summary>Row-major 0, 0.5, 1, ...: exactly representable in F32, F16 and BF16 for small counts.</summary>
    public static float[] Ramp(long count, float start = 0f) => [.. Enumerable.Range(0, (int)count).Select(i => start + (i * 0.5f))];

    /// <summary>Writes tensors whose values are <see cref="Ramp"/> offset by each tensor's index.</summary>
    public static void WriteRamps(string path, IReadOnlyList<TensorSpec> specs, IReadOnlyDictionary<string, string>? metadata = null) =>
        SafetensorsWriter.Write(path, specs, (spec, sink) => sink.Write(Ramp(spec.ElementCount, IndexOf(specs, spec))), metadata);

    public static float IndexOf(IReadOnlyList<TensorSpec> specs, TensorSpec spec)
    {
        for (int i = 0; i < specs.Count; i++)
        {
            if (specs[i].Name == spec.Name)
            {
                return i;
            }
        }

        throw new InvalidOperationException(spec.Name);
    }

    /// <summary>Writes a file from a raw header text and data length (zero bytes), with the given declared header length.</summary>
    public static void WriteRaw(string path, string header, int dataBytes, ulong? declaredHeaderLength = null)
    {
        byte[] headerBytes = Encoding.UTF8.GetBytes(header);
        byte[] file = new byte[8 + headerBytes.Length + dataBytes];
        BinaryPrimitives.WriteUInt64LittleEndian(file, declaredHeaderLength ?? (ulong)headerBytes.Length);
        headerBytes.CopyTo(file, 8);
        File.WriteAllBytes(path, file);
    }
}
