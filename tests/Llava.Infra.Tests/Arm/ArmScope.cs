using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Llava.Infra.Tests.Arm;

/// <summary>
/// One template being "deployed" in memory: its parameters, variables and resources, with the nested
/// deployments (Bicep modules) it contains. Expressions are evaluated the way Azure Resource Manager evaluates
/// them before deployment; values that only exist once a resource is deployed (a principal id, an endpoint)
/// evaluate to <see cref="ArmUnresolved"/> describing where they come from. Unknown functions throw: a test
/// never passes on a value the evaluator did not understand.
/// </summary>
internal sealed class ArmScope
{
    public const string SubscriptionId = "00000000-0000-0000-0000-00000000c0de";
    public const string TenantId = "00000000-0000-0000-0000-0000000be11e";
    public const string DeployerObjectId = "00000000-0000-0000-0000-00000000d3b1";

    private readonly JsonObject _template;
    private readonly IReadOnlyDictionary<string, object?> _suppliedParameters;
    private readonly Dictionary<string, object?> _parameters = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, object?> _variables = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _variablesInProgress = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, ArmScope> _deployments = new(StringComparer.OrdinalIgnoreCase);
    private readonly string _location;

    private ArmScope(JsonObject template, IReadOnlyDictionary<string, object?> parameters, string? resourceGroup, string location, string path)
    {
        _template = template;
        _suppliedParameters = parameters;
        ResourceGroup = resourceGroup;
        _location = location;
        Path = path;
    }

    /// <summary>The resource group this template deploys into; null at subscription scope.</summary>
    public string? ResourceGroup { get; }

    /// <summary>Where this template sits: "main", "main/llava", ...</summary>
    public string Path { get; }

    public JsonObject Template => _template;

    /// <summary>Starts a subscription-scope deployment of <paramref name="template"/>.</summary>
    public static ArmScope Deploy(JsonObject template, IReadOnlyDictionary<string, object?> parameters, string location) =>
        new(template, parameters, resourceGroup: null, location, "main");

    /// <summary>Every resource of this template and, recursively, of its nested deployments, copies expanded.</summary>
    public IEnumerable<ArmResource> AllResources()
    {
        foreach (ArmResource resource in OwnResources())
        {
            yield return resource;
            if (resource.IsDeployment)
            {
                foreach (ArmResource nested in Deployment(resource.Name).AllResources())
                {
                    yield return nested;
                }
            }
        }
    }

    /// <summary>The template's own resources, copy loops expanded.</summary>
    public IEnumerable<ArmResource> OwnResources()
    {
        IEnumerable<JsonObject> nodes = _template["resources"] switch
        {
            JsonArray array => array.OfType<JsonObject>(),
            JsonObject symbolic => symbolic.Select(p => p.Value).OfType<JsonObject>(),
            _ => [],
        };
        foreach (JsonObject node in nodes)
        {
            // Conditional resources (Bicep 'if') are not deployed when their condition is false.
            if (node.ContainsKey("condition"))
            {
                object? condition = Evaluate(node["condition"], copyIndex: null);
                if (condition is not bool deployed)
                {
                    throw new InvalidOperationException($"{Path}: a resource condition evaluated to {ArmValue.Format(condition)}.");
                }

                if (!deployed)
                {
                    continue;
                }
            }

            if (node["copy"] is JsonObject copy)
            {
                long count = Convert.ToInt64(Evaluate(copy["count"], copyIndex: null), CultureInfo.InvariantCulture);
                for (int i = 0; i < count; i++)
                {
                    yield return new ArmResource(this, node, i);
                }
            }
            else
            {
                yield return new ArmResource(this, node, null);
            }
        }
    }

    /// <summary>The evaluated outputs of this template.</summary>
    public Dictionary<string, object?> Outputs()
    {
        Dictionary<string, object?> outputs = ArmValue.NewObject();
        if (_template["outputs"] is JsonObject declared)
        {
            foreach ((string name, JsonNode? output) in declared)
            {
                outputs[name] = Evaluate(output?["value"], copyIndex: null);
            }
        }

        return outputs;
    }

