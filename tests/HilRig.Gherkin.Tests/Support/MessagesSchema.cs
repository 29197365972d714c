using System.ComponentModel;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using Io.Cucumber.Messages.Types;
using Json.Schema;

namespace HilRig.Gherkin.Tests.Support;

/// <summary>
/// The Cucumber messages JSON schema of the Cucumber.Messages version the project uses, rebuilt from that package's
/// own message types (they are generated from cucumber/messages' jsonschema/*.schema.json): one definition per
/// message type with its properties and no others (additionalProperties false), the required ones (those the
/// type's constructor refuses as null), JSON types, arrays, and enums by their protocol text. Built, not copied:
/// no schema file of that version can be vendored here, and this one follows the package when it is upgraded.
/// The version is Reqnroll's (Cucumber.Messages 30.1.0). An enum is never required here (see <see cref="RequiredProperties"/>).
/// </summary>
public static class MessagesSchema
{
    private static readonly Lazy<JsonSchema> EnvelopeSchema = new(Build);

    /// <summary>The schema of one NDJSON line (an Envelope).</summary>
    public static JsonSchema Envelope => EnvelopeSchema.Value;

    /// <summary>The schema as JSON text (for a failure message or a look).</summary>
    public static string Text => BuildNode().ToJsonString(new JsonSerializerOptions { WriteIndented = true });

    /// <summary>The errors of <paramref name="line"/> against the schema, each as <c>/pointer: message</c>; empty when valid.</summary>
    public static IReadOnlyList<string> Errors(string line)
    {
        using var document = JsonDocument.Parse(line);
        var results = Envelope.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
        if (results.IsValid)
        {
            return [];
        }

        return (results.Details ?? [])
            .Where(d => d.Errors is not null)
            .SelectMany(d => d.Errors!.Select(e => $"{d.InstanceLocation}: {e.Value}"))
            .DefaultIfEmpty("invalid")
            .ToList();
    }

    private static JsonSchema Build() =>
        JsonSchema.FromText(BuildNode().ToJsonString(), new BuildOptions { SchemaRegistry = new SchemaRegistry() });

    private static JsonObject BuildNode()
    {
        var definitions = new JsonObject();
        var pending = new Queue<Type>([typeof(Envelope)]);
        var seen = new HashSet<Type> { typeof(Envelope) };
        while (pending.TryDequeue(out var type))
        {
            definitions[type.Name] = Definition(type, referenced =>
            {
                if (seen.Add(referenced))
                {
                    pending.Enqueue(referenced);
                }
            });
        }

        var root = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["$id"] = "https://hilrig.local/schema/Envelope.schema.json",
            ["$ref"] = "#/$defs/Envelope",
            ["$defs"] = definitions,
        };
        return root;
    }

    private static JsonObject Definition(Type type, Action<Type> reference)
    {
        var properties = new JsonObject();
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            properties[CamelCase(property.Name)] = PropertySchema(property.PropertyType, reference);
        }

        return new JsonObject
        {
            ["type"] = "object",
            ["additionalProperties"] = false,
            ["properties"] = properties,
            ["required"] = new JsonArray(RequiredProperties(type).Select(p => (JsonNode)CamelCase(p)).ToArray()),
        };
    }

    private static JsonNode PropertySchema(Type type, Action<Type> reference)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type == typeof(string))
        {
            return new JsonObject { ["type"] = "string" };
        }

        if (type == typeof(bool))
        {
            return new JsonObject { ["type"] = "boolean" };
        }

        if (type == typeof(long) || type == typeof(int))
        {
            return new JsonObject { ["type"] = "integer" };
        }

        if (type == typeof(double) || type == typeof(float))
        {
            return new JsonObject { ["type"] = "number" };
        }

        if (type.IsEnum)
        {
            return new JsonObject
            {
                ["enum"] = new JsonArray(type.GetFields(BindingFlags.Public | BindingFlags.Static)
                    .Select(f => (JsonNode)(f.GetCustomAttribute<DescriptionAttribute>()?.Description ?? f.Name)).ToArray()),
            };
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(List<>))
        {
            return new JsonObject { ["type"] = "array", ["items"] = PropertySchema(type.GetGenericArguments()[0], reference) };
        }

        if (type.IsClass && type.Namespace == typeof(Envelope).Namespace)
        {
            reference(type);
            return new JsonObject { ["$ref"] = $"#/$defs/{type.Name}" };
        }

        throw new NotSupportedException($"{type} in a Cucumber message has no JSON schema mapping here.");
    }

    /// <summary>
    /// The properties the message's constructor refuses as null (Cucumber's generated code checks exactly the
    /// schema's required ones), plus the bools and numbers that cannot be null.
    /// </summary>
    private static List<string> RequiredProperties(Type type)
    {
        var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
        var parameters = constructor.GetParameters();
        var arguments = parameters.Select(p => p.ParameterType.IsValueType ? Activator.CreateInstance(p.ParameterType) : null).ToArray();
        // A bool or a number that cannot be null is required in the schema; an enum cannot be told: the package
        // declares optional ones (Hook.type, PickleStep.type) as non-nullable too, so enums are never required here.
        var required = parameters.Where(p => p.ParameterType is { IsValueType: true, IsEnum: false } && Nullable.GetUnderlyingType(p.ParameterType) is null)
            .Select(p => p.Name!).ToHashSet(StringComparer.OrdinalIgnoreCase);
        for (var attempt = 0; attempt <= parameters.Length; attempt++)
        {
            try
            {
                constructor.Invoke(arguments);
                break;
            }
            catch (TargetInvocationException exception) when (exception.InnerException is ArgumentNullException missing)
            {
                var index = Array.FindIndex(parameters, p => string.Equals(p.Name, missing.ParamName, StringComparison.OrdinalIgnoreCase));
                if (index < 0)
                {
                    throw new InvalidOperationException($"{type.Name} refuses null for '{missing.ParamName}', which is no parameter of its constructor.", exception);
                }

                required.Add(parameters[index].Name!);
                arguments[index] = Placeholder(parameters[index].ParameterType);
            }
        }

        return type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => p.Name)
            .Where(required.Contains)
            .ToList();
    }

    private static object Placeholder(Type type) =>
        type == typeof(string) ? "" : type.IsGenericType ? Activator.CreateInstance(type)! : RuntimeHelpers.GetUninitializedObject(type);

    private static string CamelCase(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}
