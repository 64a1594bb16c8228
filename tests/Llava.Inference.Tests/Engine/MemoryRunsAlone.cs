namespace Llava.Inference.Tests.Engine;

/// <summary>Tests that read the process's memory run after all others, with nothing beside them.</summary>
[CollectionDefinition(nameof(MemoryRunsAlone), DisableParallelization = true)]
public sealed class MemoryRunsAlone;