    /// <summary>The scope of the nested deployment (module) of that name in this template.</summary>
    public ArmScope Deployment(string name)
    {
        if (_deployments.TryGetValue(name, out ArmScope? existing))
        {
            return existing;
        }

        ArmResource resource = OwnResources().SingleOrDefault(r => r.IsDeployment && string.Equals(r.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new KeyNotFoundException($"{Path} has no nested deployment '{name}'.");
        JsonObject properties = (JsonObject)resource.Node["properties"]!;
        if (properties["expressionEvaluationOptions"]?["scope"]?.GetValue<string>() is not "inner")
        {
            throw new NotSupportedException($"Deployment '{name}' does not use inner expression scope.");
        }

        Dictionary<string, object?> parameters = ArmValue.NewObject();
        if (properties["parameters"] is JsonObject supplied)
        {
            foreach ((string parameterName, JsonNode? entry) in supplied)
            {
                // Either {"value": ...} or an expression producing that object (Bicep emits if(...) for ternaries).
                object? evaluated = Evaluate(entry, copyIndex: null);
                if (evaluated is not Dictionary<string, object?> wrapper || !wrapper.TryGetValue("value", out object? value))
                {
                    throw new NotSupportedException($"Parameter '{parameterName}' of deployment '{name}' is not a value.");
                }

                parameters[parameterName] = value;
            }
        }

        string? resourceGroup = resource.Node["resourceGroup"] is null
            ? ResourceGroup
            : ArmValue.Format(Evaluate(resource.Node["resourceGroup"], copyIndex: null));
        var scope = new ArmScope((JsonObject)properties["template"]!, parameters, resourceGroup, _location, $"{Path}/{name}");
        _deployments[name] = scope;
        return scope;
    }

    /// <summary>A parameter's value: supplied, else its default.</summary>
    public object? Parameter(string name)
    {
        if (_parameters.TryGetValue(name, out object? cached))
        {
            return cached;
        }

        JsonObject declaration = _template["parameters"]?[name] as JsonObject
            ?? throw new KeyNotFoundException($"{Path} declares no parameter '{name}'.");
        object? value;
        if (_suppliedParameters.TryGetValue(name, out object? supplied))
        {
            value = supplied;
        }
        else if (declaration.ContainsKey("defaultValue"))
        {
            value = Evaluate(declaration["defaultValue"], copyIndex: null);
        }
        else
        {
            throw new InvalidOperationException($"{Path}: parameter '{name}' has no value and no default.");
        }

        if (declaration["allowedValues"] is JsonArray allowed && !allowed.Select(ArmValue.FromJson).Any(a => ArmValue.AreEqual(a, value)))
        {
            throw new InvalidOperationException($"{Path}: '{ArmValue.Format(value)}' is not an allowed value of parameter '{name}'.");
        }

        _parameters[name] = value;
        return value;
    }

    /// <summary>A variable's value.</summary>
    public object? Variable(string name)
    {
        if (_variables.TryGetValue(name, out object? cached))
        {
            return cached;
        }

        JsonObject variables = _template["variables"] as JsonObject ?? throw new KeyNotFoundException($"{Path} has no variables.");
        if (!variables.TryGetPropertyValue(name, out JsonNode? node))
        {
            throw new KeyNotFoundException($"{Path} declares no variable '{name}'.");
        }

        if (!_variablesInProgress.Add(name))
        {
            throw new InvalidOperationException($"{Path}: variable '{name}' refers to itself.");
        }

        object? value = Evaluate(node, copyIndex: null);
        _variablesInProgress.Remove(name);
        _variables[name] = value;
        return value;
    }

    /// <summary>Evaluates a JSON node: expression strings are evaluated, object keys included.</summary>
    public object? Evaluate(JsonNode? node, int? copyIndex)
    {
        switch (node)
        {
            case null:
                return null;
            case JsonObject obj:
                Dictionary<string, object?> result = ArmValue.NewObject();
                foreach ((string key, JsonNode? value) in obj)
                {
                    if (key == "copy" && value is JsonArray propertyLoops)
                    {
                        // Property copy loops (a Bicep 'for' inside a property): each becomes the array it names.
                        foreach (JsonObject loop in propertyLoops.OfType<JsonObject>())
                        {
                            long count = Convert.ToInt64(Evaluate(loop["count"], copyIndex), CultureInfo.InvariantCulture);
                            result[loop["name"]!.GetValue<string>()] = Enumerable.Range(0, checked((int)count))
                                .Select(index => Evaluate(loop["input"], index))
                                .ToList();
                        }

                        continue;
                    }

                    result[ArmValue.Format(EvaluateString(key, copyIndex))] = Evaluate(value, copyIndex);
                }

                return result;
            case JsonArray array:
                return array.Select(item => Evaluate(item, copyIndex)).ToList();
            case JsonValue value when value.TryGetValue(out string? text):
                return EvaluateString(text, copyIndex);
            default:
                return ArmValue.FromJson(node);
        }
    }

    private object? EvaluateString(string text, int? copyIndex)
    {
        if (text.StartsWith("[[", StringComparison.Ordinal))
        {
            return text[1..];
        }

        if (text.Length >= 2 && text[0] == '[' && text[^1] == ']')
        {
            return Evaluate(ArmExpressionParser.Parse(text[1..^1]), copyIndex);
        }

        return text;
    }

    private object? Evaluate(ArmExpression expression, int? copyIndex) => expression switch
    {
        ArmStringLiteral literal => literal.Value,
        ArmNumberLiteral number => number.Value,
        ArmPropertyAccess access => Property(Evaluate(access.Target, copyIndex), access.Property),
        ArmIndexAccess access => Index(Evaluate(access.Target, copyIndex), Evaluate(access.Index, copyIndex)),
        ArmFunctionCall call => Call(call, copyIndex),
        _ => throw new NotSupportedException(expression.ToString()),
    };

    private static object? Property(object? target, string property) => target switch
    {
        ArmUnresolved unresolved => new ArmUnresolved($"{unresolved.Text}.{property}"),
        Dictionary<string, object?> obj when obj.TryGetValue(property, out object? value) => value,
        Dictionary<string, object?> => throw new KeyNotFoundException($"The object has no property '{property}'."),
        _ => throw new InvalidOperationException($"Cannot read '{property}' of {ArmValue.Format(target)}."),
    };

    private static object? Index(object? target, object? index) => (target, index) switch
    {
        (ArmUnresolved unresolved, _) => new ArmUnresolved($"{unresolved.Text}[{ArmValue.Format(index)}]"),
        (_, ArmUnresolved unresolved) => new ArmUnresolved($"{ArmValue.Format(target)}[{unresolved.Text}]"),
        (List<object?> list, long position) => list[checked((int)position)],
        (Dictionary<string, object?> obj, string key) when obj.TryGetValue(key, out object? value) => value,
        (Dictionary<string, object?>, string key) => throw new KeyNotFoundException($"The object has no property '{key}'."),
        _ => throw new InvalidOperationException($"Cannot index {ArmValue.Format(target)} with {ArmValue.Format(index)}."),
    };

    private object? Call(ArmFunctionCall call, int? copyIndex)
    {
        string name = call.Name.ToLowerInvariant();

        // Lazy functions first: only the chosen branch is evaluated, as in ARM.
        if (name == "if")
        {
            object? condition = Evaluate(call.Arguments[0], copyIndex);
            return condition switch
            {
                bool flag => Evaluate(call.Arguments[flag ? 1 : 2], copyIndex),
                ArmUnresolved unresolved => new ArmUnresolved($"if({unresolved.Text}, ...)"),
                _ => throw new InvalidOperationException($"if() condition is {ArmValue.Format(condition)}."),
            };
        }

        List<object?> args = call.Arguments.Select(argument => Evaluate(argument, copyIndex)).ToList();
        return name switch
        {
            "parameters" => Parameter(Text(args[0])),
            "variables" => Variable(Text(args[0])),
            // copyIndex(), copyIndex(offset) and copyIndex('loopName'): the innermost loop's index (loops are not nested here).
            "copyindex" => (copyIndex ?? throw new InvalidOperationException("copyIndex() outside a copy loop.")) + (args.Count > 0 && args[^1] is not string ? Convert.ToInt64(args[^1], CultureInfo.InvariantCulture) : 0L),
            "createobject" => CreateObject(args),
            "createarray" => args,
            "true" => true,
            "false" => false,
            "null" => null,
            "subscription" => Subscription(),
            "tenant" => Object(("tenantId", TenantId)),
            "deployer" => Object(("objectId", DeployerObjectId), ("tenantId", TenantId)),
            "deployment" => Object(("name", "llava-infra-tests")),
            "environment" => Object(
                ("name", "AzureCloud"),
                ("suffixes", Object(("storage", "core.windows.net"), ("acrLoginServer", ".azurecr.io")))),
            "resourcegroup" => Object(
                ("name", ResourceGroup ?? throw new InvalidOperationException("resourceGroup() at subscription scope.")),
                ("id", $"/subscriptions/{SubscriptionId}/resourceGroups/{ResourceGroup}"),
                ("location", _location)),
            "reference" => Reference(args),
            // Text built around a runtime value stays readable: "https://" + reference(...).fqdn.
            "format" when args.Any(ArmValue.IsUnresolved) => new ArmUnresolved(
                string.Format(CultureInfo.InvariantCulture, Text(args[0]), args.Skip(1).Select(ArmValue.Format).ToArray())),
            "concat" when args.Any(ArmValue.IsUnresolved) && !args.Any(a => a is List<object?>) => new ArmUnresolved(
                string.Concat(args.Select(ArmValue.Format))),
            _ when args.Any(ArmValue.IsUnresolved) => new ArmUnresolved($"{call.Name}({string.Join(", ", args.Select(ArmValue.Format))})"),
            _ => Pure(name, call.Name, args),
        };
    }

    private object? Pure(string name, string displayName, List<object?> args) => name switch
    {
        "format" => string.Format(CultureInfo.InvariantCulture, Text(args[0]), args.Skip(1).Select(ArmValue.Format).ToArray()),
        "concat" when args.All(a => a is List<object?>) => args.SelectMany(a => (List<object?>)a!).ToList(),
        "concat" => string.Concat(args.Select(ArmValue.Format)),
        "string" => ArmValue.Format(args[0]),
        "int" => Convert.ToInt64(args[0], CultureInfo.InvariantCulture),
        "json" => ArmValue.FromJson(JsonNode.Parse(Text(args[0]))),
        "length" => args[0] switch
        {
            string text => (long)text.Length,
            List<object?> list => (long)list.Count,
            Dictionary<string, object?> obj => (long)obj.Count,
            _ => throw new InvalidOperationException($"length() of {ArmValue.Format(args[0])}."),
        },
        "empty" => args[0] switch
        {
            null => true,
            string text => text.Length == 0,
            List<object?> list => list.Count == 0,
            Dictionary<string, object?> obj => obj.Count == 0,
            _ => false,
        },
        "not" => !(bool)args[0]!,
        "and" => args.All(a => (bool)a!),
        "or" => args.Any(a => (bool)a!),
        "equals" => ArmValue.AreEqual(args[0], args[1]),
        "coalesce" => args.FirstOrDefault(a => a is not null),
        "tolower" => Text(args[0]).ToLowerInvariant(),
        "toupper" => Text(args[0]).ToUpperInvariant(),
        "replace" => Text(args[0]).Replace(Text(args[1]), Text(args[2]), StringComparison.Ordinal),
        "add" => Convert.ToInt64(args[0], CultureInfo.InvariantCulture) + Convert.ToInt64(args[1], CultureInfo.InvariantCulture),
        "mul" => Convert.ToInt64(args[0], CultureInfo.InvariantCulture) * Convert.ToInt64(args[1], CultureInfo.InvariantCulture),
        "split" => Text(args[0]).Split(Text(args[1])).Cast<object?>().ToList(),
        "take" => args[0] is string text
            ? text[..(int)Math.Min(text.Length, Convert.ToInt64(args[1], CultureInfo.InvariantCulture))]
            : ((List<object?>)args[0]!).Take((int)Convert.ToInt64(args[1], CultureInfo.InvariantCulture)).ToList(),
        "contains" => args[0] switch
        {
            string text => text.Contains(Text(args[1]), StringComparison.Ordinal),
            List<object?> list => list.Any(item => ArmValue.AreEqual(item, args[1])),
            Dictionary<string, object?> obj => obj.ContainsKey(Text(args[1])),
            _ => false,
        },
        "union" => Union(args),
        "uniquestring" => UniqueString(args.Select(Text)),
        "guid" => Guid(args.Select(Text)),
        "resourceid" => ResourceId(args.Select(Text).ToList()),
        "subscriptionresourceid" => SubscriptionResourceId(args.Select(Text).ToList()),
        "extensionresourceid" => $"{Text(args[0])}/providers/{TypedNames(args.Skip(1).Select(Text).ToList())}",
        "tenantresourceid" => $"/providers/{TypedNames(args.Select(Text).ToList())}",
        _ => throw new NotSupportedException($"ARM function '{displayName}' is not supported by the test evaluator ({Path})."),
    };

    /// <summary>reference(): a nested deployment's outputs are evaluated; any other resource is unresolved.</summary>
    private object? Reference(List<object?> args)
    {
        string id = ArmValue.Format(args[0]);
        const string DeploymentsMarker = "/providers/Microsoft.Resources/deployments/";
        int marker = id.LastIndexOf(DeploymentsMarker, StringComparison.OrdinalIgnoreCase);
        if (args[0] is string && marker >= 0)
        {
            Dictionary<string, object?> outputs = ArmValue.NewObject();
            foreach ((string name, object? value) in Deployment(id[(marker + DeploymentsMarker.Length)..]).Outputs())
            {
                outputs[name] = Object(("value", value));
            }

            return Object(("outputs", outputs));
        }

        return new ArmUnresolved($"reference('{id}')");
    }

    private string ResourceId(List<string> args)
    {
        int typeIndex = args.FindIndex(a => a.Contains('/', StringComparison.Ordinal));
        string subscription = typeIndex >= 2 ? args[0] : SubscriptionId;
        string? resourceGroup = typeIndex switch
        {
            >= 2 => args[1],
            1 => args[0],
            _ => ResourceGroup,
        };
        string typedNames = TypedNames(args.Skip(typeIndex).ToList());
        return resourceGroup is null
            ? $"/subscriptions/{subscription}/providers/{typedNames}"
            : $"/subscriptions/{subscription}/resourceGroups/{resourceGroup}/providers/{typedNames}";
    }

    private static string SubscriptionResourceId(List<string> args)
    {
        int typeIndex = args.FindIndex(a => a.Contains('/', StringComparison.Ordinal));
        string subscription = typeIndex >= 1 ? args[0] : SubscriptionId;
        return $"/subscriptions/{subscription}/providers/{TypedNames(args.Skip(typeIndex).ToList())}";
    }

    /// <summary>'Ns/type/child', 'a', 'b' to 'Ns/type/a/child/b'.</summary>
    private static string TypedNames(List<string> typeAndNames)
    {
        string[] typeParts = typeAndNames[0].Split('/');
        var builder = new StringBuilder(typeParts[0]);
        for (int i = 1; i < typeParts.Length; i++)
        {
            builder.Append('/').Append(typeParts[i]).Append('/').Append(typeAndNames[i]);
        }

        return builder.ToString();
    }

    private static Dictionary<string, object?> Subscription() => Object(
        ("id", $"/subscriptions/{SubscriptionId}"),
        ("subscriptionId", SubscriptionId),
        ("tenantId", TenantId),
        ("displayName", "tests"));

    private static Dictionary<string, object?> CreateObject(List<object?> args)
    {
        Dictionary<string, object?> result = ArmValue.NewObject();
        for (int i = 0; i < args.Count; i += 2)
        {
            result[Text(args[i])] = args[i + 1];
        }

        return result;
    }

    private static Dictionary<string, object?> Union(List<object?> args)
    {
        Dictionary<string, object?> result = ArmValue.NewObject();
        foreach (Dictionary<string, object?> obj in args.Cast<Dictionary<string, object?>>())
        {
            foreach ((string key, object? value) in obj)
            {
                result[key] = value;
            }
        }

        return result;
    }

    private static Dictionary<string, object?> Object(params (string Key, object? Value)[] properties)
    {
        Dictionary<string, object?> result = ArmValue.NewObject();
        foreach ((string key, object? value) in properties)
        {
            result[key] = value;
        }

        return result;
    }

    /// <summary>Deterministic stand-in for ARM's uniqueString: 13 lowercase base-32 characters.</summary>
    public static string UniqueString(IEnumerable<string> parts)
    {
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('-', parts)));
        const string Alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        var builder = new StringBuilder(13);
        for (int i = 0; i < 13; i++)
        {
            builder.Append(Alphabet[hash[i] % 32]);
        }

        return builder.ToString();
    }

