using Llava.ModelBuilder;
using Llava.ModelBuilder.Checkpoints;
using Llava.ModelFormat;

namespace Llava.Cli.Running;

/// <summary>
/// Runs the builder for <c>convert</c> and <c>make-tiny</c> with progress on the context's stderr; what the builder
/// refuses (a bad checkpoint, an unusable folder, a bad option) becomes a one-line error with exit code 2.
/// </summary>
internal static class ConversionRunner
{
    public static async Task<ModelManifest> ConvertAsync(CliContext context, string checkpoint, string output, ConversionOptions options, CancellationToken cancellationToken)
    {
        ConsoleProgress progress = new(context);
        try
        {
            return await LlavaModelConverter.ConvertAsync(checkpoint, output, options, progress, cancellationToken);
        }
        catch (Exception ex) when (ex is CheckpointException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            throw new CliException(ExitCodes.InvalidInput, ex.Message, ex);
        }
        finally
        {
            progress.Complete();
        }
    }
}
