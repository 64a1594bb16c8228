using SixLabors.ImageSharp;
using SixLabors.ImageSharp.Formats;
using SixLabors.ImageSharp.Formats.Bmp;
using SixLabors.ImageSharp.Formats.Gif;
using SixLabors.ImageSharp.Formats.Jpeg;
using SixLabors.ImageSharp.Formats.Png;
using SixLabors.ImageSharp.Formats.Webp;
using SixLabors.ImageSharp.Memory;
using SixLabors.ImageSharp.Metadata;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

namespace Llava.Inference.Images;

/// <summary>
/// Turns untrusted bytes into an upright 8-bit RGB image, or refuses them with one
/// <see cref="ImageRejectedException"/>. Thread-safe; create one per set of limits and share it.
/// </summary>
/// <remarks>
/// <para>Order of checks, cheapest first, so hostile input costs little: empty input; the encoded length;
/// the format from the magic bytes (JPEG, PNG, WebP, BMP, GIF; anything else is refused by name); the header
/// alone (<c>Identify</c>) for width, height and pixel count, so a decompression bomb (a tiny file claiming
/// 100000 x 100000) is refused before a pixel buffer exists; the container structure (a truncated or
/// CRC-damaged file is refused, where ImageSharp would quietly fill the gap); only then the decode, under a
/// memory allocator whose single-allocation limit is derived from the pixel limit as a second line of defence.</para>
/// <para>Colour follows PIL's <c>convert("RGB")</c>, which transformers applies: grey becomes three equal
/// channels, palettes their colours, alpha is dropped without compositing (the colour under it is kept), CMYK
/// JPEG is converted to RGB. GIF and animated WebP give their first frame (ImageSharp 2.1 cannot decode animated
/// WebP, so its first key frame is repackaged as a still image). 16-bit PNG samples keep their high byte, as PIL
/// does for RGB(A) (PIL clips 16-bit greyscale to white; we do not).</para>
/// <para>Known differences from PIL's decoders: colour JPEGs with subsampled chroma differ by a fraction of a level on
/// average and up to ~30 levels at sharp colour edges (libjpeg's "fancy" chroma upsampling versus ImageSharp's);
/// transparent GIF pixels come out black where PIL shows the palette entry behind them. PNG, BMP, WebP and GIF
/// otherwise decode to PIL's exact bytes.</para>
/// <para>EXIF orientation: transformers does not apply it (its processors take the stored pixels), so a phone
/// photo taken in portrait reaches the model sideways. We rotate/flip to upright as PIL's
/// <c>ImageOps.exif_transpose</c> does, because that is what the sender saw and asks about. Images without an
/// orientation tag (all golden fixtures) are unaffected, so parity with transformers holds for them.</para>
/// </remarks>
public sealed class ImageLoader
{
    private const string Accepted = "send JPEG, PNG, WebP, BMP or GIF";

    private readonly ImageLoadingOptions _options;
    private readonly Configuration _configuration;
    // Metadata is never decoded: EXIF orientation comes from ExifOrientation's bounded parse instead.
    private readonly JpegDecoder _jpeg = new() { IgnoreMetadata = true };
    private readonly PngDecoder _png = new() { IgnoreMetadata = true };
    private readonly WebpDecoder _webp = new() { IgnoreMetadata = true };
    private readonly BmpDecoder _bmp = new();
    private readonly GifDecoder _gif = new() { DecodingMode = FrameDecodingMode.First, IgnoreMetadata = true };

    public ImageLoader()
        : this(new ImageLoadingOptions())
    {
    }

    public ImageLoader(ImageLoadingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        _options = options;

        // Only the accepted formats are registered: a sniffing mistake can never reach another decoder.
        _configuration = new Configuration(
            new JpegConfigurationModule(),
            new PngConfigurationModule(),
            new WebpConfigurationModule(),
            new BmpConfigurationModule(),
            new GifConfigurationModule())
        {
            // The largest legitimate buffer is one 64-bit-per-pixel frame at the pixel limit (16-bit PNG); anything
            // bigger is a header or frame descriptor lying about its size.
            MemoryAllocator = new CleanMemoryAllocator(new SimpleGcMemoryAllocator(), (options.MaxPixels * 8) + (64L * 1024 * 1024)),
        };
        _configuration.ImageFormatsManager.SetDecoder(GifFormat.Instance, _gif);
    }

