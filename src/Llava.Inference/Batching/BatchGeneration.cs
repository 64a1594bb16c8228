using System.Diagnostics;
using System.Runtime.InteropServices;
using Llava.Inference.Concurrency;
using Llava.Inference.Engine;
using Llava.Inference.Errors;
using Llava.Inference.Generation;
using Llava.Inference.Loading;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntimeGenAI;

namespace Llava.Inference.Batching;

/// <summary>
/// Runs one batch on one GenAI generator (static batching: <c>batch_size</c> rows appended at once, one prefill,
/// then one decode step for all rows at a time). Every row streams its own tokens, ends on its own end of turn, stop
/// sequence, token budget or cancellation, and is answered as soon as it ends; the others go on. A batch of one is
/// the unbatched path: there is no other.
/// </summary>
internal sealed partial class BatchGeneration(Model model, ModelFolder folder, IReadOnlySet<int> endOfTurnIds, ILogger logger)
{
    private readonly int _featuresPerTile = folder.Manifest.Vision.FeaturesPerTile;
    private readonly int _tileSize = folder.Manifest.Vision.ImageSize;

    /// <summary>Runs the rows to their ends; blocking, on the batcher's worker thread. Releases every lease it is given.</summary>
    public void Run(IReadOnlyList<BatchRow> rows, IReadOnlyList<GenerationGate.Lease> topUps, CancellationToken shutdown)
    {
        List<BatchRow> answerAfterCleanup = [];
        long reserved = rows.Sum(r => r.Lease.Bytes) + topUps.Sum(t => t.Bytes);
        try
        {
            Generate(rows, answerAfterCleanup, shutdown);
        }
        catch (Exception ex)
        {
            answerAfterCleanup.Clear();
            foreach (BatchRow row in rows)
            {
                row.Complete(ex);
            }
        }
        finally
        {
            foreach (BatchRow row in rows)
            {
                row.Lease.Dispose();
            }

            foreach (GenerationGate.Lease topUp in topUps)
            {
                topUp.Dispose();
            }

            MemoryReturn.AfterRequest(reserved);

            // The rows that ended with the batch are answered once its memory is back, so a caller that reads the
            // engine's reservations after its answer sees them released.
            foreach (BatchRow row in answerAfterCleanup)
            {
                row.Complete();
            }
        }
    }

    private void Generate(IReadOnlyList<BatchRow> rows, List<BatchRow> answerAfterCleanup, CancellationToken shutdown)
    {
        BatchInputs inputs = BatchInputs.Create([.. rows.Select(r => r.Prompt)], folder.Decoder.PadTokenId, _featuresPerTile, 3 * _tileSize * _tileSize);
        int maxNewTokens = rows.Max(r => r.Options.MaxNewTokens);
        Stopwatch clock = Stopwatch.StartNew();
        RowProgress[] progress = [.. rows.Select(r => new RowProgress(r, new AnswerAssembler(folder.AnswerDecoding, endOfTurnIds, r.Options.StopSequences, r.Options.MaxNewTokens), inputs.PaddedLength, r.QueueWait + Stopwatch.GetElapsedTime(r.ReadyAt)))];
        using GeneratorParams parameters = new(model);
        rows[0].Settings.ApplyTo(parameters, rows.Count, inputs.PaddedLength + maxNewTokens);
        using Generator generator = CreateGenerator(parameters, rows[0].Settings.Constraint);
        using PinnedInputs pinned = new();
        SetImageInputs(generator, inputs, pinned);
        GenerationMetrics.RecordBatch(rows.Count, folder.Manifest.Variant);
        if (rows.Count > 1)
        {
            Log.BatchStarted(logger, rows.Count, inputs.PaddedLength, inputs.TileCount, maxNewTokens);
        }

        // Prefill (vision, embedding and decoder over every row's prompt), then one decode step for all rows at a time.
        generator.AppendTokens(inputs.TokenIds);
        int active = rows.Count;
        while (active > 0 && !generator.IsDone())
        {
            active -= DropDeparted(progress, shutdown);
            if (active == 0)
            {
                break;
            }

            generator.GenerateNextToken();
            foreach (RowProgress row in ReadNewTokens(generator, progress, clock.Elapsed))
            {
                row.Done = true;
                active--;
                Finish(row, clock.Elapsed, answerNow: active > 0, answerAfterCleanup);
            }
        }

        // The generator ended the remaining rows itself (max length or a completed grammar).
        foreach (RowProgress row in progress.Where(p => !p.Done))
        {
            row.Done = true;
            Finish(row, clock.Elapsed, answerNow: false, answerAfterCleanup);
        }
    }

