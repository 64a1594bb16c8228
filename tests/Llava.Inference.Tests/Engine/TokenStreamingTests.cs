using System.Text;
using Llava.Testing.Models;
using Microsoft.ML.OnnxRuntimeGenAI;

namespace Llava.Inference.Tests.Engine;

/// <summary>The streaming primitive the engine relies on: GenAI's TokenizerStream emits whole UTF-8 characters only.</summary>
public sealed class TokenStreamingTests
{
    [Theory]
    [InlineData("你好 café — naïve 🙂")]
    [InlineData("Ωmega ✓ done")]
    public void Characters_spanning_several_tokens_are_emitted_whole(string text)
    {
        using Tokenizer tokenizer = new(TinyModels.Model("llava-1.5"));
        using Sequences encoded = tokenizer.Encode(text);
        using TokenizerStream stream = tokenizer.CreateStream();
        StringBuilder streamed = new();
        int splitCharacters = 0;

        foreach (int id in encoded[0])
        {
            string delta = stream.Decode(id);
            Assert.DoesNotContain('\uFFFD', delta);
            splitCharacters += delta.Length == 0 ? 1 : 0;
            streamed.Append(delta);
        }

        Assert.Equal(text, streamed.ToString().TrimStart());
        Assert.True(splitCharacters > 0, "the text should include characters made of several byte tokens");
    }
}
