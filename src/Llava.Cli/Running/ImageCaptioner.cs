using Llava.Inference.Engine;
using Llava.Inference.Errors;
using Llava.Inference.Generation;
using Llava.Inference.Images;
using Llava.Inference.Prompts;
using Llava.Serving.Http;

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
        catch (InvalidParameterException ex)
        {
            await writer.WriteErrorAsync(image, "invalid_request", ex.Message);
        }
        catch (RequestOverBudgetException ex)
        {
            // The HTTP API's codes for the same refusals (too_many_images, prompt_too_long, request_over_budget).
            await writer.WriteErrorAsync(image, ApiErrorMapper.Map(ex).Code, ex.Message);
        }

        return false;
    }

    /// <summary>
    /// Reads an image file (or a device or pipe: <c>/dev/stdin</c>, <c>/dev/zero</c>), never more than the engine's
    /// size limit; anything longer is refused as too large.
    /// </summary>
    public static async Task<byte[]> ReadImageAsync(string path, long maxBytes, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no such file.", path);
        }

        return await BoundedImageReader.ReadFileAsync(path, maxBytes, cancellationToken);
    }
}
