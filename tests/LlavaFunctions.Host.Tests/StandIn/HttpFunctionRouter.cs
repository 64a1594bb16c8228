using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;

namespace LlavaFunctions.Host.Tests.StandIn;

/// <summary>Matches a request to an HTTP-triggered function by its route template, methods and host.json's route prefix.</summary>
internal sealed class HttpFunctionRouter
{
    private readonly List<(WorkerFunction Function, TemplateMatcher Matcher, HashSet<string>? Methods)> _routes = [];

    public HttpFunctionRouter(IEnumerable<WorkerFunction> functions, string routePrefix)
    {
        foreach (WorkerFunction function in functions.Where(f => string.Equals(f.TriggerType, "httpTrigger", StringComparison.OrdinalIgnoreCase)))
        {
            string route = WorkerFunction.Text(function.Trigger, "route") ?? function.Name;
            string template = string.IsNullOrEmpty(routePrefix) ? route : routePrefix.Trim('/') + "/" + route;
            HashSet<string>? methods = WorkerFunction.Property(function.Trigger, "methods") is { ValueKind: System.Text.Json.JsonValueKind.Array } list
                ? list.EnumerateArray().Select(m => m.GetString()!).ToHashSet(StringComparer.OrdinalIgnoreCase)
                : null;
            _routes.Add((function, new TemplateMatcher(TemplateParser.Parse(template), []), methods));
        }
    }

    public (WorkerFunction Function, RouteValueDictionary Values)? Match(string method, PathString path)
    {
        foreach ((WorkerFunction function, TemplateMatcher matcher, HashSet<string>? methods) in _routes)
        {
            RouteValueDictionary values = [];
            if ((methods is null || methods.Contains(method)) && matcher.TryMatch(path, values))
            {
                return (function, values);
            }
        }

        return null;
    }
}
