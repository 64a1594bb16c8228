using Microsoft.Azure.WebJobs;

namespace LlavaFunctions.Host.Tests.StandIn;

/// <summary>Gives the WebJobs host the generated <c>Host.Functions</c> type, and nothing else, to index.</summary>
internal sealed class StandInTypeLocator(Type functions) : ITypeLocator
{
    public IReadOnlyList<Type> GetTypes() => [functions];
}
