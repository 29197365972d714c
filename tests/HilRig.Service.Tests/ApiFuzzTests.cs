using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace HilRig.Service.Tests;

/// <summary>
/// The API under a few hundred mutated requests per run (seeded: the seed is printed, and HILRIG_FUZZ_SEED=N repeats a
/// run): mutations of a valid POST /api/runs body (wrong types, nulls, huge strings, control characters, path tricks,
/// deep nesting, truncated and bit-flipped JSON, wrong headers) and random paths and methods. Every answer is a 2xx, or a
/// 4xx whose body is a JSON error; never a 5xx, never a hang, never an absolute path of the machine. Runs a body queues
/// are cancelled at once, so the fuzz does not queue real work.
/// </summary>
public sealed class ApiFuzzTests
{
    private const int BodyCases = 320;
    private const int PathCases = 120;
    private static readonly TimeSpan PerRequest = TimeSpan.FromSeconds(15);

    private static readonly string[] Tricks =
    [
        "", " ", "..", "../", "../../etc/passwd", "/etc/passwd", "scenarios/../../etc/passwd", "scenarios/..", "scenarios/%2e%2e/x",
        "scenarios\\..\\..\\x", "~/x", "scenarios/./HilRig.Scenarios/Features/chain-upgrade.feature", "scenarios//HilRig.Scenarios",
        "scenarios/HilRig.Scenarios/Features/chain-upgrade.feature:-1", "scenarios/HilRig.Scenarios/Features/chain-upgrade.feature:0",
        "scenarios/HilRig.Scenarios/Features/chain-upgrade.feature:99999", "scenarios/HilRig.Scenarios/Features/chain-upgrade.feature:12:999999999999",
        "scenarios/HilRig.Scenarios/Features/chain-upgrade.feature::", "wiring/sim-chain.yaml", "wiring/../wiring/sim-chain.yaml", "wiring/",
        "wiring/pi-chain.yaml", "--out", "-h", "--wiring=/etc", "@sim", "not", "(", "$(touch x)", "`id`", "'\"", "scenarios/\u0000x",
        "a\u001bb", "\u202e", "scenarios/Ｆeatures", "\ud800", "/proc/self/environ", "file:///etc/passwd", "http://x", "NUL", "CON",
    ];

    [Fact]
    public async Task Mutated_bodies_random_paths_and_methods_get_a_clear_answer()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("HILRIG_FUZZ_SEED"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var given) ? given : Random.Shared.Next();
        var random = new Random(seed);
        var output = TestContext.Current.TestOutputHelper;
        output?.WriteLine($"fuzz seed {seed} (HILRIG_FUZZ_SEED={seed} repeats this run)");
        await using var service = await ServiceUnderTest.StartAsync();
        using var raw = new HttpClient { BaseAddress = service.Host.Address, Timeout = Timeout.InfiniteTimeSpan };
        string[] secrets = [service.Host.Runs.Options.RepositoryRoot, service.DataDirectory];
        var byStatus = new SortedDictionary<int, int>();
        var queued = new List<string>();
        var samples = new Dictionary<int, string>();

        var previous = "";
        for (var i = 0; i < BodyCases + PathCases; i++)
        {
            using var request = i < BodyCases ? BodyCase(random) : PathCase(random, queued);
            var queues = request.Method == HttpMethod.Post && request.RequestUri!.OriginalString == "/api/runs";
            var description = $"case {i} (seed {seed}): {request.Method} {request.RequestUri} {(request.Content is null ? "" : Shorten(await request.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)))}";
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(PerRequest);
            HttpResponseMessage response;
            try
            {
                response = await raw.SendAsync(request, timeout.Token);
            }
            catch (OperationCanceledException) when (!TestContext.Current.CancellationToken.IsCancellationRequested)
            {
                Assert.Fail($"no answer in {PerRequest.TotalSeconds} s: {description}");
                return;
            }
            catch (HttpRequestException ex)
            {
                Assert.Fail($"the connection broke instead of an answer ({ex.Message}: {ex.InnerException?.Message}): {description}; the case before: {previous}");
                return;
            }
            previous = description;
            using (response)
            {
                var status = (int)response.StatusCode;
                var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
                byStatus[status] = byStatus.GetValueOrDefault(status) + 1;
                Assert.True(status < 500, $"{status} {body}: {description}");
                foreach (var secret in secrets)
                {
                    Assert.False(body.Contains(secret, StringComparison.Ordinal), $"the answer holds the absolute path {secret}: {body}: {description}");
                }
                if (status >= 400 && request.Method != HttpMethod.Head)
                {
                    Assert.True(response.Content.Headers.ContentType?.MediaType == "application/json", $"{status} without a JSON error ({response.Content.Headers.ContentType}): {body}: {description}");
                    var error = JsonDocument.Parse(body).RootElement.GetProperty("error").GetString();
                    Assert.False(string.IsNullOrWhiteSpace(error), $"{status} with an empty error: {description}");
                    samples.TryAdd(status, error!);
                }
                if (status == 202 && queues)
                {
                    var id = JsonDocument.Parse(body).RootElement.GetProperty("id").GetString()!;
                    queued.Add(id);
                    await service.Http.PostAsync($"/api/runs/{id}/cancel", new StringContent("{}", Encoding.UTF8, "application/json"), TestContext.Current.CancellationToken);
                }
            }
        }

