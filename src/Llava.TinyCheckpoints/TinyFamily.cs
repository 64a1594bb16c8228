using Llava.ModelBuilder.Checkpoints;
using Llava.ModelFormat;

namespace Llava.TinyCheckpoints;

/// <summary>
/// One of the four LLaVA families as its llava-hf repository defines it: model classes, vocabulary and special
/// ids, rope base, GQA-ness, config layout values and chat template. Sizes come from <see cref="TinyModelSize"/>.
/// </summary>
public sealed record TinyFamily
{
    public static TinyFamily Llava15 { get; } = new()
    {
        Name = ModelVariant.Llava15,
        Repository = "llava-hf/llava-1.5-7b-hf",
        Architecture = LlavaArchitecture.Llava,
        TextModelType = "llama",
        TextNameOrPath = "lmsys/vicuna-7b-v1.5",
        TextTorchDType = "float16",
        BaseVocabSize = 32000,
        VocabSize = 32064,
        ImageTokenId = 32000,
        PadToken = "<pad>",
        PadTokenId = 32001,
        GroupedQueryAttention = false,
        RopeTheta = null,
        MaxPositionEmbeddings = 4096,
        PromptTemplate = PromptTemplateName.VicunaV1,
        ChatTemplate = TinyChatTemplates.Vicuna,
        YiTokenizer = false,
        LegacyTokenizer = false,
        TransformersVersion = "4.36.0.dev0",
        Seed = 20240926,
    };

    public static TinyFamily NextMistral { get; } = new()
    {
        Name = ModelVariant.NextMistral,
        Repository = "llava-hf/llava-v1.6-mistral-7b-hf",
        Architecture = LlavaArchitecture.LlavaNext,
        TextModelType = "mistral",
        TextNameOrPath = "mistralai/Mistral-7B-Instruct-v0.2",
        TextTorchDType = "bfloat16",
        BaseVocabSize = 32000,
        VocabSize = 32064,
        ImageTokenId = 32000,
        PadToken = "<pad>",
        PadTokenId = 32001,
        GroupedQueryAttention = true,
        RopeTheta = 1_000_000,
        MaxPositionEmbeddings = 32768,
        PromptTemplate = PromptTemplateName.MistralInstruct,
        ChatTemplate = TinyChatTemplates.Mistral,
        YiTokenizer = false,
        LegacyTokenizer = true,
        TransformersVersion = "4.39.0.dev0",
        Seed = 20240927,
    };

    // The same language model as LLaVA-1.5 (vicuna-7b-v1.5), under NeXT's architecture and without a pad token.
    public static TinyFamily NextVicuna { get; } = Llava15 with
    {
        Name = ModelVariant.NextVicuna,
        Repository = "llava-hf/llava-v1.6-vicuna-7b-hf",
        Architecture = LlavaArchitecture.LlavaNext,
        PadToken = null,
        PadTokenId = 0,
        TransformersVersion = "4.39.0.dev0",
        Seed = 20240928,
    };

    public static TinyFamily Next34B { get; } = new()
    {
        Name = ModelVariant.Next34B,
        Repository = "llava-hf/llava-v1.6-34b-hf",
        Architecture = LlavaArchitecture.LlavaNext,
        TextModelType = "llama",
        TextNameOrPath = "NousResearch/Nous-Hermes-2-Yi-34B",
        TextTorchDType = "bfloat16",
        BaseVocabSize = 64000,
        VocabSize = 64064,
        ImageTokenId = 64000,
        PadToken = null,
        PadTokenId = 0,
        GroupedQueryAttention = true,
        RopeTheta = 5_000_000,
        MaxPositionEmbeddings = 4096,
        PromptTemplate = PromptTemplateName.ChatMlDirect,
        ChatTemplate = TinyChatTemplates.ChatMl,
        YiTokenizer = true,
        LegacyTokenizer = true,
        TransformersVersion = "4.39.0.dev0",
        Seed = 20240929,
    };

    public static IReadOnlyList<TinyFamily> All { get; } = [Llava15, NextMistral, NextVicuna, Next34B];

    /// <summary>The model variant name (<see cref="ModelVariant"/>), also the folder name tools use.</summary>
    public required string Name { get; init; }

    /// <summary>The llava-hf repository whose layout this family copies.</summary>
    public required string Repository { get; init; }

    public required LlavaArchitecture Architecture { get; init; }

    /// <summary><c>llama</c> (Vicuna, Yi) or <c>mistral</c>.</summary>
    public required string TextModelType { get; init; }

    /// <summary>The language model the real checkpoint was built on (<c>text_config._name_or_path</c>).</summary>
    public required string TextNameOrPath { get; init; }

    /// <summary>text_config.torch_dtype as published (the base model's dtype, not ours).</summary>
    public required string TextTorchDType { get; init; }

    /// <summary>Tokenizer model vocabulary: ids below this are BPE pieces, the image token comes right after.</summary>
    public required int BaseVocabSize { get; init; }

    /// <summary>Embedding rows (llava-hf pads the vocabulary to a multiple of 64).</summary>
    public required int VocabSize { get; init; }

    public required int ImageTokenId { get; init; }

    /// <summary>The added pad token (<c>&lt;pad&gt;</c>), or null where the family pads with <c>&lt;unk&gt;</c>.</summary>
    public required string? PadToken { get; init; }

    public required int PadTokenId { get; init; }

    public required bool GroupedQueryAttention { get; init; }

    /// <summary>rope_theta, or null for Llama's default 10000 (llava-hf does not write it then).</summary>
    public required double? RopeTheta { get; init; }

    public required int MaxPositionEmbeddings { get; init; }

    /// <summary>The conversation template name (<see cref="PromptTemplateName"/>).</summary>
    public required string PromptTemplate { get; init; }

    /// <summary>The Jinja chat template of the llava-hf repository.</summary>
    public required string ChatTemplate { get; init; }

    /// <summary>Yi's special ids (no BOS, ChatML tokens at 6-8) instead of Llama's <c>&lt;unk&gt; &lt;s&gt; &lt;/s&gt;</c>.</summary>
    public required bool YiTokenizer { get; init; }

    /// <summary>tokenizer_config.json's <c>legacy</c> as the real repository has it (the tokenizer.json is legacy-style either way).</summary>
    public required bool LegacyTokenizer { get; init; }

    public required string TransformersVersion { get; init; }

    /// <summary>Fixed weight seed (refharness' 20240926 + family index; our generator differs, so the weights do too).</summary>
    public required ulong Seed { get; init; }

    public int BosTokenId { get; init; } = 1;

    public int EosTokenId => YiTokenizer ? 7 : 2;

    public string BosToken => YiTokenizer ? "<|startoftext|>" : "<s>";

    public string EosToken => YiTokenizer ? "<|im_end|>" : "</s>";

    public static TinyFamily FromName(string name) =>
        All.FirstOrDefault(f => f.Name == name)
        ?? throw new ArgumentException($"Unknown family '{name}'. Known: {string.Join(", ", All.Select(f => f.Name))}.", nameof(name));

    public override string ToString() => Name;
}
