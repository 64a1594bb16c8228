using System.Globalization;
using Llava.Inference.Engine;
using Llava.Inference.Generation;
using Llava.Serving.Http.Errors;
using Llava.Serving.Http.Hosting;

namespace Llava.Serving.Http.Requests;

/// <summary>
/// The generation options of a request checked at the edge, each refusal a 400 whose <c>param</c> is the field
/// as the client spelled it: ranges (NaN and infinities included) as soon as the body is read, and the bounds
/// that depend on the model (context length, vocabulary, images per request) once it is loaded, before any image
/// is decoded.
/// </summary>
internal static class GenerationFieldChecks
{
    /// <summary>Largest sampling temperature accepted (the engine's bound).</summary>
    public const float MaxTemperature = 10;

    public static void Validate(GenerationOptions options, GenerationFieldNames names, HttpApiOptions limits)
    {
        if (options.MaxNewTokens < 1)
        {
            throw Field(names.MaxTokens, $"must be at least 1; got {options.MaxNewTokens}");
        }

        if (options.Temperature is float temperature && !(temperature is >= 0 and <= MaxTemperature))
        {
            throw Field(names.Temperature, $"must be a number from 0 to {MaxTemperature}; got {Format(temperature)}");
        }

        if (options.TopP is float topP && !(topP is > 0 and <= 1))
        {
            throw Field(names.TopP, $"must be a number greater than 0 and at most 1; got {Format(topP)}");
        }

        if (options.TopK is < 1)
        {
            throw Field(names.TopK, $"must be at least 1; got {options.TopK}");
        }

        if (options.StopSequences.Count > limits.MaxStopSequences)
        {
            throw Field(names.Stop, $"may hold at most {limits.MaxStopSequences} sequences (HttpApi:MaxStopSequences); got {options.StopSequences.Count}");
        }

        foreach (string stop in options.StopSequences)
        {
            if (stop.Length == 0 || stop.Length > limits.MaxStopSequenceChars)
            {
                throw Field(names.Stop, $"sequences must be 1 to {limits.MaxStopSequenceChars} characters long (HttpApi:MaxStopSequenceChars); got one of {stop.Length}");
            }
        }
    }

    /// <summary>The bounds that come from the loaded model and engine; <paramref name="imagesParam"/> names where the images are.</summary>
    public static void ValidateForModel(GenerationOptions options, GenerationFieldNames names, int images, string imagesParam, LlavaEngine engine)
    {
        int context = engine.Manifest.ContextLength;
        if (options.MaxNewTokens > context)
        {
            throw Field(names.MaxTokens, $"must be at most the model's context length, {context}; got {options.MaxNewTokens}");
        }

        int vocabulary = engine.Manifest.VocabSize;
        if (options.TopK > vocabulary)
        {
            throw Field(names.TopK, $"must be at most the model's vocabulary size, {vocabulary}; got {options.TopK}");
        }

        int maxImages = engine.Options.MaxImagesPerRequest;
        if (images > maxImages)
        {
            throw HttpApiException.OverLimit(ApiErrorCodes.TooManyImages, imagesParam, $"A request may carry at most {maxImages} images (MaxImagesPerRequest); this one has {images}.");
        }
    }

    private static HttpApiException Field(string name, string problem) => HttpApiException.InvalidField(name, $"'{name}' {problem}.");

    private static string Format(float value) => value.ToString(CultureInfo.InvariantCulture);
}
