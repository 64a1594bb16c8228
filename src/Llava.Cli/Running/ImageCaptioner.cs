using Llava.Inference.Engine;
using Llava.Inference.Generation;
using Llava.Inference.Images;
using Llava.Inference.Prompts;
using Llava.Serving.Http.Errors;

namespace Llava.Cli.Running;

/// <summary>
/// Asks the same question about each image in turn. An image that cannot be read or is refused is reported on
/// stderr (and as a <c>--json</c> error line) and skipped; the others are still answered, and the exit code is then
/// the refusal's (<see cref="ExitCodes.For"/>: 2).
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
        int exitCode = ExitCodes.Success;
        foreach (string image in images)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await AnswerOneAsync(engine, image, question, options, writer, images.Count > 1, cancellationToken) is { } refused)
            {
                exitCode = ExitCodes.For(refused);
            }
        }

        return exitCode;
    }

    /// <summary>Answers one question about one image; the error (after reporting it) when the input was refused, else null.</summary>
    public static async Task<ApiError?> AnswerOneAsync(
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
        catch (Exception ex) when (ImageFileErrors.IsReadFailure(ex))
        {
            return await RefuseAsync(writer, image, ImageFileErrors.Map(ex));
        }

        try
        {
            await writer.WriteAsync(engine, [PromptMessage.User(bytes, question)], options, image, prefix, cancellationToken);
            return null;
        }
        catch (Exception ex) when (ImageFileErrors.IsRefusal(ex))
        {
            // The catalogue's code for the refusal, as the HTTP API and the Functions app report it.
            return await RefuseAsync(writer, image, ApiErrorMapper.Map(ex));
        }
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

    private static async Task<ApiError> RefuseAsync(AnswerWriter writer, string image, ApiError refused)
    {
        await writer.WriteErrorAsync(image, refused);
        return refused;
    }
}
