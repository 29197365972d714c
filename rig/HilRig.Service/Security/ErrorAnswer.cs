using System.Text.Json;
using System.Text.Json.Serialization;

namespace HilRig.Service.Security;

/// <summary>Every refusal of the service: <c>{"error": "what was wrong"}</c>.</summary>
/// <param name="Error">What was wrong, naming the field, header or path.</param>
public sealed record ErrorAnswer(string Error);

/// <summary>Source-generated JSON for <see cref="ErrorAnswer"/> (written before the API's own serializer is reached).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ErrorAnswer))]
public sealed partial class ErrorJson : JsonSerializerContext;
