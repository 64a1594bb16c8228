using System.Reflection;
using Llava.Inference.Engine;
using Llava.Serving.Hosting;
using LlavaFunctions.Jobs;
using Microsoft.Extensions.Logging;

namespace LlavaFunctions.Tests.Telemetry;

/// <summary>
/// Log event ids are unique across the app: every class that logs through <c>[LoggerMessage]</c> owns a block of
/// 100 ids, listed here (the one central list). A new logging class needs a block here first.
/// </summary>
public sealed class LogEventIdTests
{
    private static readonly Dictionary<string, int> s_blocks = new(StringComparer.Ordinal)
    {
        ["Llava.Serving.Http.HttpApiLog"] = 100,
        ["Llava.Serving.Hosting.ModelHost+Log"] = 200,
        ["Llava.Inference.Engine.LlavaEngine+Log"] = 300,
        ["LlavaFunctions.Storage.BlobModelSource+Log"] = 400,
        ["LlavaFunctions.Captioning.CaptionService+Log"] = 500,
        ["LlavaFunctions.Jobs.JobService+Log"] = 600,
        ["LlavaFunctions.Http.ApiKeyMiddleware+Log"] = 700,
        ["Llava.Inference.Batching.BatchGeneration+Log"] = 800,
    };

    [Fact]
    public void Every_logging_class_uses_only_its_own_block_of_event_ids()
    {
        List<(string Type, string Method, int Id)> messages = [.. LoggedMessages()];

        Assert.NotEmpty(messages);
        foreach ((string type, string method, int id) in messages)
        {
            Assert.True(s_blocks.TryGetValue(type, out int start), $"{type} logs but has no block of event ids in {nameof(LogEventIdTests)}; give it the next free one.");
            Assert.True(id >= start && id < start + 100, $"{type}.{method} has event id {id}, outside its block {start}-{start + 99}.");
        }

        Assert.Equal(messages.Count, messages.Select(m => m.Id).Distinct().Count());
        Assert.Equal(s_blocks.Keys.Order(StringComparer.Ordinal), messages.Select(m => m.Type).Distinct().Order(StringComparer.Ordinal));
    }

    private static IEnumerable<(string Type, string Method, int Id)> LoggedMessages()
    {
        Assembly[] assemblies = [typeof(LlavaEngine).Assembly, typeof(ModelHost).Assembly, typeof(JobService).Assembly];
        foreach (Type type in assemblies.SelectMany(a => a.GetTypes()))
        {
            foreach (MethodInfo method in type.GetMethods(BindingFlags.Static | BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly))
            {
                if (method.GetCustomAttribute<LoggerMessageAttribute>() is { } message)
                {
                    yield return (type.FullName!, method.Name, message.EventId);
                }
            }
        }
    }
}
