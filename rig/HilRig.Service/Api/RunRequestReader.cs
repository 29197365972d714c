using System.Globalization;
using System.Text.Json;
using HilRig.Service.Runs;
using Microsoft.AspNetCore.Http;

namespace HilRig.Service.Api;

/// <summary>
/// Reads the body of POST /api/runs and says what is wrong with it naming the field: not JSON (with line and
/// byte), not an object, an unknown field, a field of the wrong type. The size is bounded by Kestrel's body limit.
/// </summary>
public static class RunRequestReader
{
    /// <summary>Largest body the service reads: a run request is a few hundred bytes.</summary>
    public const long MaxBodyBytes = 64 * 1024;

    /// <summary>An example of a valid body, for error texts.</summary>
    public const string Example = "{\"features\":[\"scenarios/HilRig.Scenarios/Features/chain-upgrade.feature:12\"],\"tags\":\"@sim\",\"wiring\":\"wiring/sim-chain.yaml\",\"seed\":7}";

    private static readonly string[] Fields = ["features", "tags", "wiring", "seed"];

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { MaxDepth = 8 };

    /// <summary>The request, or the reason the body is refused; the status is 400, or 413 for a body over the limit.</summary>
    public static async Task<(RunRequest? Request, string? Error, int Status)> ReadAsync(HttpRequest http)
    {
        ArgumentNullException.ThrowIfNull(http);
        byte[] body;
        try
        {
            using var buffer = new MemoryStream();
            await http.Body.CopyToAsync(buffer, http.HttpContext.RequestAborted).ConfigureAwait(false);
            if (buffer.Length > MaxBodyBytes) return (null, TooLarge, StatusCodes.Status413PayloadTooLarge);
            body = buffer.ToArray();
        }
        catch (BadHttpRequestException ex) when (ex.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return (null, TooLarge, StatusCodes.Status413PayloadTooLarge);
        }
        var (request, error) = Parse(body);
        return (request, error, StatusCodes.Status400BadRequest);
    }

    /// <summary>Parses a body; the request or the reason it is refused.</summary>
    public static (RunRequest? Request, string? Error) Parse(ReadOnlyMemory<byte> body)
    {
        if (body.IsEmpty) return (null, $"body: empty; send a JSON object such as {Example} ({{}} runs every feature on the service's bench)");
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body, new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException ex)
        {
            var where = ex.LineNumber is { } line
                ? string.Create(CultureInfo.InvariantCulture, $" at line {line + 1}, byte {ex.BytePositionInLine + 1}")
                : "";
            var why = ex.Message.Contains("maximum configured depth", StringComparison.OrdinalIgnoreCase) ? "nested deeper than a run request ever is" : "not valid JSON";
            return (null, $"body: {why}{where}");
        }
        catch (ArgumentException)
        {
            return (null, "body: not valid JSON");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, $"body: a JSON object such as {Example} is required, not {Kind(root)}");
            }
            foreach (var property in root.EnumerateObject())
            {
                if (!Fields.Contains(property.Name, StringComparer.OrdinalIgnoreCase))
                {
                    return (null, $"body: unknown field '{Printable(property.Name)}'; the fields are {string.Join(", ", Fields)}");
                }
                if (Expected(property.Name, property.Value) is { } expected)
                {
                    return (null, expected);
                }
            }
            try
            {
                return (root.Deserialize<RunRequest>(Json), null);
            }
            catch (JsonException ex)
            {
                return (null, $"{Field(ex.Path)}: not the type expected");
            }
        }
    }

    private static string TooLarge => string.Create(CultureInfo.InvariantCulture, $"body: larger than {MaxBodyBytes} bytes; a run request is a few hundred");

    // The type each field must have, checked before binding so the answer names the field and what it should be.
    private static string? Expected(string name, JsonElement value)
    {
        var field = name.ToLowerInvariant();
        if (value.ValueKind == JsonValueKind.Null) return null;
        switch (field)
        {
            case "features":
                if (value.ValueKind != JsonValueKind.Array) return $"features: a list of feature paths is expected, not {Kind(value)}";
                var i = 0;
                foreach (var item in value.EnumerateArray())
                {
                    // null entries are reported by the request check, which says what a feature path is.
                    if (item.ValueKind is not (JsonValueKind.String or JsonValueKind.Null))
                    {
                        return string.Create(CultureInfo.InvariantCulture, $"features[{i}]: a feature path (a string) is expected, not {Kind(item)}");
                    }
                    i++;
                }
                return null;
            case "tags" or "wiring":
                return value.ValueKind == JsonValueKind.String ? null : $"{field}: a string is expected, not {Kind(value)}";
            default:
                return value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out _)
                    ? null
                    : $"seed: a whole number from {int.MinValue.ToString(CultureInfo.InvariantCulture)} to {int.MaxValue.ToString(CultureInfo.InvariantCulture)} is expected, not {Kind(value)}";
        }
    }

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => value.TryGetInt64(out _) ? "a number out of range" : "a number that is not whole or out of range",
        JsonValueKind.True or JsonValueKind.False => "true/false",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Field(string? path) =>
        string.IsNullOrEmpty(path) || path == "$" ? "body" : path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path;

    /// <summary>At most 100 characters of <paramref name="text"/>, control characters shown as '?'.</summary>
    public static string Printable(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var clean = new string([.. text.Take(100).Select(c => char.IsControl(c) ? '?' : c)]);
        return text.Length > 100 ? clean + "..." : clean;
    }
}
