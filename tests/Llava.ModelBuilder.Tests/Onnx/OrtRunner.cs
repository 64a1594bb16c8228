using System.Runtime.InteropServices;
using Microsoft.ML.OnnxRuntime;

namespace Llava.ModelBuilder.Tests.Onnx;

/// <summary>Runs a saved model with ONNX Runtime on the CPU and copies every output out as raw little-endian bytes.</summary>
internal static class OrtRunner
{
    public static IReadOnlyDictionary<string, OrtResult> Run(string modelPath, params (string Name, OrtValue Value)[] inputs)
    {
        using var options = new SessionOptions();
        using var session = new InferenceSession(modelPath, options);
        using var runOptions = new RunOptions();
        string[] names = [.. inputs.Select(i => i.Name)];
        OrtValue[] values = [.. inputs.Select(i => i.Value)];
        try
        {
            using IDisposableReadOnlyCollection<OrtValue> outputs = session.Run(runOptions, names, values, session.OutputNames);
            var result = new Dictionary<string, OrtResult>(StringComparer.Ordinal);
            int index = 0;
            foreach (OrtValue output in outputs)
            {
                OrtTensorTypeAndShapeInfo info = output.GetTensorTypeAndShape();
                byte[] raw = output.GetTensorMutableRawData().ToArray();
                result[session.OutputNames[index++]] = new OrtResult(info.Shape, info.ElementDataType, raw);
            }

            return result;
        }
        finally
        {
            foreach (OrtValue value in values)
            {
                value.Dispose();
            }
        }
    }

    public static OrtValue Tensor(float[] data, params long[] shape) => OrtValue.CreateTensorValueFromMemory(data, shape);

    public static OrtValue Tensor(long[] data, params long[] shape) => OrtValue.CreateTensorValueFromMemory(data, shape);

    public static OrtValue Tensor(Half[] data, params long[] shape) =>
        OrtValue.CreateTensorValueFromMemory(MemoryMarshal.Cast<Half, Float16>(data).ToArray(), shape);
}
