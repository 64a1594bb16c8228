namespace Llava.Inference.Loading;

/// <summary>Progress of loading a model: the stage and the bytes verified so far.</summary>
public readonly record struct ModelLoadProgress(string Stage, long BytesDone, long BytesTotal);
