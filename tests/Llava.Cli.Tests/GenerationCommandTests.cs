using System.Text.Json;
using Llava.ModelFormat;
using Llava.Serving.Http.Errors;
using Llava.Testing;
using Llava.Testing.Golden;
using Llava.Testing.Models;

namespace Llava.Cli.Tests;

/// <summary>caption, ask and chat in-process on the tiny models: streaming, JSON, bad input, exit codes.</summary>
public sealed class GenerationCommandTests
{
    private static readonly string s_model = TinyModels.Model(ModelVariant.Llava15);

    [Fact]
    public async Task Ask_streams_the_answer_to_stdout_as_it_is_generated()
    {
        RecordingWriter output = new();

        CliResult result = await CliRun.RunAsync(["ask", CliRun.Sample("cat.jpg"), "What is in the picture?", "--model", s_model, "-n", "6"], output: output);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.True(output.Writes.Count(w => w.Trim().Length > 0) >= 2, $"expected the answer in several writes, got: {string.Join(" | ", output.Writes)}");
        Assert.Single(result.OutputLines);
        // stderr stays free of the answer; on a busy machine a load slower than a second shows its status lines there.
        Assert.All(result.Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), line => Assert.Matches("^(verify|load|ready) ", line));
    }

    [Fact]
    public async Task Verbose_prints_timings_and_usage_to_stderr_only()
    {
        CliResult result = await CliRun.RunAsync(["ask", CliRun.Sample("cat.jpg"), "Describe it.", "--model", s_model, "-n", "4", "-v"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("first token", result.Error, StringComparison.Ordinal);
        Assert.Contains("tokens/s", result.Error, StringComparison.Ordinal);
        Assert.Contains("576 image", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("first token", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Caption_json_prints_one_object_per_image_with_usage_and_timings()
    {
        CliResult result = await CliRun.RunAsync(["caption", CliRun.Sample("cat.jpg"), CliRun.Sample("coffee.jpg"), "--model", s_model, "-n", "5", "--json"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(2, result.OutputLines.Length);
        foreach ((string line, string image) in result.OutputLines.Zip(["cat.jpg", "coffee.jpg"]))
        {
            using JsonDocument json = JsonDocument.Parse(line);
            JsonElement root = json.RootElement;
            Assert.EndsWith(image, root.GetProperty("image").GetString(), StringComparison.Ordinal);
            Assert.False(string.IsNullOrEmpty(root.GetProperty("answer").GetString()));
            Assert.Equal("length", root.GetProperty("finishReason").GetString());
            Assert.Equal(576, root.GetProperty("usage").GetProperty("imageTokens").GetInt32());
            Assert.Equal(5, root.GetProperty("usage").GetProperty("completionTokens").GetInt32());
            Assert.True(root.GetProperty("timings").GetProperty("timeToFirstTokenMs").GetDouble() > 0);
            Assert.True(root.GetProperty("timings").GetProperty("tokensPerSecond").GetDouble() > 0);
        }
    }

    [Fact]
    public async Task A_bad_image_exits_2_with_the_error_on_stderr_and_the_other_images_are_still_captioned()
    {
        string truncated = CliRun.BadImage("truncated.jpg");
        string missing = Path.Combine(Path.GetTempPath(), $"no-such-{Guid.NewGuid():N}.png");

        CliResult result = await CliRun.RunAsync(["caption", truncated, CliRun.Sample("cat.jpg"), missing, CliRun.Sample("astronaut.jpg"), "--model", s_model, "-n", "3"]);

        Assert.True(result.ExitCode == 2, result.ToString());
        Assert.Contains($"error: {truncated}:", result.Error, StringComparison.Ordinal);
        Assert.Contains("truncated", result.Error, StringComparison.Ordinal);
        Assert.Contains($"error: {missing}: no such file", result.Error, StringComparison.Ordinal);
        Assert.Equal(2, result.OutputLines.Length);
        Assert.StartsWith(CliRun.Sample("cat.jpg") + ":", result.OutputLines[0], StringComparison.Ordinal);
        Assert.StartsWith(CliRun.Sample("astronaut.jpg") + ":", result.OutputLines[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_image_in_json_mode_is_an_error_object_in_its_place()
    {
        CliResult result = await CliRun.RunAsync(["caption", CliRun.BadImage("tiny.tiff"), CliRun.Sample("cat.jpg"), "--model", s_model, "-n", "2", "--json"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(2, result.OutputLines.Length);
        using JsonDocument error = JsonDocument.Parse(result.OutputLines[0]);
        // The catalogue's code and message, as the HTTP API and the Functions app's documents carry them.
        Assert.Equal(ApiErrorCodes.UnsupportedImage, error.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.False(string.IsNullOrEmpty(error.RootElement.GetProperty("error").GetProperty("message").GetString()));
        using JsonDocument answer = JsonDocument.Parse(result.OutputLines[1]);
        Assert.True(answer.RootElement.TryGetProperty("answer", out _));
    }

    [Fact]
    public async Task Chat_with_piped_stdin_answers_each_turn_keeping_the_history_and_reset_starts_over()
    {
        CliResult result = await CliRun.RunAsync(
            ["chat", CliRun.Sample("cat.jpg"), "--model", s_model, "-n", "3", "-v"],
            stdin: "What animal is this?\nWhat colour is it?\n/reset\nWhat animal is this?\n/exit\nnever read\n");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(3, result.OutputLines.Length);
        Assert.Equal(result.OutputLines[0], result.OutputLines[2]);
        int[] promptTokens = [.. result.Error.Split('\n').Where(l => l.Contains("prompt ", StringComparison.Ordinal))
            .Select(l => int.Parse(l[(l.IndexOf("prompt ", StringComparison.Ordinal) + 7)..].Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture))];
        Assert.Equal(3, promptTokens.Length);
        Assert.True(promptTokens[1] > promptTokens[0] + 3, "the second turn carries the first question and answer");
        Assert.Equal(promptTokens[0], promptTokens[2]);
        Assert.Contains("(conversation reset)", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task No_model_configured_is_exit_3_with_a_clear_error()
    {
        CliResult result = await CliRun.RunAsync(["caption", CliRun.Sample("cat.jpg")]);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("no model", result.Error, StringComparison.Ordinal);
        Assert.Contains("LLAVA_MODEL_PATH", result.Error, StringComparison.Ordinal);
        Assert.Contains("llava demo", result.Error, StringComparison.Ordinal);
        Assert.Equal("", result.Output);
    }

    [Fact]
    public async Task A_missing_model_folder_is_exit_3_naming_the_folder()
    {
        string folder = Path.Combine(Path.GetTempPath(), $"no-model-{Guid.NewGuid():N}");

        CliResult result = await CliRun.RunAsync(["ask", CliRun.Sample("cat.jpg"), "Hi?", "--model", folder]);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains(folder, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_folder_that_is_not_a_model_is_exit_3()
    {
        CliResult result = await CliRun.RunAsync(["ask", CliRun.Sample("cat.jpg"), "Hi?", "--model", TinyModels.Checkpoint(ModelVariant.Llava15)]);

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("llava_manifest.json is missing", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ask_json_token_ids_prints_the_prompt_and_generated_ids_transformers_used()
    {
        GoldenCase golden = GoldenCase.Load("llava-v1.6-mistral", "astronaut_316x500");
        JsonElement reference = golden.Json.GetProperty("text_prompt");
        int[] greedy = [.. reference.GetProperty("greedy_ids").EnumerateArray().Select(v => v.GetInt32())];

        CliResult result = await CliRun.RunAsync(
            ["ask", RepositoryPaths.Fixture("images", "astronaut_316x500.png"), "What is shown in this image?", "--model", TinyModels.Model("llava-v1.6-mistral"), "-n", "4", "--json", "--token-ids"]);

        Assert.True(result.ExitCode == 0, result.ToString());
        using JsonDocument json = JsonDocument.Parse(result.OutputLines.Single());
        JsonElement root = json.RootElement;
        // Unexpanded, as the golden fixture (transformers' chat template + tokenizer) records them.
        Assert.Equal(reference.GetProperty("ids").EnumerateArray().Select(v => v.GetInt32()), root.GetProperty("promptIds").EnumerateArray().Select(v => v.GetInt32()));
        int[] generated = [.. root.GetProperty("generatedIds").EnumerateArray().Select(v => v.GetInt32())];
        Assert.Equal(greedy[..4], generated);
        Assert.Equal(golden.ImageTokens, root.GetProperty("usage").GetProperty("imageTokens").GetInt32());
    }

    [Fact]
    public async Task Token_ids_without_json_is_a_usage_error()
    {
        CliResult result = await CliRun.RunAsync(["ask", CliRun.Sample("cat.jpg"), "Hi?", "--model", s_model, "--token-ids"]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--token-ids needs --json", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_model_comes_from_LLAVA_MODEL_PATH_when_there_is_no_option()
    {
        CliResult result = await CliRun.RunAsync(
            ["ask", CliRun.Sample("cat.jpg"), "Hi?", "-n", "2", "--json"],
            new Dictionary<string, string> { ["LLAVA_MODEL_PATH"] = s_model });

        Assert.True(result.ExitCode == 0, result.ToString());
        using JsonDocument json = JsonDocument.Parse(result.OutputLines.Single());
        Assert.Equal(2, json.RootElement.GetProperty("usage").GetProperty("completionTokens").GetInt32());
    }

    [Theory]
    [InlineData("ask", "x.jpg")]
    [InlineData("caption")]
    [InlineData("caption", "x.jpg", "--max-tokens", "zero")]
    [InlineData("caption", "x.jpg", "--provider", "tpu")]
    [InlineData("nonsense")]
    public async Task Usage_errors_exit_2(params string[] args)
    {
        CliResult result = await CliRun.RunAsync(args);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--help", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    public async Task Invalid_decoding_options_exit_2_before_loading(string maxTokens)
    {
        CliResult result = await CliRun.RunAsync(["caption", CliRun.Sample("cat.jpg"), "--model", s_model, "--max-tokens", maxTokens]);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--max-tokens must be", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("caption")]
    [InlineData("ask")]
    [InlineData("chat")]
    [InlineData("demo")]
    [InlineData("download")]
    [InlineData("bench")]
    public async Task Every_command_has_help(string command)
    {
        CliResult result = await CliRun.RunAsync([command, "--help"]);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage:", result.Output, StringComparison.Ordinal);
        Assert.Contains($" {command} ", result.Output, StringComparison.Ordinal);
    }
}
