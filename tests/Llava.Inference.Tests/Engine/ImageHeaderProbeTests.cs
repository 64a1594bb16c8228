using Llava.Inference.Engine;
using Llava.Inference.Images;
using Llava.Testing.HostileImages;

namespace Llava.Inference.Tests.Engine;

/// <summary>
/// The header probe runs before admission on bytes nobody has checked: over the whole hostile-image corpus it never
/// throws, and for every image the loader accepts it reads the upright size the loader decodes (so the memory
/// reserved for a request is the memory it will use).
/// </summary>
public sealed class ImageHeaderProbeTests
{
    private static readonly ImageLoader s_loader = new();

    [Fact]
    public void The_probe_never_throws_and_agrees_with_the_loader_on_every_accepted_corpus_image()
    {
        List<string> failures = [];
        int accepted = 0;
        foreach (HostileImageManifestEntry entry in HostileImageManifest.Read(HostileImageManifest.Directory))
        {
            byte[] bytes = File.ReadAllBytes(Path.Combine(HostileImageManifest.Directory, entry.File));
            (int Width, int Height)? probed;
            try
            {
                probed = ImageHeaderProbe.UprightSize(bytes);
            }
            catch (Exception e) when (e is not Xunit.Sdk.XunitException)
            {
                failures.Add($"{entry.File}: {e.GetType().Name} from the probe: {e.Message}");
                continue;
            }

            if (entry.Expect != HostileImageOutcome.Accepted)
            {
                continue;
            }

            accepted++;
            using DecodedImage decoded = s_loader.Load(bytes);
            if (probed != (decoded.OriginalWidth, decoded.OriginalHeight))
            {
                failures.Add($"{entry.File}: probe {probed?.ToString() ?? "null"}, loader {decoded.OriginalWidth}x{decoded.OriginalHeight}");
            }
        }

        Assert.True(accepted > 100, $"only {accepted} accepted files in the corpus");
        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Theory]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xD9 })]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x01 })]
    [InlineData(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A })]
    [InlineData(new byte[] { 0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x00 })]
    public void Truncated_headers_give_no_size(byte[] bytes) => Assert.Null(ImageHeaderProbe.UprightSize(bytes));
}
