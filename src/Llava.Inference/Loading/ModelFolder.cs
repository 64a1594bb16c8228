using System.Text.Json;
using System.Text.Json.Nodes;
using Llava.Inference.Errors;
using Llava.Inference.Generation.Decoding;
using Llava.ModelFormat;

namespace Llava.Inference.Loading;

/// <summary>
/// A converted model folder whose manifest has been validated: every file present, of the recorded size
/// and (by default) SHA-256, a known variant and template. Nothing is loaded into ONNX Runtime here.
/// </summary>
public sealed class ModelFolder
{
    private ModelFolder(string path, ModelManifest manifest, bool addBosToken, TokenizerDecoding answerDecoding, GenAiDecoderConfig decoder)
    {
        Path = path;
        Manifest = manifest;
        AddBosToken = addBosToken;
        AnswerDecoding = answerDecoding;
        Decoder = decoder;
    }

    public string Path { get; }

    public ModelManifest Manifest { get; }

    /// <summary>Whether prompts start with BOS (tokenizer_config's add_bos_token; false for Yi).</summary>
    public bool AddBosToken { get; }

    /// <summary>How generated ids become answer text (the tokenizer.json decoder, as transformers runs it).</summary>
    public TokenizerDecoding AnswerDecoding { get; }

    /// <summary>The decoder's shape and padding id from genai_config.json, read once here.</summary>
    public GenAiDecoderConfig Decoder { get; }

    public static async Task<ModelFolder> OpenAsync(string path, ChecksumVerification verification = ChecksumVerification.Full, IProgress<ModelLoadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string folder = System.IO.Path.GetFullPath(path);
        if (!Directory.Exists(folder))
        {
            throw new ModelLoadException($"Model folder not found: {folder}.");
        }

        string manifestPath = System.IO.Path.Combine(folder, ModelManifest.FileName);
        if (!File.Exists(manifestPath))
        {
            throw new ModelLoadException($"{folder} is not a model folder: {ModelManifest.FileName} is missing. Convert a llava-hf checkpoint with `llava convert`.");
        }

        ModelManifest manifest;
        try
        {
            manifest = ModelManifest.FromJson(await File.ReadAllTextAsync(manifestPath, cancellationToken));
        }
        catch (JsonException ex)
        {
            throw new ModelLoadException($"{manifestPath} is not a valid manifest: {ex.Message}", ex);
        }

        if (manifest.FormatVersion != ModelManifest.CurrentFormatVersion)
        {
            throw new ModelLoadException($"{manifestPath} has format version {manifest.FormatVersion}; this runtime reads version {ModelManifest.CurrentFormatVersion}. Convert the checkpoint again with this version's `llava convert`.");
        }

        if (!ModelVariant.All.Contains(manifest.Variant))
        {
            throw new ModelLoadException($"{manifestPath} names an unknown variant '{manifest.Variant}'. Known: {string.Join(", ", ModelVariant.All)}.");
        }

        if (!PromptTemplateName.All.Contains(manifest.PromptTemplate))
        {
            throw new ModelLoadException($"{manifestPath} names an unknown prompt template '{manifest.PromptTemplate}'. Known: {string.Join(", ", PromptTemplateName.All)}.");
        }

        RequireKnown(manifestPath, "execution provider", manifest.ExecutionProvider, ExecutionProviderName.All);
        RequireKnown(manifestPath, "attention", manifest.Attention, AttentionKind.All);
        RequireKnown(manifestPath, "activation type", manifest.ActivationType, ActivationTypeName.All);
        await VerifyFilesAsync(folder, manifest, verification, progress, cancellationToken);
        return new ModelFolder(folder, manifest, ReadAddBos(folder), ReadAnswerDecoding(folder), GenAiDecoderConfig.Read(folder));
    }

    private static TokenizerDecoding ReadAnswerDecoding(string folder)
    {
        try
        {
            return TokenizerDecoding.Load(System.IO.Path.Combine(folder, ModelFolderLayout.Tokenizer));
        }
        catch (Exception ex) when (ex is NotSupportedException or InvalidDataException)
        {
            throw new ModelLoadException($"The tokenizer.json of {folder} cannot be used to decode answers: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Refuses to load a folder on a provider it was not built for: its decoder uses kernels (GroupQueryAttention,
    /// MatMulNBits) whose activation types and accuracy levels differ between CPU and CUDA, so the wrong pairing
    /// fails deep inside ONNX Runtime (no fp32 GQA on CUDA) or runs far slower than it should.
    /// </summary>
    public void EnsureBuiltFor(string executionProvider)
    {
        if (!string.Equals(Manifest.ExecutionProvider, executionProvider, StringComparison.Ordinal))
        {
            throw new ModelLoadException(
                $"{Path} was built for the {Manifest.ExecutionProvider} execution provider and cannot run on {executionProvider}. " +
                $"Convert the checkpoint for {executionProvider} (`llava convert --provider {executionProvider}`) or run on {Manifest.ExecutionProvider}.");
        }
    }

    private static void RequireKnown(string manifestPath, string what, string value, IReadOnlyList<string> known)
    {
        if (!known.Contains(value))
        {
            throw new ModelLoadException($"{manifestPath} names an unknown {what} '{value}'. Known: {string.Join(", ", known)}.");
        }
    }

    private static async Task VerifyFilesAsync(string folder, ModelManifest manifest, ChecksumVerification verification, IProgress<ModelLoadProgress>? progress, CancellationToken cancellationToken)
    {
        foreach (string required in ModelFolderLayout.RequiredInFolder)
        {
            if (!manifest.Files.Any(f => f.Path == required))
            {
                throw new ModelLoadException($"The manifest of {folder} does not list {required}; the folder is incomplete.");
            }
        }

        long total = manifest.Files.Sum(f => f.Bytes);
        long done = 0;
        foreach (ManifestFile file in manifest.Files)
        {
            if (await file.FindMismatchAsync(folder, verification == ChecksumVerification.Full, cancellationToken) is { } mismatch)
            {
                throw new ModelLoadException(mismatch);
            }

            done += file.Bytes;
            progress?.Report(new ModelLoadProgress("verify", done, total));
        }
    }

    private static bool ReadAddBos(string folder)
    {
        JsonNode? config = JsonNode.Parse(File.ReadAllText(System.IO.Path.Combine(folder, ModelFolderLayout.TokenizerConfig)));
        // transformers' LlamaTokenizer defaults add_bos_token to true when the key is absent.
        return config?["add_bos_token"]?.GetValue<bool>() ?? true;
    }
}
