using Llava.ModelBuilder;
using Llava.ModelBuilder.Graphs;
using Llava.TinyCheckpoints;

namespace Llava.Cli.Demo;

/// <summary>
/// Random-weight checkpoints and model folders built on demand into the cache folder (never committed): the
/// tiny models of <c>llava demo</c> and the tiny and mid-size models of <c>llava bench</c>. Folders are keyed
/// by the generator's and the builder's builds (<see cref="TinyCheckpointGenerator.CodeKey"/>), so newer code
/// never serves a model older code made; each item is built in a private folder and moved into place, so
/// concurrent runs never see half a model.
/// </summary>
internal static class RandomModels
{
    /// <summary><c>{cache}/{demo|bench-mid}-{family}-{builder}</c>: the checkpoint, and a model folder per precision.</summary>
    public static string Folder(CliContext context, TinyFamily family, bool midSize)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(family);
        return Path.Combine(context.CacheDirectory, $"{Prefix(midSize)}-{family.Name}-{TinyCheckpointGenerator.CodeKey}");
    }

    /// <summary>The llava-hf-layout checkpoint (mid-size ones in fp16, as published checkpoints are).</summary>
    public static Task<string> CheckpointAsync(CliContext context, TinyFamily family, bool midSize, CancellationToken cancellationToken) =>
        BuildOnceAsync(Path.Combine(Folder(context, family, midSize), "checkpoint"), context, async staging =>
        {
            await Task.Run(
                () =>
                {
                    if (midSize)
                    {
                        MidSizeCheckpointGenerator.Write(family, staging);
                    }
                    else
                    {
                        TinyCheckpointGenerator.Write(family, staging);
                    }
                },
                cancellationToken);
            RemoveStale(context, family, midSize);
        });

    /// <summary>The converted model folder at a precision.</summary>
    public static async Task<string> ModelAsync(CliContext context, TinyFamily family, bool midSize, ModelPrecision precision, CancellationToken cancellationToken)
    {
        string checkpoint = await CheckpointAsync(context, family, midSize, cancellationToken);
        string target = Path.Combine(Folder(context, family, midSize), $"model-{precision.ToString().ToLowerInvariant()}");
        return await BuildOnceAsync(target, context, async staging =>
        {
            ConsoleProgress progress = new(context);
            await LlavaModelConverter.ConvertAsync(
                checkpoint,
                staging,
                new ConversionOptions { Precision = precision, SourceName = $"{family.Name} ({(midSize ? "mid-size" : "tiny")}, random weights)" },
                progress,
                cancellationToken);
            progress.Complete();
        });
    }

    private static string Prefix(bool midSize) => midSize ? "bench-mid" : "demo";

    private static async Task<string> BuildOnceAsync(string final, CliContext context, Func<string, Task> build)
    {
        if (Directory.Exists(final))
        {
            return final;
        }

        string parent = Path.GetDirectoryName(final)!;
        Directory.CreateDirectory(parent);
        string staging = Path.Combine(parent, $".{Path.GetFileName(final)}.{Environment.ProcessId}.{Guid.NewGuid():N}");
        try
        {
            await build(staging);
            Directory.Move(staging, final);
        }
        catch (IOException) when (Directory.Exists(final))
        {
            // Another run finished the same item first; theirs is identical (the generator is deterministic).
            await context.Error.WriteLineAsync($"(using {final}, built by another run)");
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }

        return final;
    }

    /// <summary>Removes this family's folders made by other builds of the builder (they are never used again).</summary>
    private static void RemoveStale(CliContext context, TinyFamily family, bool midSize)
    {
        string current = Folder(context, family, midSize);
        foreach (string old in Directory.EnumerateDirectories(context.CacheDirectory, $"{Prefix(midSize)}-{family.Name}-*"))
        {
            if (!string.Equals(old, current, StringComparison.Ordinal) && Path.GetFileName(old).Length == Path.GetFileName(current).Length)
            {
                try
                {
                    Directory.Delete(old, recursive: true);
                }
                catch (IOException)
                {
                    // In use by a concurrent run of an older build; a later run removes it.
                }
            }
        }
    }
}
