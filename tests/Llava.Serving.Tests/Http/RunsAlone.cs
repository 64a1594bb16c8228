namespace Llava.Serving.Tests.Http;

/// <summary>Tests that measure the whole process (memory) run after the others, one at a time.</summary>
[CollectionDefinition(nameof(RunsAlone), DisableParallelization = true)]
public sealed class RunsAlone;