    public ImageLoadingOptions Options => _options;

    /// <summary>Reads at most <see cref="ImageLoadingOptions.MaxEncodedBytes"/> + 1 bytes from the stream, then decodes.</summary>
    public async Task<DecodedImage> LoadAsync(Stream stream, CancellationToken cancellationToken = default)
    {
        (byte[] buffer, int length) = await BoundedImageReader.ReadCoreAsync(stream, _options.MaxEncodedBytes, cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
        return LoadCore(buffer, length);
    }

    public DecodedImage Load(ReadOnlySpan<byte> data)
    {
        if (data.Length > _options.MaxEncodedBytes)
        {
            throw TooManyBytes(data.Length);
        }

        // Checked before copying, so that refusing costs nothing.
        return LoadCore(data.IsEmpty ? [] : data.ToArray(), data.Length);
    }

    private DecodedImage LoadCore(byte[] buffer, int length)
    {
        ReadOnlySpan<byte> data = buffer.AsSpan(0, length);
        if (data.IsEmpty)
        {
            throw new ImageRejectedException(ImageRejectionReason.Empty, "The image is empty (0 bytes).");
        }

        SniffedFormat sniffed = ImageFormatSniffer.Sniff(data);
        if (!sniffed.IsAccepted)
        {
            throw new ImageRejectedException(
                ImageRejectionReason.Unsupported,
                sniffed.Name is null
                    ? $"The data is not a recognised image format; {Accepted}."
                    : $"{sniffed.Name} images are not supported; {Accepted}.");
        }

        string name = sniffed.Name!;
        if (sniffed.Format == AcceptedFormat.WebP && AnimatedWebP.AnimationCanvas(data) is { } canvas)
        {
            CheckDimensions(canvas.Width, canvas.Height, name);
            CheckStructure(sniffed.Format, data, name);
            return new DecodedImage(DecodeFirstFrame(data, name), name, canvas.Width, canvas.Height, 1);
        }

        // Orientation is read by our own bounded parser: the decoders ignore metadata (no EXIF, ICC or text is inflated).
        int orientation = _options.ApplyExifOrientation ? ExifOrientation.Read(sniffed.Format, data) : 1;
        bool sixteenBit;
        if (sniffed.Format == AcceptedFormat.Png)
        {
            // PNG: our own header and data checks, then ImageSharp decodes a minimal non-interlaced rewrite.
            PngHeader header = PngRepacker.ReadHeader(data, out string? headerDamage)
                ?? throw new ImageRejectedException(ImageRejectionReason.Corrupt, $"The {name} image cannot be used: {headerDamage}.");
            CheckDimensions(header.Width, header.Height, name);
            CheckStructure(sniffed.Format, data, name);
            byte[] repacked = PngRepacker.Repack(data, header, out string? damage)
                ?? throw new ImageRejectedException(ImageRejectionReason.Corrupt, $"The {name} image cannot be used: {damage}.");
            buffer = repacked;
            length = repacked.Length;
            sixteenBit = header.BitDepth == 16;
        }
        else
        {
            // Where our own parse of the header can say the size (BMP, WebP), limits and structure come before the
            // decoder's Identify, which is less strict about short or lying headers.
            // WebP's structure must be checked first in every case: ImageSharp allocates a chunk's declared size before
            // reading it (fuzzing found a 20-byte file that cost a 256 MiB buffer).
            bool ownHeader = sniffed.Format is AcceptedFormat.Bmp or AcceptedFormat.WebP;
            if (ImageStructure.DeclaredSize(sniffed.Format, data) is { } declared)
            {
                CheckDimensions(declared.Width, declared.Height, name);
            }

            if (ownHeader)
            {
                CheckStructure(sniffed.Format, data, name);
            }

            if (ImageStructure.FindUnsupportedFeature(sniffed.Format, data) is { } feature)
            {
                throw new ImageRejectedException(ImageRejectionReason.Unsupported, $"This {name} image uses {feature}, which the decoder does not support; {Accepted} in a common encoding.");
            }

            if (sniffed.Format == AcceptedFormat.Jpeg && JpegFillBytes.Strip(data) is { } stripped)
            {
                // Fill bytes before a marker are legal (libjpeg skips them); ImageSharp misreads them.
                buffer = stripped;
                length = stripped.Length;
            }

            IImageInfo info = Identify(DecoderFor(sniffed.Format), buffer, length, name);
            CheckDimensions(info.Width, info.Height, name);
            if (!ownHeader)
            {
                CheckStructure(sniffed.Format, data, name);
            }

            sixteenBit = false;
        }

        Image<Rgb24> image = Decode(DecoderFor(sniffed.Format), buffer, length, name, sixteenBit);
        try
        {
            int storedWidth = image.Width;
            int storedHeight = image.Height;
            Orient(image, orientation);
            return new DecodedImage(image, name, storedWidth, storedHeight, orientation);
        }
        catch
        {
            image.Dispose();
            throw;
        }
    }

    /// <summary>Rotates/flips to upright as PIL's <c>ImageOps.exif_transpose</c> does for orientations 2-8.</summary>
    private static void Orient(Image<Rgb24> image, int orientation)
    {
        (RotateMode rotate, FlipMode flip) = orientation switch
        {
            2 => (RotateMode.None, FlipMode.Horizontal),
            3 => (RotateMode.Rotate180, FlipMode.None),
            4 => (RotateMode.None, FlipMode.Vertical),
            5 => (RotateMode.Rotate90, FlipMode.Horizontal),
            6 => (RotateMode.Rotate90, FlipMode.None),
            7 => (RotateMode.Rotate270, FlipMode.Horizontal),
            8 => (RotateMode.Rotate270, FlipMode.None),
            _ => (RotateMode.None, FlipMode.None),
        };
        if (rotate != RotateMode.None || flip != FlipMode.None)
        {
            image.Mutate(x => x.RotateFlip(rotate, flip));
        }
    }

    private static void CheckStructure(AcceptedFormat format, ReadOnlySpan<byte> data, string name)
    {
        string? damage = ImageStructure.FindDamage(format, data);
        if (damage is not null)
        {
            throw new ImageRejectedException(ImageRejectionReason.Corrupt, $"The {name} image cannot be used: {damage}.");
        }
    }

    /// <summary>An animated WebP's first frame on its canvas (black where the frame does not reach), as PIL gives it.</summary>
    private Image<Rgb24> DecodeFirstFrame(ReadOnlySpan<byte> data, string name)
    {
        AnimatedWebPFrame frame = AnimatedWebP.FirstFrame(data)
            ?? throw new ImageRejectedException(ImageRejectionReason.Corrupt, $"The animated {name} image cannot be used: its first frame is missing or malformed.");
        IImageInfo info = Identify(_webp, frame.StillWebP, frame.StillWebP.Length, name);
        if (info.Width != frame.Width || info.Height != frame.Height)
        {
            throw new ImageRejectedException(ImageRejectionReason.Corrupt, $"The animated {name} image cannot be used: its first frame's bitstream is {info.Width}x{info.Height}, its header says {frame.Width}x{frame.Height}.");
        }

        Image<Rgb24> decoded = Decode(_webp, frame.StillWebP, frame.StillWebP.Length, name, sixteenBit: false);
        if (frame.Left == 0 && frame.Top == 0 && frame.Width == frame.CanvasWidth && frame.Height == frame.CanvasHeight)
        {
            return decoded;
        }

        using (decoded)
        {
            Image<Rgb24> canvas = new(_configuration, frame.CanvasWidth, frame.CanvasHeight);
            decoded.ProcessPixelRows(canvas, (source, target) =>
            {
                for (int y = 0; y < source.Height; y++)
                {
                    source.GetRowSpan(y).CopyTo(target.GetRowSpan(frame.Top + y)[frame.Left..]);
                }
            });
            return canvas;
        }
    }

    private IImageDecoder DecoderFor(AcceptedFormat format) => format switch
    {
        AcceptedFormat.Jpeg => _jpeg,
        AcceptedFormat.Png => _png,
        AcceptedFormat.WebP => _webp,
        AcceptedFormat.Bmp => _bmp,
        AcceptedFormat.Gif => _gif,
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, "Not an accepted format."),
    };

