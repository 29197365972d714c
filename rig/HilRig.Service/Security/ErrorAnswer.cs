using System.Text.Json;
using System.Text.Json.Serialization;

namespace HilRig.Service.Security;

/// <summary>Every refusal of the service: <c>{"error": "what was wrong"}</c>.</summary>
/// <param name="Error">What was wrong, naming the field, header or path.</param>
public sealed record ErrorAnswer(string Error);

/// <summary>Source-generated JSON for <see cref="ErrorAnswer"/> (written before the API's own serializer is reached).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ErrorAnswer))]
public sealed partial class ErrorJson : JsonSerializerContext
{
    /// <summary>
    /// The context errors are written with: quotes and angle brackets stay as they are, so that `curl` shows
    /// "needs 'Authorization: Bearer &lt;token&gt;'" rather than \u0027 escapes (the answer is application/json,
    /// never HTML).
    /// </summary>
    public static ErrorJson Readable { get; } = new(new JsonSerializerOptions(JsonSerializerDefaults.Web)
    {
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });
}
