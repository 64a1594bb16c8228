using System.Reflection;
using System.Text.Json.Nodes;
using Llava.ModelBuilder.Checkpoints;
using Llava.ModelBuilder.Graphs;
using Llava.ModelFormat;

namespace Llava.ModelBuilder;

/// <summary>
/// Converts a llava-hf checkpoint folder into the model folder the runtime serves: three ONNX graphs with
/// external weights, genai_config.json, the tokenizer and processor files, and a manifest with the SHA-256
/// of every file. Everything is written into a hidden sibling folder that is renamed into place only when
/// complete, so a failed or cancelled conversion never leaves a half-written model behind.
/// </summary>
public static class LlavaModelConverter
{
    /// <summary>The progress stage that hashes the finished files (counts files, not tensors).</summary>
    public const string ChecksumStage = "checksums";

    private static readonly float[] s_clipMean = [0.48145466f, 0.4578275f, 0.40821073f];
    private static readonly float[] s_clipStd = [0.26862954f, 0.26130258f, 0.27577711f];

    public static string BuilderVersion { get; } =
        typeof(LlavaModelConverter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public static async Task<ModelManifest> ConvertAsync(
        string checkpointDirectory,
        string outputDirectory,
        ConversionOptions? options = null,
        IProgress<ConversionProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(checkpointDirectory);
        ArgumentException.ThrowIfNullOrWhiteSpace(outputDirectory);
        options ??= new ConversionOptions();
        if (options.Precision == ModelPrecision.Int4 && (options.Int4BlockSize < 16 || !int.IsPow2(options.Int4BlockSize)))
        {
            throw new ArgumentException($"The int4 block size must be a power of two of at least 16; got {options.Int4BlockSize}.", nameof(options));
        }

        if (!ExecutionProviderName.All.Contains(options.ExecutionProvider))
        {
            throw new ArgumentException($"Unknown execution provider '{options.ExecutionProvider}'. Known: {string.Join(", ", ExecutionProviderName.All)}.", nameof(options));
        }

        if (options.ExecutionProvider == ExecutionProviderName.Cuda && options.Precision == ModelPrecision.Fp32)
        {
            // ORT's CUDA GroupQueryAttention has fp16 and bf16 kernels only.
            throw new ArgumentException("A CUDA folder needs fp16 or int4 precision: ONNX Runtime's CUDA GroupQueryAttention has no float32 kernel.", nameof(options));
        }

        if (!Directory.Exists(checkpointDirectory))
        {
            throw new CheckpointException($"Checkpoint folder not found: {checkpointDirectory}");
        }

        string[] missing = [.. ModelFolderLayout.RequiredInCheckpoint.Where(f => !File.Exists(Path.Combine(checkpointDirectory, f)))];
        if (missing.Length > 0)
        {
            throw new CheckpointException($"{checkpointDirectory} is not a llava-hf checkpoint: missing {string.Join(", ", missing)}.");
        }

        string output = Path.GetFullPath(outputDirectory);
        if (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any() && !options.Overwrite)
        {
            throw new IOException($"The output folder {output} exists and is not empty; choose another or allow overwriting.");
        }

        LlavaCheckpointConfig config = LlavaCheckpointConfig.Load(Path.Combine(checkpointDirectory, ModelFolderLayout.CheckpointConfig));
        string variant = DetectVariant(checkpointDirectory, config);
        string imageToken = CheckImageToken(checkpointDirectory, config);
        using SafetensorsCheckpoint checkpoint = SafetensorsCheckpoint.Open(checkpointDirectory);
        LlavaTensorNames names = LlavaTensorNames.Resolve(checkpoint, config);
        names.Validate(checkpoint, config);

        string parent = Path.GetDirectoryName(output) ?? ".";
        Directory.CreateDirectory(parent);
        string staging = Path.Combine(parent, $".{Path.GetFileName(output)}.partial-{Guid.NewGuid():N}");
        Directory.CreateDirectory(staging);
        try
        {
            GraphOptions graphOptions = new()
            {
                Precision = options.Precision,
                Int4BlockSize = options.Int4BlockSize,
                Int4Scheme = options.Int4Scheme,
                AllPositionLogits = options.AllPositionLogits,
                ExecutionProvider = options.ExecutionProvider,
                Attention = options.Attention,
                QuantizeLmHead = options.QuantizeLmHead,
            };

            // Graph writing is CPU and disk bound; run it off the caller's thread, one stage at a time.
            await Task.Run(() => VisionGraphBuilder.Build(Path.Combine(staging, ModelFolderLayout.Vision), checkpoint, config, names, graphOptions, progress, cancellationToken), cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Run(() => EmbeddingGraphBuilder.Build(Path.Combine(staging, ModelFolderLayout.Embedding), checkpoint, config, names, graphOptions, progress, cancellationToken), cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            await Task.Run(() => DecoderGraphBuilder.Build(Path.Combine(staging, ModelFolderLayout.Decoder), checkpoint, config, names, graphOptions, progress, cancellationToken), cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();

            await File.WriteAllTextAsync(Path.Combine(staging, ModelFolderLayout.GenAiConfig), GenAiConfigWriter.Create(config, options.Attention), cancellationToken);
            foreach (string file in ModelFolderLayout.CopiedFromCheckpoint)
            {
                string source = Path.Combine(checkpointDirectory, file);
                if (File.Exists(source))
                {
                    File.Copy(source, Path.Combine(staging, file));
                }
            }

            List<ManifestFile> files = [];
            string[] paths = [.. Directory.EnumerateFiles(staging).Order(StringComparer.Ordinal)];
            long hashed = 0;
            foreach (string path in paths)
            {
                long length = new FileInfo(path).Length;
                files.Add(new ManifestFile(Path.GetFileName(path), length, await FileSha256.ComputeAsync(path, cancellationToken)));
                hashed += length;
                progress?.Report(new ConversionProgress(ChecksumStage, files.Count, paths.Length, hashed));
            }

            ModelManifest manifest = new()
            {
                FormatVersion = ModelManifest.CurrentFormatVersion,
                Variant = variant,
                PromptTemplate = ModelVariant.TemplateFor(variant),
                ImageToken = imageToken,
                ImageTokenId = config.ImageTokenIndex,
                BosTokenId = config.Text.BosTokenId,
                EosTokenIds = config.Text.EosTokenIds,
                ContextLength = config.Text.MaxPositionEmbeddings,
                VocabSize = config.Text.VocabSize,
                HiddenSize = config.Text.HiddenSize,
                Precision = options.Precision.ToString().ToLowerInvariant(),
                Int4BlockSize = options.Precision == ModelPrecision.Int4 ? options.Int4BlockSize : null,
                Int4Scheme = options.Precision == ModelPrecision.Int4 ? options.Int4Scheme.ToString().ToLowerInvariant() : null,
                Int4LmHead = options.Precision == ModelPrecision.Int4 ? options.QuantizeLmHead : null,
                ExecutionProvider = options.ExecutionProvider,
                Attention = options.Attention == DecoderAttention.GroupQuery ? AttentionKind.GroupQuery : AttentionKind.Plain,
                ActivationType = graphOptions.Float16Activations ? ActivationTypeName.Fp16 : ActivationTypeName.Fp32,
                Vision = ReadPreprocessing(checkpointDirectory, config),
                SourceCheckpoint = options.SourceName ?? Path.GetFileName(Path.GetFullPath(checkpointDirectory).TrimEnd(Path.DirectorySeparatorChar)),
                SourceConfigSha256 = await FileSha256.ComputeAsync(Path.Combine(checkpointDirectory, ModelFolderLayout.CheckpointConfig), cancellationToken),
                BuilderVersion = BuilderVersion,
                CreatedUtc = DateTimeOffset.UtcNow,
                Files = files,
            };
            await File.WriteAllTextAsync(Path.Combine(staging, ModelManifest.FileName), manifest.ToJson(), cancellationToken);

            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }

            Directory.Move(staging, output);
            return manifest;
        }
        catch
        {
            // Nothing half-written survives: the staging folder goes, the output folder was never touched.
            Directory.Delete(staging, recursive: true);
            throw;
        }
    }

    /// <summary>
    /// The family decides the prompt template. It is read from what the checkpoint says about itself: ChatML
    /// special tokens mean the 34b (Nous-Hermes-2-Yi), a Mistral text model the mistral variant.
    /// </summary>
    public static string DetectVariant(string checkpointDirectory, LlavaCheckpointConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (config.Architecture == LlavaArchitecture.Llava)
        {
            return ModelVariant.Llava15;
        }

        string tokenizer = File.ReadAllText(Path.Combine(checkpointDirectory, ModelFolderLayout.TokenizerConfig));
        if (tokenizer.Contains("<|im_start|>", StringComparison.Ordinal))
        {
            return ModelVariant.Next34B;
        }

        return config.Text.ModelType == "mistral" ? ModelVariant.NextMistral : ModelVariant.NextVicuna;
    }

    /// <summary>The tokenizer must map the image token text to the id the model splices features at.</summary>
    private static string CheckImageToken(string checkpointDirectory, LlavaCheckpointConfig config)
    {
        const string ImageToken = "<image>";
        JsonNode? tokenizer = JsonNode.Parse(File.ReadAllText(Path.Combine(checkpointDirectory, ModelFolderLayout.Tokenizer)));
        JsonArray added = tokenizer?["added_tokens"]?.AsArray() ?? [];
        JsonNode? entry = added.FirstOrDefault(t => t?["content"]?.GetValue<string>() == ImageToken);
        int? id = entry?["id"]?.GetValue<int>();
        if (id != config.ImageTokenIndex)
        {
            throw new CheckpointException(
                id is null
                    ? $"tokenizer.json has no added token '{ImageToken}'; the model expects it at id {config.ImageTokenIndex}."
                    : $"tokenizer.json maps '{ImageToken}' to id {id}, but config.json's image_token_index is {config.ImageTokenIndex}.");
        }

        return ImageToken;
    }

    private static VisionPreprocessing ReadPreprocessing(string checkpointDirectory, LlavaCheckpointConfig config)
    {
        string path = Path.Combine(checkpointDirectory, ModelFolderLayout.PreprocessorConfig);
        JsonNode? node = File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path)) : null;
        int size = config.Vision.ImageSize;
        float[] mean = node?["image_mean"]?.AsArray().Select(v => v!.GetValue<float>()).ToArray() ?? s_clipMean;
        float[] std = node?["image_std"]?.AsArray().Select(v => v!.GetValue<float>()).ToArray() ?? s_clipStd;
        int shortest = node?["size"]?["shortest_edge"]?.GetValue<int>() ?? size;
        int crop = node?["crop_size"] switch
        {
            JsonObject o => o["height"]?.GetValue<int>() ?? size,
            JsonValue v => v.GetValue<int>(),
            _ => size,
        };
        return new VisionPreprocessing
        {
            ImageSize = size,
            PatchSize = config.Vision.PatchSize,
            ShortestEdge = shortest,
            CropSize = crop,
            ImageMean = mean,
            ImageStd = std,
            RescaleFactor = node?["rescale_factor"]?.GetValue<double>() ?? (1.0 / 255.0),
            GridPinpoints = [.. config.ImageGridPinpoints.Select(p => (IReadOnlyList<int>)[p.Height, p.Width])],
            FeaturesPerTile = config.FeaturesPerTile,
            FeatureLayer = config.VisionFeatureLayer,
            SelectStrategy = config.VisionFeatureSelectStrategy,
            ImageNewline = config.Architecture == LlavaArchitecture.LlavaNext,
        };
    }
}
