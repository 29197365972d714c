using System.Text.Json;

namespace HilRig.Bench.Module.Network.Station;

/// <summary>A TLS handshake to try: the server at <paramref name="Host"/>:<paramref name="Port"/> must chain to the CA in <paramref name="CaPath"/> and name the host.</summary>
public sealed record TlsCheck(string Host, int Port, string CaPath);

/// <summary>An MQTT login to try, over TLS (checked against <paramref name="CaPath"/>) when <paramref name="Tls"/>.</summary>
public sealed record MqttCheck(string Host, int Port, bool Tls, string? CaPath, string ClientId, string? User, string? Password);

/// <summary>
/// What `hilrig bench station` proves from the module's side of the air, after its DHCP lease: names that must
/// resolve, TLS handshakes, MQTT logins (docs/wiring.md, the network check). Read from JSON:
/// <c>{"resolve":[names],"tls":[{"host","port","ca"}],"mqtt":[{"host","port","tls","ca","clientId","user","password"}]}</c>;
/// a relative <c>ca</c> is relative to the plan's folder.
/// </summary>
public sealed record StationPlan(IReadOnlyList<string> Resolve, IReadOnlyList<TlsCheck> Tls, IReadOnlyList<MqttCheck> Mqtt)
{
    /// <summary>Reads a plan file; null with <paramref name="error"/> (one line naming the file and the field) when it is not one.</summary>
    public static StationPlan? TryRead(string path, out string? error)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            error = $"plan {path}: cannot be read ({ex.Message})";
            return null;
        }
        var plan = TryParse(text, Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", out error);
        if (error is not null)
        {
            error = $"plan {path}: {error}";
        }
        return plan;
    }

    /// <summary>Parses a plan's JSON, CA paths relative to <paramref name="baseDirectory"/>; null with <paramref name="error"/> naming the field.</summary>
    public static StationPlan? TryParse(string json, string baseDirectory, out string? error)
    {
        try
        {
            using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            var plan = Read(document.RootElement, baseDirectory);
            error = null;
            return plan;
        }
        catch (JsonException ex)
        {
            error = $"not JSON ({ex.Message})";
        }
        catch (PlanException ex)
        {
            error = ex.Message;
        }
        return null;
    }

    private static StationPlan Read(JsonElement root, string baseDirectory)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new PlanException($"the plan is a JSON {Kind(root)}, expected an object with resolve, tls and mqtt");
        }
        Known(root, "", "resolve", "tls", "mqtt");
        var resolve = Array(root, "resolve").Select((e, i) => HostName(e, $"resolve[{i}]")).ToList();
        var tls = Array(root, "tls").Select((e, i) =>
        {
            var at = $"tls[{i}]";
            Object(e, at);
            Known(e, at, "host", "port", "ca");
            return new TlsCheck(HostName(Required(e, at, "host"), $"{at}.host"), Port(Required(e, at, "port"), $"{at}.port"),
                CaFile(Required(e, at, "ca"), $"{at}.ca", baseDirectory));
        }).ToList();
        var mqtt = Array(root, "mqtt").Select((e, i) =>
        {
            var at = $"mqtt[{i}]";
            Object(e, at);
            Known(e, at, "host", "port", "tls", "ca", "clientId", "user", "password");
            var useTls = e.TryGetProperty("tls", out var t) && Bool(t, $"{at}.tls");
            var ca = e.TryGetProperty("ca", out var c) ? CaFile(c, $"{at}.ca", baseDirectory) : null;
            if (useTls && ca is null)
            {
                throw new PlanException($"{at}.ca: missing; an MQTT check over TLS needs the CA to check the server against");
            }
            return new MqttCheck(HostName(Required(e, at, "host"), $"{at}.host"), Port(Required(e, at, "port"), $"{at}.port"), useTls, ca,
                Text(Required(e, at, "clientId"), $"{at}.clientId"),
                e.TryGetProperty("user", out var u) ? Text(u, $"{at}.user") : null,
                e.TryGetProperty("password", out var p) ? Text(p, $"{at}.password") : null);
        }).ToList();
        if (resolve.Count + tls.Count + mqtt.Count == 0)
        {
            throw new PlanException("it checks nothing: give at least one of resolve, tls, mqtt");
        }
        return new StationPlan(resolve, tls, mqtt);
    }

    private static IEnumerable<JsonElement> Array(JsonElement root, string name)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return [];
        }
        return value.ValueKind == JsonValueKind.Array ? value.EnumerateArray().ToList()
            : throw new PlanException($"{name}: expected a list, found a {Kind(value)}");
    }

    private static void Object(JsonElement e, string at)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            throw new PlanException($"{at}: expected an object, found a {Kind(e)}");
        }
    }

    private static void Known(JsonElement e, string at, params string[] names)
    {
        foreach (var property in e.EnumerateObject())
        {
            if (!names.Contains(property.Name, StringComparer.Ordinal))
            {
                throw new PlanException($"{(at.Length == 0 ? "" : at + ".")}{property.Name}: unknown field (known: {string.Join(", ", names)})");
            }
        }
    }

    private static JsonElement Required(JsonElement e, string at, string name) =>
        e.TryGetProperty(name, out var value) ? value : throw new PlanException($"{at}.{name}: missing");

    private static string Text(JsonElement e, string at) =>
        e.ValueKind == JsonValueKind.String && e.GetString() is { Length: > 0 } s ? s : throw new PlanException($"{at}: expected a non-empty string, found {Kind(e)}");

    private static string HostName(JsonElement e, string at)
    {
        var host = Text(e, at);
        return Uri.CheckHostName(host) is UriHostNameType.Dns or UriHostNameType.IPv4 ? host
            : throw new PlanException($"{at}: '{host}' is not a host name or IPv4 address");
    }

    private static int Port(JsonElement e, string at) =>
        e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var port) && port is >= 1 and <= 65535 ? port
            : throw new PlanException($"{at}: expected a port number (1 to 65535), found {e.GetRawText()}");

    private static bool Bool(JsonElement e, string at) => e.ValueKind switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => throw new PlanException($"{at}: expected true or false, found {e.GetRawText()}"),
    };

    private static string CaFile(JsonElement e, string at, string baseDirectory)
    {
        var path = Path.Combine(baseDirectory, Text(e, at));
        return File.Exists(path) ? path : throw new PlanException($"{at}: no CA certificate file {Text(e, at)}");
    }

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "list",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => "null",
    };

    private sealed class PlanException(string message) : Exception(message);
}
