using Llava.Cli.Running;
using Llava.Inference.Engine;
using Llava.ModelFormat;
using Llava.Testing.Models;

namespace Llava.Cli.Tests;

public sealed class EngineLoaderTests
{
    [Fact]
    public async Task One_question_at_a_time_commands_load_an_engine_that_never_waits_for_batch_company()
    {
        CliContext context = new() { Out = TextWriter.Null, Error = TextWriter.Null, In = TextReader.Null, IsErrorInteractive = false };

        using LlavaEngine engine = await EngineLoader.LoadAsync(TinyModels.Model(ModelVariant.Llava15), ModelLoadSettings.Default, context, CancellationToken.None);

        // A batch size of 1 closes every batch at once: no request waits out the batching window.
        Assert.Equal(1, engine.Batching.MaxBatchSize);
    }
}