    private void SetImageInputs(Generator generator, BatchInputs inputs, PinnedInputs pinned)
    {
        if (inputs.FeatureIndex.Length == 0)
        {
            return;
        }

        ElementType pixelType = inputs.PixelValues is Half[] ? ElementType.float16 : ElementType.float32;
        generator.SetModelInput("pixel_values", pinned.Tensor(inputs.PixelValues, [inputs.TileCount, 3, _tileSize, _tileSize], pixelType));
        generator.SetModelInput("image_feature_index", pinned.Tensor(inputs.FeatureIndex, [inputs.FeatureIndex.Length], ElementType.int64));
        generator.SetModelInput("num_image_tokens", pinned.Tensor(new long[] { inputs.FeatureIndex.Length }, [1], ElementType.int64));
    }

    /// <summary>
    /// Ends the rows whose caller left (or all of them when the engine is stopping); they keep stepping with the others,
    /// unread, since a static batch cannot drop rows. Returns how many ended.
    /// </summary>
    private static int DropDeparted(RowProgress[] progress, CancellationToken shutdown)
    {
        int dropped = 0;
        foreach (RowProgress row in progress)
        {
            if (!row.Done && (row.Row.CancellationToken.IsCancellationRequested || shutdown.IsCancellationRequested))
            {
                row.Done = true;
                dropped++;
                row.Row.Complete(row.Row.CancellationToken.IsCancellationRequested ? null : new ObjectDisposedException(nameof(LlavaEngine), "The engine stopped before this answer was complete."));
            }
        }

        return dropped;
    }

    /// <summary>Streams each running row's new tokens to its caller; returns the rows whose answers ended in this step.</summary>
    private static List<RowProgress> ReadNewTokens(Generator generator, RowProgress[] progress, TimeSpan elapsed)
    {
        List<RowProgress> ended = [];
        for (int i = 0; i < progress.Length; i++)
        {
            RowProgress row = progress[i];
            if (row.Done)
            {
                continue;
            }

            // Usually one new token per step; guidance may fast-forward several, and a final step may add none.
            ReadOnlySpan<int> sequence = generator.GetSequence((ulong)i);
            for (; row.Seen < sequence.Length && !row.Answer.Finished; row.Seen++)
            {
                int token = sequence[row.Seen];
                if (row.Answer.Generated.Count == 0)
                {
                    row.FirstToken = elapsed;
                }

                string text = row.Answer.Push(token);
                if (text.Length > 0)
                {
                    row.Row.Output.TryWrite(new GenerationUpdate(text, token, null));
                }
            }

            if (row.Answer.Finished)
            {
                ended.Add(row);
            }
        }

        return ended;
    }

