namespace Llava.ModelBuilder.Tests.Tiny;

/// <summary>Test classes that share one <see cref="TinyCheckpointSet"/>.</summary>
[CollectionDefinition(Name)]
public sealed class TinyCheckpointGroup : ICollectionFixture<TinyCheckpointSet>
{
    public const string Name = "Tiny checkpoints";
}
