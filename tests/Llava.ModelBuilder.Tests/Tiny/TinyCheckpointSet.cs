using Llava.ModelBuilder.Tests.Checkpoints;
using Llava.TinyCheckpoints;

namespace Llava.ModelBuilder.Tests.Tiny;

/// <summary>A default (fp32, unsharded) tiny checkpoint of every family, written once for the tiny-checkpoint tests.</summary>
public sealed class TinyCheckpointSet : IDisposable
{
    private readonly CheckpointTempDirectory _temp = new();

    public TinyCheckpointSet()
    {
        foreach (TinyFamily family in TinyFamily.All)
        {
            TinyCheckpointGenerator.Write(family, Folder(family.Name));
        }
    }

    public string Root => _temp.Path;

    public string Folder(string family) => Path.Combine(_temp.Path, family);

    public void Dispose() => _temp.Dispose();
}
