namespace Llava.ModelBuilder.Graphs;

/// <summary>A progress report for one conversion stage: tensors read so far and bytes written.</summary>
/// <param name="Stage">The stage being written (vision, embedding, decoder, tokenizer, manifest).</param>
/// <param name="TensorsRead">Checkpoint tensors this stage has read so far.</param>
/// <param name="TensorsTotal">Checkpoint tensors this stage will read.</param>
/// <param name="BytesWritten">Bytes of weights this stage has written so far.</param>
public readonly record struct ConversionProgress(string Stage, int TensorsRead, int TensorsTotal, long BytesWritten);
