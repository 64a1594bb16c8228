using System.Globalization;
using Llava.Inference.Engine;
using Llava.Inference.Errors;
using Llava.Inference.Generation;
using Llava.Inference.Images;
using Llava.Inference.Prompts;

namespace Llava.Cli.Running;

/// <summary>
/// Asks the same question about each image in turn. An image that cannot be read or is refused is reported on
/// stderr and skipped; the others are still answered, and the exit code is then 2.
/// </summary>
internal static class ImageCaptioner
{
    /// <summary>The caption prompt LLaVA's evaluation uses for COCO-style captions.</summary>
    public const string DefaultPrompt = "Provide a one-sentence caption for the provided image.";

    public static async Task<int> RunAsync(
        LlavaEngine engine,
        IReadOnlyList<string> images,
        string question,
        GenerationOptions options,
        AnswerWriter writer,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(writer);
        int failed = 0;
        foreach (string image in images)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!await AnswerOneAsync(engine, image, question, options, writer, images.Count > 1, cancellationToken))
            {
                failed++;
            }
        }

        return failed == 0 ? ExitCodes.Success : ExitCodes.InvalidInput;
    }

    /// <summary>Answers one question about one image; false (after reporting why) when the input was refused.</summary>
    public static async Task<bool> AnswerOneAsync(
        LlavaEngine engine,
        string image,
        string question,
        GenerationOptions options,
        AnswerWriter writer,
        bool prefix,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(writer);
        byte[] bytes;
        try
        {
            bytes = await ReadImageAsync(image, engine.Options.MaxImageBytes, cancellationToken);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            await writer.WriteErrorAsync(image, "unreadable", ex is FileNotFoundException or DirectoryNotFoundException ? "no such file." : ex.Message);
            return false;
        }
        catch (ImageRejectedException ex)
        {
            await writer.WriteErrorAsync(image, "image_rejected", ex.Message);
            return false;
        }

        try
        {
            await writer.WriteAsync(engine, [PromptMessage.User(bytes, question)], options, image, prefix, cancellationToken);
            return true;
        }
        catch (ImageRejectedException ex)
        {
            await writer.WriteErrorAsync(image, "image_rejected", ex.Message);
        }
        catch (PromptTooLongException ex)
        {
            await writer.WriteErrorAsync(image, "prompt_too_long", ex.Message);
        }
        catch (InvalidPromptException ex)
        {
            await writer.WriteErrorAsync(image, "invalid_prompt", ex.Message);
        }

        return false;
    }

    /// <summary>
    /// Reads an image file, refusing one over the engine's size limit: a regular file from its length before a byte
    /// is read, anything else (a pipe, <c>/dev/zero</c>, a process substitution) after at most one byte more than
    /// the limit, so no input can make the CLI read without end.
    /// </summary>
    public static async Task<byte[]> ReadImageAsync(string path, long maxBytes, CancellationToken cancellationToken)
    {
        FileInfo file = new(path);
        if (!file.Exists)
        {
            throw new FileNotFoundException($"{path}: no such file.", path);
        }

        if (file.Length > maxBytes)
        {
            throw TooLarge(file.Length.ToString(CultureInfo.InvariantCulture), maxBytes);
        }

        await using FileStream stream = new(file.FullName, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.ReadWrite, Options = FileOptions.Asynchronous, BufferSize = 0 });
        using MemoryStream buffer = new(file.Length > 0 ? (int)file.Length : 64 * 1024);
        byte[] chunk = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                throw TooLarge("more than " + maxBytes.ToString(CultureInfo.InvariantCulture), maxBytes);
            }

            buffer.Write(chunk, 0, read);
        }

        return buffer.ToArray();
    }

    private static ImageRejectedException TooLarge(string size, long maxBytes) =>
        new(ImageRejectionReason.TooLarge, $"the file has {size} bytes; the limit is {maxBytes}.");
}
