using System.Security.Cryptography;
using System.Text;
using Llava.ModelBuilder.Graphs;
using Llava.ModelFormat;
using Llava.Testing.Models;

namespace Llava.ModelBuilder.Tests.Conversion;

/// <summary>
/// The builder's and the tiny-checkpoint generator's output is pinned to the byte: refactoring the ONNX writer
/// or moving the generator must not change a single byte of a checkpoint or of a converted folder. A change
/// that means to change the bytes updates these hashes in the same commit and says why.
/// </summary>
public sealed class ModelBytesTests
{
    [Theory]
    [InlineData("llava-1.5", ModelPrecision.Fp32, "fc5e71df67fbde853ea1123b866f9e9adbac6ad595883482dcc5a0a48fa4629b")]
    [InlineData("llava-v1.6-mistral", ModelPrecision.Fp32, "1bba9b81c839c7225ee827ce2d6378da4c6af449d3664c55a2661990476b3a6e")]
    [InlineData("llava-v1.6-vicuna", ModelPrecision.Fp32, "71e6a550cff33e58177d5684f4a3fc4a727c8f9c9bbd6ca41c9240e5b3b22f3d")]
    [InlineData("llava-v1.6-34b", ModelPrecision.Fp32, "8db276d81d98ea4796fc982429ca977466fd3d4d74525cb974337b359074a76e")]
    [InlineData("llava-v1.6-mistral", ModelPrecision.Fp16, "60b6f216c7bb17cf5a66c54bfdde5c66f788b35dd182161bc421ba161c78a96e")]
    [InlineData("llava-v1.6-mistral", ModelPrecision.Int4, "e0aafcdeaf2e0d14de3359bf51743fc335c76dc7de27d7aaf9a3e6010e5bc317")]
    public void Converting_a_tiny_checkpoint_writes_the_same_bytes_as_before(string family, ModelPrecision precision, string expectedSha256)
    {
        string folder = TinyModels.Model(family, precision);

        Assert.Equal(expectedSha256, FolderHash(folder));
    }

    [Theory]
    [InlineData("llava-1.5", "9197aea500ed8718c3b130ff6f5b9e8a736dfad6eca8415f960c365719a63dc9")]
    [InlineData("llava-v1.6-mistral", "2f44db5b969e932a13a2406068ca8a4495d2a21cf0f4dd33e10493d82165e933")]
    [InlineData("llava-v1.6-vicuna", "06d9a277884f2ee2cfc916217c1802b7abd528649e95b56f226f6c944d57c4b4")]
    [InlineData("llava-v1.6-34b", "a52ab6bd1875709a538b6224e55ae90c435949235e1f23292931bf4e99678d64")]
    public void Generating_a_tiny_checkpoint_writes_the_same_bytes_as_before(string family, string expectedSha256)
    {
        // The golden fixtures were made from these exact files (GoldenReferenceTests checks their hashes too).
        Assert.Equal(expectedSha256, FolderHash(TinyModels.Checkpoint(family)));
    }

    /// <summary>SHA-256 over every file's name, length and bytes in name order; the manifest is left out (it records when and by which build).</summary>
    private static string FolderHash(string folder)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        IEnumerable<string> files = Directory.EnumerateFiles(folder)
            .Where(path => Path.GetFileName(path) != ModelManifest.FileName)
            .Order(StringComparer.Ordinal);
        foreach (string path in files)
        {
            byte[] bytes = File.ReadAllBytes(path);
            hash.AppendData(Encoding.UTF8.GetBytes($"{Path.GetFileName(path)}\0{bytes.Length}\0"));
            hash.AppendData(bytes);
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
