using System.Text.Json;
using Llava.Testing.Models;

namespace Llava.Cli.Tests;

/// <summary>convert and make-tiny in-process: output on the context's writers, refusals as one line and exit code 2.</summary>
public sealed class ConversionCommandTests
{
    [Fact]
    public async Task Make_tiny_with_model_writes_a_checkpoint_and_a_servable_folder()
    {
        string root = Scratch();
        string checkpoint = Path.Combine(root, "ckpt");
        string model = Path.Combine(root, "model");

        CliResult result = await CliRun.RunAsync(["make-tiny", "llava-1.5", checkpoint, "--model", model]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("Wrote llava-1.5 checkpoint", result.Output, StringComparison.Ordinal);
        Assert.Contains("Converted to " + model, result.Output, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(model, Llava.ModelFormat.ModelFolderLayout.Manifest)));
    }

    [Fact]
    public async Task Convert_json_prints_the_manifest_on_stdout()
    {
        string output = Path.Combine(Scratch(), "model");

        CliResult result = await CliRun.RunAsync(["convert", TinyModels.Checkpoint("llava-1.5"), output, "--json"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        using JsonDocument manifest = JsonDocument.Parse(result.Output);
        Assert.Equal("llava-1.5", manifest.RootElement.GetProperty("variant").GetString());
    }

    [Theory]
    [InlineData("symmetric", new[] { "--keep-lm-head" }, false)]
    [InlineData("asymmetric", new string[0], true)]
    public async Task Convert_int4_records_the_scheme_and_lm_head_it_was_asked_for(string scheme, string[] extra, bool lmHeadQuantized)
    {
        string output = Path.Combine(Scratch(), "model");

        CliResult result = await CliRun.RunAsync(["convert", TinyModels.Checkpoint("llava-1.5"), output, "-p", "int4", "--int4-scheme", scheme, .. extra, "--json"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        using JsonDocument manifest = JsonDocument.Parse(result.Output);
        Assert.Equal(scheme, manifest.RootElement.GetProperty("int4_scheme").GetString());
        Assert.Equal(lmHeadQuantized, manifest.RootElement.GetProperty("int4_lm_head").GetBoolean());
    }

    [Fact]
    public async Task Convert_of_a_folder_that_is_not_a_checkpoint_exits_2_with_one_line()
    {
        string notCheckpoint = Scratch();

        CliResult result = await CliRun.RunAsync(["convert", notCheckpoint, Path.Combine(Scratch(), "model")]);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: ", result.Error, StringComparison.Ordinal);
        Assert.Contains("not a llava-hf checkpoint", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Convert_into_a_non_empty_folder_without_force_exits_2()
    {
        string output = Scratch();
        await File.WriteAllTextAsync(Path.Combine(output, "keep.txt"), "mine");

        CliResult result = await CliRun.RunAsync(["convert", TinyModels.Checkpoint("llava-1.5"), output]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("exists and is not empty", result.Error, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(output, "keep.txt")));
    }

    [Fact]
    public async Task Make_tiny_into_a_path_that_is_a_file_exits_2_with_a_message_not_a_stack_trace()
    {
        string file = Path.Combine(Scratch(), "a-file");
        await File.WriteAllTextAsync(file, "");

        CliResult result = await CliRun.RunAsync(["make-tiny", "llava-1.5", file]);

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("error: cannot write the checkpoint", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    private static string Scratch()
    {
        string path = Path.Combine(TinyModels.CacheRoot, "cli-conversion", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }
}