    /// <summary>Deterministic stand-in for ARM's guid(): same inputs, same GUID.</summary>
    public static string Guid(IEnumerable<string> parts)
    {
        byte[] hash = SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', parts)));
        return new Guid(hash.AsSpan(0, 16)).ToString("D");
    }

    private static string Text(object? value) => value as string
        ?? throw new InvalidOperationException($"A string was expected, got {ArmValue.Format(value)}.");
}

/// <summary>One resource (one copy, for copy loops) of a template, evaluated on demand.</summary>
internal sealed class ArmResource
{
    public ArmResource(ArmScope scope, JsonObject node, int? copyIndex)
    {
        Scope = scope;
        Node = node;
        CopyIndex = copyIndex;
    }

    public ArmScope Scope { get; }

    public JsonObject Node { get; }

    public int? CopyIndex { get; }

    public string Type => ArmValue.Format(Scope.Evaluate(Node["type"], CopyIndex));

    public string Name => ArmValue.Format(Scope.Evaluate(Node["name"], CopyIndex));

    /// <summary>The last segment of the name (a container's name rather than 'account/default/container').</summary>
    public string ShortName => Name.Split('/')[^1];

    public bool IsDeployment => string.Equals(Type, "Microsoft.Resources/deployments", StringComparison.OrdinalIgnoreCase);

