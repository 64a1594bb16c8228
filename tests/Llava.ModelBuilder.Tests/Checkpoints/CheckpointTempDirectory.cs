namespace Llava.ModelBuilder.Tests.Checkpoints;

/// <summary>A fresh folder under the system temp directory, deleted with its contents on dispose.</summary>
internal sealed class CheckpointTempDirectory : IDisposable
{
    public CheckpointTempDirectory()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "llava-ckpt-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public string Folder(string name) => Directory.CreateDirectory(System.IO.Path.Combine(Path, name)).FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Cleanup is best effort; the OS cleans temp.
        }
    }
}