    private IImageInfo Identify(IImageDecoder decoder, byte[] buffer, int length, string name)
    {
        using MemoryStream stream = new(buffer, 0, length, writable: false);
        IImageInfo? info;
        try
        {
            info = ((IImageInfoDetector)decoder).Identify(_configuration, stream, CancellationToken.None);
        }
        catch (Exception e) when (IsDecoderFailure(e))
        {
            throw Rejected(e, name, "its header");
        }

        return info ?? throw new ImageRejectedException(ImageRejectionReason.Corrupt, $"The {name} image cannot be used: its header cannot be read.");
    }

    private void CheckDimensions(long width, long height, string name)
    {
        if (width <= 0 || height <= 0)
        {
            throw new ImageRejectedException(ImageRejectionReason.Corrupt, $"The {name} image cannot be used: its header gives a size of {width}x{height}.");
        }

        long pixels = width * height;
        if (width > _options.MaxWidth || height > _options.MaxHeight || pixels > _options.MaxPixels)
        {
            throw new ImageRejectedException(
                ImageRejectionReason.TooLarge,
                $"The {name} image is {width}x{height} ({pixels / 1e6:0.#} megapixels); the limit is {_options.MaxWidth}x{_options.MaxHeight} and {_options.MaxPixels / 1e6:0.#} megapixels.");
        }
    }

