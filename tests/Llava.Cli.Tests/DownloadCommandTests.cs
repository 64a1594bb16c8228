using Llava.Cli.Download;

namespace Llava.Cli.Tests;

/// <summary>`llava download` against <see cref="FakeHub"/>: the files a conversion needs, redirects, resume, tokens, errors.</summary>
public sealed class DownloadCommandTests : IDisposable
{
    private const string Repo = "llava-hf/llava-tiny-hf";
    private readonly FakeHub _hub = new();
    private readonly string _target = Path.Combine(Path.GetTempPath(), $"llava-download-{Guid.NewGuid():N}");
    private readonly Dictionary<string, byte[]> _files;

    public DownloadCommandTests()
    {
        Random random = new(7);
        byte[] weights = new byte[3 * 1024 * 1024 + 123];
        random.NextBytes(weights);
        byte[] shard = new byte[200_000];
        random.NextBytes(shard);
        _files = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            ["config.json"] = "{\"architectures\":[\"LlavaForConditionalGeneration\"]}"u8.ToArray(),
            ["model-00001-of-00002.safetensors"] = weights,
            ["model-00002-of-00002.safetensors"] = shard,
            ["model.safetensors.index.json"] = "{\"weight_map\":{}}"u8.ToArray(),
            ["tokenizer.json"] = "{\"model\":{}}"u8.ToArray(),
            ["tokenizer_config.json"] = "{}"u8.ToArray(),
            ["tokenizer.model"] = [1, 2, 3],
            ["special_tokens_map.json"] = "{}"u8.ToArray(),
            ["added_tokens.json"] = "{}"u8.ToArray(),
            ["preprocessor_config.json"] = "{}"u8.ToArray(),
            ["processor_config.json"] = "{}"u8.ToArray(),
            ["chat_template.json"] = "{}"u8.ToArray(),
            ["generation_config.json"] = "{}"u8.ToArray(),
            // Not needed by a conversion:
            ["README.md"] = "# readme"u8.ToArray(),
            [".gitattributes"] = "*.safetensors filter=lfs"u8.ToArray(),
            ["pytorch_model.bin"] = new byte[1000],
            ["onnx/model.onnx"] = new byte[10],
        };
    }

    public void Dispose()
    {
        _hub.Dispose();
        if (Directory.Exists(_target))
        {
            Directory.Delete(_target, recursive: true);
        }
    }

    [Fact]
    public async Task Downloads_exactly_the_conversion_files_following_the_LFS_redirect_and_checking_sha256()
    {
        _hub.Add(Repository());

        CliResult result = await DownloadAsync();

        Assert.True(result.ExitCode == 0, result.ToString());
        string[] expected = [.. _files.Keys.Where(HubFileSelection.IsNeeded).Order(StringComparer.Ordinal)];
        Assert.Equal(13, expected.Length);
        Assert.Equal(expected, Directory.GetFiles(_target).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (string file in expected)
        {
            Assert.Equal(_files[file], await File.ReadAllBytesAsync(Path.Combine(_target, file)));
        }

        Assert.Contains("model-00001-of-00002.safetensors", result.Output, StringComparison.Ordinal);
        Assert.Contains("sha256 ok", result.Output, StringComparison.Ordinal);
        Assert.Contains(_hub.Requests, r => r.Origin == "cdn" && r.Path.EndsWith("model-00001-of-00002.safetensors", StringComparison.Ordinal));
        Assert.Contains(_hub.Requests, r => r.Path == $"/api/models/{Repo}/revision/main");
        Assert.DoesNotContain(_hub.Requests, r => r.Path.Contains("README", StringComparison.Ordinal) || r.Path.Contains("pytorch_model", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_interrupted_download_resumes_with_a_range_request_on_the_part_file()
    {
        _hub.Add(Repository());
        _hub.BreakNextDownload("model-00001-of-00002.safetensors", 1_000_000);

        CliResult first = await DownloadAsync();

        Assert.True(first.ExitCode == 1, first.ToString());
        Assert.Contains("resume", first.Error, StringComparison.Ordinal);
        string part = Path.Combine(_target, "model-00001-of-00002.safetensors.part");
        Assert.True(File.Exists(part));
        long partial = new FileInfo(part).Length;
        Assert.InRange(partial, 1, _files["model-00001-of-00002.safetensors"].Length - 1);

        CliResult second = await DownloadAsync();

        Assert.True(second.ExitCode == 0, second.ToString());
        Assert.Contains(_hub.Requests, r => r.Origin == "cdn" && r.Range == $"bytes={partial}-");
        Assert.Contains("resumed", second.Output, StringComparison.Ordinal);
        Assert.Equal(_files["model-00001-of-00002.safetensors"], await File.ReadAllBytesAsync(Path.Combine(_target, "model-00001-of-00002.safetensors")));
        Assert.False(File.Exists(part));
        Assert.Contains("already present", second.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_gated_repository_needs_HF_TOKEN_which_is_sent_as_a_bearer_token_to_the_hub_only()
    {
        _hub.Add(Repository() with { Token = "hf_secret" });

        CliResult anonymous = await DownloadAsync();
        CliResult authorised = await DownloadAsync(new Dictionary<string, string> { ["HF_TOKEN"] = "hf_secret" });

        Assert.Equal(3, anonymous.ExitCode);
        Assert.Contains("HF_TOKEN", anonymous.Error, StringComparison.Ordinal);
        Assert.Contains("401", anonymous.Error, StringComparison.Ordinal);
        Assert.True(authorised.ExitCode == 0, authorised.ToString());
        Assert.All(_hub.Requests.Where(r => r.Origin == "hub" && r.Authorization is not null), r => Assert.Equal("Bearer hf_secret", r.Authorization));
        Assert.Contains(_hub.Requests, r => r.Origin == "hub" && r.Path.Contains("/resolve/", StringComparison.Ordinal) && r.Authorization == "Bearer hf_secret");
        Assert.All(_hub.Requests.Where(r => r.Origin == "cdn"), r => Assert.Null(r.Authorization));
    }

    [Fact]
    public async Task A_wrong_token_is_refused_with_a_message_about_access()
    {
        _hub.Add(Repository() with { Token = "hf_secret" });

        CliResult result = await DownloadAsync(new Dictionary<string, string> { ["HF_TOKEN"] = "hf_wrong" });

        Assert.Equal(3, result.ExitCode);
        Assert.Contains("with the token in HF_TOKEN", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_repository_is_exit_3_with_a_clear_error()
    {
        CliResult result = await DownloadAsync();

        Assert.Equal(3, result.ExitCode);
        Assert.Contains($"repository {Repo} at revision main: not found", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(_target) && Directory.EnumerateFileSystemEntries(_target).Any());
    }

    [Fact]
    public async Task A_file_whose_sha256_does_not_match_is_deleted_and_the_command_fails()
    {
        _hub.Add(Repository() with { AnnouncedSha256 = new Dictionary<string, string> { ["model-00002-of-00002.safetensors"] = new string('a', 64) } });

        CliResult result = await DownloadAsync();

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("does not match", result.Error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(_target, "model-00002-of-00002.safetensors")));
        Assert.False(File.Exists(Path.Combine(_target, "model-00002-of-00002.safetensors.part")));
    }

    [Fact]
    public async Task Revision_and_endpoint_come_from_options_or_HF_ENDPOINT()
    {
        _hub.Add(Repository());

        CliResult result = await CliRun.RunAsync(
            ["download", Repo, _target, "--revision", "refs/pr/1"],
            new Dictionary<string, string> { ["HF_ENDPOINT"] = _hub.Endpoint });

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains(_hub.Requests, r => r.Path == $"/api/models/{Repo}/revision/refs/pr/1");
        Assert.Contains(_hub.Requests, r => r.Path == $"/{Repo}/resolve/refs/pr/1/config.json");
    }

    [Theory]
    [InlineData("not a repo")]
    [InlineData("../etc/passwd")]
    [InlineData("owner/name/extra")]
    public async Task An_invalid_repository_id_is_exit_2(string id)
    {
        CliResult result = await CliRun.RunAsync(["download", id, _target, "--endpoint", _hub.Endpoint]);

        Assert.Equal(2, result.ExitCode);
        Assert.Empty(_hub.Requests);
    }

    [Theory]
    [InlineData("config.json", true)]
    [InlineData("model-00001-of-00004.safetensors", true)]
    [InlineData("model.safetensors", true)]
    [InlineData("tokenizer.model", true)]
    [InlineData("chat_template.json", true)]
    [InlineData("pytorch_model-00001-of-00003.bin", false)]
    [InlineData("README.md", false)]
    [InlineData(".gitattributes", false)]
    [InlineData("onnx/model.safetensors", false)]
    public void Only_the_files_a_conversion_needs_are_selected(string file, bool needed) =>
        Assert.Equal(needed, HubFileSelection.IsNeeded(file));

    private FakeRepository Repository() => new(Repo, _files, new HashSet<string>(StringComparer.Ordinal) { "model-00001-of-00002.safetensors", "model-00002-of-00002.safetensors", "tokenizer.model" });

    private Task<CliResult> DownloadAsync(Dictionary<string, string>? environment = null) =>
        CliRun.RunAsync(["download", Repo, _target, "--endpoint", _hub.Endpoint], environment);
}
