namespace Llava.ModelBuilder.Tests.Onnx;

/// <summary>One node of a saved graph, as <see cref="OnnxModelInspector"/> reads it.</summary>
internal sealed record OnnxNodeInfo(string OpType, string Domain, IReadOnlyDictionary<string, long> IntAttributes, IReadOnlyList<string> Inputs, string Name);