    private Image<Rgb24> Decode(IImageDecoder decoder, byte[] buffer, int length, string name, bool sixteenBit)
    {
        using MemoryStream stream = new(buffer, 0, length, writable: false);
        try
        {
            if (!sixteenBit)
            {
                return decoder.Decode<Rgb24>(_configuration, stream, CancellationToken.None);
            }

            using Image<Rgba64> wide = decoder.Decode<Rgba64>(_configuration, stream, CancellationToken.None);
            return HighBytes(wide);
        }
        catch (Exception e) when (IsDecoderFailure(e))
        {
            throw Rejected(e, name, "its pixel data");
        }
    }

    /// <summary>PIL reads 16-bit PNG samples by their most significant byte ("RGB;16B"); ImageSharp would round instead.</summary>
    private Image<Rgb24> HighBytes(Image<Rgba64> wide)
    {
        Image<Rgb24> narrow = new(_configuration, wide.Width, wide.Height);
        wide.ProcessPixelRows(narrow, (source, target) =>
        {
            for (int y = 0; y < source.Height; y++)
            {
                Span<Rgba64> from = source.GetRowSpan(y);
                Span<Rgb24> to = target.GetRowSpan(y);
                for (int x = 0; x < from.Length; x++)
                {
                    to[x] = new Rgb24((byte)(from[x].R >> 8), (byte)(from[x].G >> 8), (byte)(from[x].B >> 8));
                }
            }
        });
        return narrow;
    }

    /// <summary>
    /// What ImageSharp's decoders throw on hostile input, beyond their own <see cref="ImageFormatException"/>
    /// (which covers InvalidImageContentException and UnknownImageFormatException): lying sizes surface as
    /// allocation, arithmetic and index failures. The original exception stays attached as the inner exception.
    /// </summary>
    private static bool IsDecoderFailure(Exception e) =>
        e is ImageFormatException or NotSupportedException or InvalidMemoryOperationException or InvalidDataException
            or EndOfStreamException or IndexOutOfRangeException or ArgumentException or InvalidOperationException
            or ArithmeticException or IOException or NullReferenceException
            // A single request for an impossible buffer (a lying count), not the process running dry: the limits
            // above keep every legitimate buffer small.
            or OutOfMemoryException;

    private static ImageRejectedException Rejected(Exception e, string name, string part) => e switch
    {
        InvalidMemoryOperationException or OutOfMemoryException => new(ImageRejectionReason.TooLarge, $"The {name} image needs more memory to decode than its size allows; it was refused.", e),
        NotSupportedException => new(ImageRejectionReason.Unsupported, $"This {name} image uses a feature the decoder does not support ({e.Message}); {Accepted} in a common encoding.", e),
        _ => new(ImageRejectionReason.Corrupt, $"The {name} image cannot be used: {part} is damaged or truncated ({e.Message}).", e),
    };

    private ImageRejectedException TooManyBytes(long length) => BoundedImageReader.TooLarge(length, _options.MaxEncodedBytes, atLeast: false);
}
