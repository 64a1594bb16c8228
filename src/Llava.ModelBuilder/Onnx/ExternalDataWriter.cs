namespace Llava.ModelBuilder.Onnx;

/// <summary>
/// The <c>&lt;model&gt;.onnx.data</c> file: tensors are appended the moment they are added, aligned, and only
/// their offsets stay in memory. The file is created by the first tensor that goes there.
/// </summary>
internal sealed class ExternalDataWriter : IDisposable
{
    private const int SmallAlignment = 64;

    // Page-aligned offsets let the runtime memory-map big tensors; the padding is negligible at this size.
    private const int LargeAlignment = 4096;
    private const long LargeTensorBytes = 1 << 20;
    private const int BufferBytes = 4 << 20;

    private FileStream? _file;

    public ExternalDataWriter(string path)
    {
        Path = path;
        Location = System.IO.Path.GetFileName(path);
    }

    /// <summary>The file's full path.</summary>
    public string Path { get; }

    /// <summary>The file name as TensorProto.external_data's "location" records it, relative to the model.</summary>
    public string Location { get; }

    /// <summary>Bytes written so far, alignment padding included.</summary>
    public long Bytes { get; private set; }

    /// <summary>Writes <paramref name="data"/> at the next aligned offset and returns that offset.</summary>
    public long Append(ReadOnlySpan<byte> data)
    {
        _file ??= new FileStream(Path, FileMode.Create, FileAccess.Write, FileShare.None, BufferBytes);
        int alignment = data.Length >= LargeTensorBytes ? LargeAlignment : SmallAlignment;
        long offset = (Bytes + alignment - 1) / alignment * alignment;
        if (offset != Bytes)
        {
            Span<byte> padding = stackalloc byte[LargeAlignment];
            padding.Clear();
            _file.Write(padding[..(int)(offset - Bytes)]);
        }

        _file.Write(data);
        Bytes = offset + data.Length;
        return offset;
    }

    /// <summary>Flushes and closes the file; called before the model that points into it is written.</summary>
    public void Close()
    {
        if (_file is not null)
        {
            _file.Flush(flushToDisk: false);
            _file.Dispose();
            _file = null;
        }
    }

    public void Dispose() => Close();
}
