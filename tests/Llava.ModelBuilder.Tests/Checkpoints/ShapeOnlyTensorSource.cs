using Llava.ModelBuilder.Checkpoints;

namespace Llava.ModelBuilder.Tests.Checkpoints;

/// <summary>An in-memory tensor source that knows only names and shapes: enough for name resolution and validation.</summary>
internal sealed class ShapeOnlyTensorSource(Dictionary<string, long[]> shapes) : ITensorSource
{
    public Dictionary<string, long[]> Shapes { get; } = shapes;

    public static ShapeOnlyTensorSource From(SafetensorsCheckpoint checkpoint, Func<string, string>? rename = null) =>
        new(checkpoint.Tensors.ToDictionary(t => rename is null ? t.Key : rename(t.Key), t => t.Value.Shape.ToArray(), StringComparer.Ordinal));

    public bool Contains(string name) => Shapes.ContainsKey(name);

    public long[] GetShape(string name) => Shapes.TryGetValue(name, out long[]? shape) ? shape : throw new CheckpointException($"no tensor '{name}'");

    public float[] ReadFloat32(string name) => new float[Shapes[name].Aggregate(1L, (a, b) => a * b)];
}