        var successes = byStatus.Where(s => s.Key < 400).Sum(s => s.Value);
        var errors = byStatus.Where(s => s.Key >= 400).Sum(s => s.Value);
        var summary = $"API fuzz, seed {seed}: {BodyCases + PathCases} cases ({BodyCases} bodies, {PathCases} paths/methods): {errors} clear errors, {successes} successes ({queued.Count} runs queued and cancelled), 0 crashes (5xx), 0 hangs; by status: {string.Join(", ", byStatus.Select(s => $"{s.Key}×{s.Value}"))}";
        output?.WriteLine(summary);
        foreach (var (status, error) in samples) output?.WriteLine($"  e.g. {status}: {error}");
        TestContext.Current.SendDiagnosticMessage(summary);
        Assert.True(errors > 0 && successes > 0, summary);
    }

    private static HttpRequestMessage BodyCase(Random random)
    {
        var body = new JsonObject
        {
            ["features"] = new JsonArray("scenarios/HilRig.Scenarios/Features/chain-upgrade.feature:23"),
            ["tags"] = "@no-such-tag-fuzz",
            ["wiring"] = "wiring/sim-chain.yaml",
            ["seed"] = 3,
        };
        string[] fields = ["features", "tags", "wiring", "seed"];
        var mutations = random.Next(1, 4);
        for (var m = 0; m < mutations; m++)
        {
            var field = fields[random.Next(fields.Length)];
            switch (random.Next(9))
            {
                case 0: body[field] = AnyValue(random, 0); break;
                case 1: body.Remove(field); break;
                case 2: body["features"] = new JsonArray([.. Enumerable.Range(0, random.Next(1, 4)).Select(_ => AnyValue(random, 0))]); break;
                case 3: body[random.Next(2) == 0 ? field : field.ToUpperInvariant()] = Tricks[random.Next(Tricks.Length)]; break;
                case 4: body["features"] = new JsonArray(Tricks[random.Next(Tricks.Length)]); break;
                case 5: body[Word(random)] = AnyValue(random, 0); break;
                case 6: body[field] = Nest(random, AnyValue(random, 0), random.Next(1, 80)); break;
                case 7: body[field] = new string((char)random.Next(0, 0x3000), random.Next(1, 5) == 1 ? 70_000 : random.Next(0, 700)); break;
                default: break;
            }
        }
        var text = body.ToJsonString();
        switch (random.Next(8))
        {
            case 0: text = text[..random.Next(text.Length)]; break;
            case 1:
                var bytes = Encoding.UTF8.GetBytes(text);
                bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                text = Encoding.UTF8.GetString(bytes);
                break;
            case 2: text = text.Replace(":", "::", StringComparison.Ordinal); break;
            default: break;
        }
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/runs")
        {
            Content = new StringContent(text, Encoding.UTF8, random.Next(12) == 0 ? "text/plain" : "application/json"),
        };
        if (random.Next(12) != 0) request.Headers.Add("X-HilRig", "1");
        // A body over the limit is answered 413 before it is read to the end, and the server closes that connection
        // (Connection: close) while the client may still be sending: such a request gets a connection of its own,
        // so the next case does not land on one being torn down.
        if (text.Length > 60_000) request.Headers.ConnectionClose = true;
        return request;
    }

    private static HttpRequestMessage PathCase(Random random, List<string> queued)
    {
        string[] segments =
        [
            "api", "API", "Api", "runs", "RUNS", "..", "%2e%2e", "%2F", ".", "artifacts", "artifacts.zip", "live", "cancel", "login", "logout",
            "reports", "junit.xml", "run.log", "etc", "passwd", "index.html", "%20", "%C3%A9", "%E2%80%AE", new string('x', 300), "20260101-000000000-0123456789abcdef01234567",
        ];
        var parts = Enumerable.Range(0, random.Next(0, 7)).Select(_ => random.Next(5) == 0 && queued.Count > 0 ? queued[random.Next(queued.Count)] : segments[random.Next(segments.Length)]);
        var path = "/" + string.Join('/', parts);
        if (random.Next(4) == 0) path += random.Next(3) switch { 0 => "?since=abc", 1 => "?since=-5", _ => "?since=99999999999" };
        HttpMethod[] methods = [HttpMethod.Get, HttpMethod.Get, HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete, HttpMethod.Patch, HttpMethod.Head, HttpMethod.Options];
        var method = methods[random.Next(methods.Length)];
        var request = new HttpRequestMessage(method, path);
        if (method != HttpMethod.Get && method != HttpMethod.Head && random.Next(3) != 0)
        {
            request.Content = new StringContent(random.Next(2) == 0 ? "{}" : "{\"token\":\"x\"}", Encoding.UTF8, "application/json");
            request.Headers.Add("X-HilRig", "1");
        }
        return request;
    }

    private static JsonNode? AnyValue(Random random, int depth) => random.Next(depth > 2 ? 6 : 8) switch
    {
        0 => null,
        1 => JsonValue.Create(random.Next(3) switch { 0 => (double)random.NextInt64(), 1 => -1.5, _ => 1e300 }),
        2 => JsonValue.Create(random.Next(2) == 0),
        3 => JsonValue.Create(Tricks[random.Next(Tricks.Length)]),
        4 => JsonValue.Create(random.Next()),
        5 => JsonValue.Create(Word(random)),
        6 => new JsonArray([.. Enumerable.Range(0, random.Next(0, 3)).Select(_ => AnyValue(random, depth + 1))]),
        _ => new JsonObject { [Word(random)] = AnyValue(random, depth + 1) },
    };

    private static JsonNode? Nest(Random random, JsonNode? value, int depth)
    {
        for (var i = 0; i < depth; i++) value = random.Next(2) == 0 ? new JsonArray(value) : new JsonObject { ["a"] = value };
        return value;
    }

    private static string Word(Random random) =>
        new([.. Enumerable.Range(0, random.Next(1, 12)).Select(_ => (char)random.Next(random.Next(4) == 0 ? 0 : 'a', random.Next(4) == 0 ? 0x2000 : 'z'))]);

    private static string Shorten(string text) => text.Length > 300 ? text[..300] + $"... ({text.Length} chars)" : text;
}