    /// <summary>Evaluates the node at a dotted path, e.g. "properties.template.containers".</summary>
    public object? Get(string path)
    {
        JsonNode? node = Node;
        string[] segments = path.Split('.');
        for (int i = 0; i < segments.Length; i++)
        {
            string segment = segments[i];
            if (node is JsonObject { } parent && !parent.ContainsKey(segment) && parent["copy"] is JsonArray)
            {
                // A property copy loop produces this property: evaluate the object and walk the rest of the path.
                object? value = Scope.Evaluate(parent, CopyIndex);
                foreach (string rest in segments[i..])
                {
                    value = value is Dictionary<string, object?> obj ? obj.GetValueOrDefault(rest) : null;
                }

                return value;
            }

            node = node switch
            {
                JsonObject obj => obj[segment],
                JsonArray array when int.TryParse(segment, CultureInfo.InvariantCulture, out int index) => array[index],
                _ => null,
            };
            if (node is null)
            {
                return null;
            }
        }

        return Scope.Evaluate(node, CopyIndex);
    }

    /// <summary>The resource id ARM gives this resource (in its resource group).</summary>
    public string Id
    {
        get
        {
            string[] typeParts = Type.Split('/');
            string[] nameParts = Name.Split('/');
            var builder = new StringBuilder($"/subscriptions/{ArmScope.SubscriptionId}/resourceGroups/{Scope.ResourceGroup}/providers/{typeParts[0]}");
            for (int i = 1; i < typeParts.Length; i++)
            {
                builder.Append('/').Append(typeParts[i]).Append('/').Append(nameParts[i - 1]);
            }

            return builder.ToString();
        }
    }

    public override string ToString() => $"{Type} '{Name}' ({Scope.Path})";
}
