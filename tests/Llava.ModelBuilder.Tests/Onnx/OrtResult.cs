using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime.Tensors;

namespace Llava.ModelBuilder.Tests.Onnx;

/// <summary>One output of a run: its shape, element type and data.</summary>
internal sealed record OrtResult(long[] Shape, TensorElementType ElementType, byte[] Raw)
{
    public T[] As<T>()
        where T : unmanaged => MemoryMarshal.Cast<byte, T>(Raw).ToArray();
}
