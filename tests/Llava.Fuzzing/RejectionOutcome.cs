using Llava.Inference.Images;
using Llava.Testing.HostileImages;

namespace Llava.Fuzzing;

/// <summary>The manifest's outcome name for what the loader did with some bytes.</summary>
internal static class RejectionOutcome
{
    public static string Of(ImageLoader loader, byte[] bytes)
    {
        try
        {
            using DecodedImage image = loader.Load(bytes);
            return HostileImageOutcome.Accepted;
        }
        catch (ImageRejectedException e)
        {
            return Name(e.Reason);
        }
    }

    public static string Name(ImageRejectionReason reason) => reason switch
    {
        ImageRejectionReason.Corrupt => HostileImageOutcome.Corrupt,
        ImageRejectionReason.Unsupported => HostileImageOutcome.Unsupported,
        ImageRejectionReason.TooLarge => HostileImageOutcome.TooLarge,
        ImageRejectionReason.Empty => HostileImageOutcome.Empty,
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };
}
