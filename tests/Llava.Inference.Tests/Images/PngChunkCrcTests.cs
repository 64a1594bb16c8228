using Llava.Inference.Images;

namespace Llava.Inference.Tests.Images;

/// <summary>The chunk CRC that the structure check verifies and the PNG repacker writes is PNG's own (CRC-32/ISO-HDLC).</summary>
public sealed class PngChunkCrcTests
{
    [Fact]
    public void The_crc_of_an_empty_iend_chunk_is_the_one_every_png_ends_with()
    {
        Assert.Equal(0xAE426082u, ImageStructure.Crc32("IEND"u8, []));
    }

    [Fact]
    public void The_crc_covers_the_type_and_the_body_as_one_run()
    {
        byte[] body = [0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0];

        Assert.Equal(0x907753DEu, ImageStructure.Crc32("IHDR"u8, body));
    }
}
