using System.Text.Json;
using LlavaFunctions.HostTests.Rpc;

namespace LlavaFunctions.Host.Tests.StandIn;

/// <summary>A function as the worker describes it in its <c>FunctionMetadataResponse</c> (worker indexing).</summary>
public sealed class WorkerFunction
{
    private WorkerFunction(string name, string functionId, IReadOnlyList<JsonElement> bindings)
    {
        Name = name;
        FunctionId = functionId;
        Bindings = bindings;
        Trigger = bindings.Single(b => Text(b, "type")?.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase) == true);
    }

    public string Name { get; }

    /// <summary>The id the worker chose; sent back in FunctionLoadRequest and every InvocationRequest.</summary>
    public string FunctionId { get; }

    /// <summary>The raw binding JSON objects exactly as the worker sent them.</summary>
    public IReadOnlyList<JsonElement> Bindings { get; }

    public JsonElement Trigger { get; }

    public string TriggerType => Text(Trigger, "type")!;

    public string TriggerName => Text(Trigger, "name")!;

    internal static WorkerFunction FromRpc(RpcFunctionMetadata metadata)
    {
        List<JsonElement> bindings = [.. metadata.RawBindings.Select(raw => JsonDocument.Parse(raw).RootElement.Clone())];
        return new WorkerFunction(metadata.Name, string.IsNullOrEmpty(metadata.FunctionId) ? metadata.Name : metadata.FunctionId, bindings);
    }

    /// <summary>A string property of a binding, matched case-insensitively as the host's binding metadata is.</summary>
    public static string? Text(JsonElement binding, string property) =>
        Property(binding, property) is { ValueKind: JsonValueKind.String } value ? value.GetString() : null;

    public static JsonElement? Property(JsonElement binding, string property)
    {
        foreach (JsonProperty candidate in binding.EnumerateObject())
        {
            if (string.Equals(candidate.Name, property, StringComparison.OrdinalIgnoreCase))
            {
                return candidate.Value;
            }
        }

        return null;
    }

    /// <summary>Whether the worker asked for SDK-type (deferred) binding: the host then sends ModelBindingData.</summary>
    public bool TriggerSupportsDeferredBinding =>
        Property(Trigger, "properties") is { ValueKind: JsonValueKind.Object } properties
        && string.Equals(Text(properties, "supportsDeferredBinding"), "true", StringComparison.OrdinalIgnoreCase);
}
