using System.Globalization;
using Llava.Inference.Engine;
using Llava.Inference.Generation;
using Llava.Inference.Prompts;
using Llava.Serving.Http.Errors;
using Llava.Serving.Results;

namespace Llava.Cli.Running;

/// <summary>
/// Prints answers: streamed to stdout as they are generated (text mode), or one JSON object per answer
/// (<c>--json</c>, with <c>--token-ids</c> the prompt and generated ids too); with <c>-v</c>, timings and usage go
/// to stderr so stdout stays the answer alone.
/// </summary>
internal sealed class AnswerWriter(CliContext context, bool json, bool verbose, bool randomWeights, bool tokenIds = false)
{
    public bool Json => json;

    /// <summary>Streams one answer; <paramref name="image"/> (the path) prefixes it when <paramref name="prefix"/> is set (several images).</summary>
    public async Task<GenerationResult> WriteAsync(
        LlavaEngine engine,
        IReadOnlyList<PromptMessage> messages,
        GenerationOptions options,
        string? image,
        bool prefix,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(engine);
        GenerationResult? result = null;
        bool started = false;
        // The engine does not hand out the prompt it built; preparing it again gives the same ids (deterministic)
        // at the price of decoding and tiling the images twice, only when the ids were asked for.
        int[]? promptIds = tokenIds ? (await engine.PrepareAsync(messages, cancellationToken)).UnexpandedTokenIds : null;
        try
        {
            await foreach (GenerationUpdate update in engine.StreamAsync(messages, options, cancellationToken))
            {
                if (update.Completion is { } completion)
                {
                    result = completion;
                }

                if (json || update.Text.Length == 0)
                {
                    continue;
                }

                if (!started && prefix)
                {
                    await context.Out.WriteAsync($"{image}: ");
                }

                started = true;
                await context.Out.WriteAsync(update.Text);
                await context.Out.FlushAsync(cancellationToken);
            }
        }
        finally
        {
            if (started)
            {
                // Whatever happened, the next output starts on its own line.
                await context.Out.WriteLineAsync();
            }
        }

        if (result is null)
        {
            throw new InvalidOperationException("The generation stream ended without a result.");
        }

        if (json)
        {
            await context.Out.WriteLineAsync(JsonOutput.Answer(image, engine.Manifest.Variant, randomWeights, result, promptIds));
        }
        else if (!started)
        {
            // An empty answer (the model ended its turn at once) is still one line per image.
            await context.Out.WriteLineAsync(prefix ? $"{image}: " : "");
        }

        await context.Out.FlushAsync(cancellationToken);
        if (verbose)
        {
            await context.Error.WriteLineAsync(Describe(result));
        }

        return result;
    }

    /// <summary>A refused input: one line on stderr, and in JSON mode an error object on stdout in the answer's place.</summary>
    public async Task WriteErrorAsync(string? image, ApiError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        await context.Error.WriteLineAsync(image is null ? $"error: {error.Detail}" : $"error: {image}: {error.Detail}");
        if (json)
        {
            await context.Out.WriteLineAsync(JsonOutput.Error(image, error));
        }
    }

    public static string Describe(GenerationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        GenerationTimings t = result.Timings;
        GenerationUsage u = result.Usage;
        return string.Create(
            CultureInfo.InvariantCulture,
            $"[preprocess {t.Preprocess.TotalMilliseconds:F0} ms, first token {t.TimeToFirstToken.TotalMilliseconds:F0} ms, decode {t.DecodeTokensPerSecond:F1} tokens/s" +
            $" | prompt {u.PromptTokens} tokens ({u.ImageTokens} image), completion {u.CompletionTokens}, finish {FinishReasonNames.Of(result.FinishReason)}]");
    }
}
