using System.ComponentModel;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using Io.Cucumber.Messages.Types;

namespace HilRig.Gherkin.Reporting;

/// <summary>
/// The JSON form of Cucumber messages: camelCase properties, nulls left out, enums as their protocol text
/// (<c>PASSED</c>, <c>text/x.cucumber.gherkin+plain</c>), one envelope per line. Cucumber.Messages leaves the
/// serializer to the host, so this is it. Any string serializes to valid JSON in plain ASCII: control characters
/// (NUL, ESC) and every non-ASCII character are written as <c>\uNNNN</c> escapes and a lone UTF-16 surrogate (text
/// that is not valid UTF-16) becomes U+FFFD, as System.Text.Json's default encoder does; it never throws for a text.
/// </summary>
public static class MessageJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new ProtocolEnumConverterFactory() },
    };

    /// <summary>Serializes one envelope to a single line of JSON.</summary>
    public static string Serialize(Envelope envelope) => JsonSerializer.Serialize(envelope, Options);

    /// <summary>Reads one line of JSON back into an envelope.</summary>
    public static Envelope Deserialize(string line) =>
        JsonSerializer.Deserialize<Envelope>(line, Options) ?? throw new JsonException("The line holds no envelope.");

    private sealed class ProtocolEnumConverterFactory : JsonConverterFactory
    {
        public override bool CanConvert(Type typeToConvert) => typeToConvert.IsEnum;

        public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options) =>
            (JsonConverter)Activator.CreateInstance(typeof(ProtocolEnumConverter<>).MakeGenericType(typeToConvert))!;
    }

    private sealed class ProtocolEnumConverter<T> : JsonConverter<T>
        where T : struct, Enum
    {
        private readonly Dictionary<T, string> _toText = [];
        private readonly Dictionary<string, T> _fromText = new(StringComparer.Ordinal);

        public ProtocolEnumConverter()
        {
            foreach (var field in typeof(T).GetFields(BindingFlags.Public | BindingFlags.Static))
            {
                var value = (T)field.GetValue(null)!;
                var text = field.GetCustomAttribute<DescriptionAttribute>()?.Description ?? field.Name;
                _toText[value] = text;
                _fromText[text] = value;
            }
        }

        public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
        {
            var text = reader.GetString() ?? "";
            return _fromText.TryGetValue(text, out var value) ? value : throw new JsonException($"'{text}' is not a {typeof(T).Name}.");
        }

        public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) =>
            writer.WriteStringValue(_toText.TryGetValue(value, out var text) ? text : value.ToString());
    }
}
