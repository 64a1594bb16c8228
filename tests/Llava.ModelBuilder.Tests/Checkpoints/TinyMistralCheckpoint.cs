using Llava.ModelBuilder.Checkpoints;
using Llava.TinyCheckpoints;

namespace Llava.ModelBuilder.Tests.Checkpoints;

/// <summary>One tiny llava-v1.6-mistral checkpoint (GQA, image_newline) written once for a test class.</summary>
public sealed class TinyMistralCheckpoint : IDisposable
{
    private readonly CheckpointTempDirectory _temp = new();

    public TinyMistralCheckpoint()
    {
        Directory = Path.Combine(_temp.Path, "mistral");
        TinyCheckpointGenerator.Write(TinyFamily.NextMistral, Directory);
        Config = LlavaCheckpointConfig.Load(Path.Combine(Directory, "config.json"));
    }

    public string Directory { get; }

    public LlavaCheckpointConfig Config { get; }

    internal ShapeOnlyTensorSource Shapes()
    {
        using SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.Open(Directory);
        return ShapeOnlyTensorSource.From(checkpoint);
    }

    public void Dispose() => _temp.Dispose();
}
