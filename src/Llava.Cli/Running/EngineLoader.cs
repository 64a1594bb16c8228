using System.Globalization;
using Llava.Inference;
using Llava.Inference.Engine;
using Llava.Inference.Errors;
using Microsoft.ML.OnnxRuntimeGenAI;

namespace Llava.Cli.Running;

/// <summary>
/// Loads a model folder for the one-request-at-a-time commands (ask, chat, caption, demo, bench) with progress on
/// stderr; a folder that cannot be served is exit code 3.
/// </summary>
internal static class EngineLoader
{
    public static async Task<LlavaEngine> LoadAsync(string modelPath, ModelLoadSettings settings, CliContext context, CancellationToken cancellationToken)
    {
        StatusLine status = new(context);
        try
        {
            LlavaEngine engine = await LlavaEngine.LoadAsync(
                // These commands ask one question at a time: a batch size of 1 means nothing ever waits out the
                // batching window for company that cannot come (it cost every `llava ask` ~100 ms of queueMs).
                new LlavaEngineOptions { ModelPath = modelPath, ExecutionProvider = settings.Provider, Verification = settings.Verification, MaxBatchSize = 1 },
                new LoadProgress(status),
                cancellationToken: cancellationToken);
            status.Report("ready", string.Create(CultureInfo.InvariantCulture, $"{engine.Manifest.Variant} ({engine.Manifest.Precision}) loaded in {status.Elapsed.TotalSeconds:F1} s"));
            return engine;
        }
        catch (ModelLoadException ex)
        {
            throw new CliException(ExitCodes.ModelUnavailable, ex.Message, ex);
        }
        catch (OnnxRuntimeGenAIException ex)
        {
            throw new CliException(ExitCodes.ModelUnavailable, $"{modelPath} could not be loaded by ONNX Runtime GenAI: {ex.Message}", ex);
        }
        finally
        {
            status.Complete();
        }
    }
}
