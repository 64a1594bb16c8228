using System.Buffers;
using SixLabors.ImageSharp.Memory;

namespace Llava.Inference.Images;

/// <summary>
/// Hands ImageSharp only zeroed buffers, and none over a size limit. ImageSharp's decoders do not always check how
/// many bytes a read returned; with a pooled allocator a truncated or lying file then decodes stale bytes left by an
/// earlier image, so the same input could be answered differently from one call to the next (a truncated WebP was
/// seen to give 400 or 415 at random). Zeroed buffers make every decode a function of the input alone.
/// </summary>
/// <remarks>
/// The inner allocator must hand out one buffer type for every size (ImageSharp's pooled allocator mixes pooled
/// arrays and unmanaged blocks inside one image, which only its own group logic can handle). The loader uses
/// <see cref="SimpleGcMemoryAllocator"/>: plain arrays, zeroed by the runtime and returned to the GC with the image,
/// so a burst of large or hostile images leaves no pool behind.
/// </remarks>
internal sealed class CleanMemoryAllocator : MemoryAllocator
{
    // ImageSharp's own pool hands out 4 MiB blocks for large images; groups are built from buffers of this size.
    private const int BufferCapacityBytes = 4 * 1024 * 1024;

    private readonly MemoryAllocator _inner;
    private readonly long _limitBytes;

    public CleanMemoryAllocator(MemoryAllocator inner, long limitBytes)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentOutOfRangeException.ThrowIfLessThan(limitBytes, 1);
        _inner = inner;
        _limitBytes = limitBytes;
    }

    public override IMemoryOwner<T> Allocate<T>(int length, AllocationOptions options = AllocationOptions.None)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        long bytes = (long)length * System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        if (bytes > _limitBytes)
        {
            throw new InvalidMemoryOperationException($"A decoder asked for {bytes} bytes in one buffer; the limit is {_limitBytes}.");
        }

        return _inner.Allocate<T>(length, options | AllocationOptions.Clean);
    }

    public override void ReleaseRetainedResources() => _inner.ReleaseRetainedResources();

    protected override int GetBufferCapacityInBytes() => BufferCapacityBytes;
}