    /// <summary>Writes a row's last text and its result; answers it now, or once the batch's memory is back.</summary>
    private void Finish(RowProgress row, TimeSpan elapsed, bool answerNow, List<BatchRow> answerAfterCleanup)
    {
        string rest = row.Answer.Complete();
        if (rest.Length > 0)
        {
            row.Row.Output.TryWrite(new GenerationUpdate(rest, null, null));
        }

        PreparedPrompt prompt = row.Row.Prompt;
        int count = row.Answer.Generated.Count;
        GenerationUsage usage = new(prompt.TokenIds.Length, prompt.ImageTokenCount, count);
        GenerationTimings timings = new(prompt.PreprocessTime, row.QueueWait, row.FirstToken, elapsed - row.FirstToken, count);
        Log.Generated(logger, usage.PromptTokens, usage.ImageTokens, usage.CompletionTokens, row.Answer.Reason, timings.TimeToFirstToken.TotalMilliseconds, timings.DecodeTokensPerSecond);
        GenerationResult result = new(row.Answer.Text, row.Answer.Reason, usage, timings, [.. row.Answer.Generated]);
        GenerationMetrics.RecordAnswer(result, folder.Manifest.Variant);
        row.Row.Output.TryWrite(new GenerationUpdate("", null, result));
        if (answerNow)
        {
            row.Row.Complete();
        }
        else
        {
            answerAfterCleanup.Add(row.Row);
        }
    }

    /// <summary>
    /// The generator; GenAI compiles a constraint's grammar here, so a schema or pattern llguidance refuses (one our
    /// own checks cannot see, such as a regex feature it lacks) is the caller's invalid parameter, not a crash.
    /// </summary>
    private Generator CreateGenerator(GeneratorParams parameters, OutputConstraint? constraint)
    {
        try
        {
            return new Generator(model, parameters);
        }
        catch (OnnxRuntimeGenAIException e) when (constraint is not null)
        {
            throw new InvalidParameterException(GenerationParameterNames.ResponseFormat, $"response_format: the {constraint.Kind} constraint cannot be compiled: {e.Message}", e);
        }
    }

    /// <summary>A row's place in the batch: what it has read of its sequence and how its answer stands.</summary>
    private sealed class RowProgress(BatchRow row, AnswerAssembler answer, int promptLength, TimeSpan queueWait)
    {
        public BatchRow Row { get; } = row;

        /// <summary>Waiting for admission, then for the batch to close.</summary>
        public TimeSpan QueueWait { get; } = queueWait;

        public AnswerAssembler Answer { get; } = answer;

        /// <summary>Tokens of this row's sequence already read: the padded prompt, then its answer so far.</summary>
        public int Seen { get; set; } = promptLength;

        public bool Done { get; set; }

        public TimeSpan FirstToken { get; set; }
    }

    /// <summary>Managed arrays handed to GenAI without a copy: pinned until the generator is gone.</summary>
    private sealed class PinnedInputs : IDisposable
    {
        private readonly List<GCHandle> _pins = [];
        private readonly List<Tensor> _tensors = [];

        public Tensor Tensor(Array data, long[] shape, ElementType type)
        {
            GCHandle pin = GCHandle.Alloc(data, GCHandleType.Pinned);
            _pins.Add(pin);
            Tensor tensor = new(pin.AddrOfPinnedObject(), shape, type);
            _tensors.Add(tensor);
            return tensor;
        }

        public void Dispose()
        {
            foreach (Tensor tensor in _tensors)
            {
                tensor.Dispose();
            }

            foreach (GCHandle pin in _pins)
            {
                pin.Free();
            }
        }
    }

    // Event ids 800-899: each class logging in this app has its own block (LogEventIdTests lists them).
    private static partial class Log
    {
        [LoggerMessage(801, LogLevel.Information, "Generated {CompletionTokens} tokens for a {PromptTokens}-token prompt ({ImageTokens} image tokens), finish {FinishReason}, first token {TimeToFirstTokenMs:F0} ms, {TokensPerSecond:F1} tokens/s")]
        public static partial void Generated(ILogger logger, int promptTokens, int imageTokens, int completionTokens, FinishReason finishReason, double timeToFirstTokenMs, double tokensPerSecond);

        [LoggerMessage(802, LogLevel.Debug, "Batch of {Rows} rows: prompts padded to {PaddedLength} tokens, {Tiles} tiles, up to {MaxNewTokens} new tokens")]
        public static partial void BatchStarted(ILogger logger, int rows, int paddedLength, int tiles, int maxNewTokens);
    }
}
