using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using HilRig.Service.Runs;
using Xunit;

namespace HilRig.Service.Tests;

/// <summary>
/// The holes issue 16 found in the service, each tried with a real HTTP client against the started service and
/// now refused, and the legitimate use beside it working.
/// </summary>
public sealed partial class AccessGateTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    // A run that is queued at once and ends fast: no scenario has this tag.
    private static readonly RunRequest Harmless = new([ServiceUnderTest.ShortScenario], "@no-such-tag-in-any-feature", null, 1);

    [Fact]
    public async Task Paths_in_any_letter_case_need_the_token()
    {
        await using var service = await ServiceUnderTest.StartAsync(token: ServiceUnderTest.GoodToken);
        using var anonymous = Anonymous(service);

        foreach (var path in new[] { "/API/runs", "/Api/Runs", "/api/RUNS", "/API/runs/x/artifacts.zip", "/api/runs/", "/api//runs" })
        {
            var response = await anonymous.GetAsync(path, Token);
            Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"GET {path} answered {(int)response.StatusCode}");
            Assert.Contains("Authorization: Bearer", await ErrorOf(response), StringComparison.Ordinal);
        }
        var post = await anonymous.PostAsync("/API/runs", Json(Harmless), Token);
        Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
        Assert.Empty(service.Host.Runs.All());
        // The token opens every spelling, as routing matches them.
        Assert.Equal(HttpStatusCode.OK, (await service.Http.GetAsync("/API/runs", Token)).StatusCode);
    }

    [Theory]
    [InlineData("evil.example")]
    [InlineData("evil.example:{port}")]
    [InlineData("127.0.0.1.nip.io:{port}")]
    [InlineData("localhost:1")]
    public async Task A_host_header_that_is_not_the_service_is_refused(string host)
    {
        await using var service = await ServiceUnderTest.StartAsync();
        var port = service.Host.Address.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);

        foreach (var (method, path) in new[] { (HttpMethod.Get, "/"), (HttpMethod.Get, "/api/runs"), (HttpMethod.Post, "/api/runs") })
        {
            using var request = new HttpRequestMessage(method, path) { Content = method == HttpMethod.Post ? Json(Harmless) : null };
            request.Headers.Host = host.Replace("{port}", port, StringComparison.Ordinal);
            var response = await service.Http.SendAsync(request, Token);

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Contains("is not a name of this service", await ErrorOf(response), StringComparison.Ordinal);
        }
        Assert.Empty(service.Host.Runs.All());
    }

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("localhost")]
    [InlineData("LocalHost")]
    public async Task The_loopback_names_with_the_port_are_served(string name)
    {
        await using var service = await ServiceUnderTest.StartAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/runs");
        request.Headers.Host = $"{name}:{service.Host.Address.Port}";

        Assert.Equal(HttpStatusCode.OK, (await service.Http.SendAsync(request, Token)).StatusCode);
    }

    [Fact]
    public async Task A_cross_site_form_or_simple_post_cannot_cancel_or_queue_a_run()
    {
        await using var service = await ServiceUnderTest.StartAsync();
        var run = await service.QueueAsync(Harmless);
        using var browser = Anonymous(service);

        // What an HTML form on another site can send: a urlencoded or text/plain body and no custom header.
        var form = await browser.PostAsync($"/api/runs/{run.Id}/cancel", new FormUrlEncodedContent([]), Token);
        Assert.Equal(HttpStatusCode.Forbidden, form.StatusCode);
        Assert.Contains("X-HilRig: 1", await ErrorOf(form), StringComparison.Ordinal);
        var plain = await browser.PostAsync("/api/runs", new StringContent("{}", Encoding.UTF8, "text/plain"), Token);
        Assert.Equal(HttpStatusCode.Forbidden, plain.StatusCode);
        // The header alone is not enough: the body must be JSON too.
        using var headerOnly = new HttpRequestMessage(HttpMethod.Post, "/api/runs") { Content = new StringContent("{}", Encoding.UTF8, "text/plain") };
        headerOnly.Headers.Add("X-HilRig", "1");
        var wrongType = await browser.SendAsync(headerOnly, Token);
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, wrongType.StatusCode);
        Assert.Contains("Content-Type: application/json", await ErrorOf(wrongType), StringComparison.Ordinal);
        Assert.Single(service.Host.Runs.All());
        Assert.NotEqual(RunState.Cancelled, service.Host.Runs.Get(run.Id)!.State);

        // The legitimate client: header and JSON.
        var cancel = await service.Http.PostAsync($"/api/runs/{run.Id}/cancel", Json(new { }), Token);
        Assert.True(cancel.StatusCode is HttpStatusCode.Accepted or HttpStatusCode.Conflict, $"cancel answered {(int)cancel.StatusCode}");
    }

    [Fact]
    public async Task Run_ids_carry_a_time_prefix_and_96_random_bits()
    {
        await using var service = await ServiceUnderTest.StartAsync();
        var first = await service.QueueAsync(Harmless);
        var second = await service.QueueAsync(Harmless);

        Assert.Matches(RunId(), first.Id);
        Assert.Matches(RunId(), second.Id);
        Assert.NotEqual(first.Id[^24..], second.Id[^24..]);
        Assert.True(string.CompareOrdinal(first.Id[..18], second.Id[..18]) <= 0, "ids sort by time");
        foreach (var id in new[] { first.Id, second.Id }) await service.Http.PostAsync($"/api/runs/{id}/cancel", Json(new { }), Token);
    }

    [Fact]
    public async Task The_page_logs_in_with_the_token_and_its_cookie_opens_the_api()
    {
        await using var service = await ServiceUnderTest.StartAsync(token: ServiceUnderTest.GoodToken);
        // What the page sends: no Authorization, the X-HilRig header on its POSTs.
        using var anonymous = Anonymous(service, pageHeader: true);
        // The page is served (it holds no data and shows the login); the API is not.
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/", Token)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/runs", Token)).StatusCode);

        var wrong = await anonymous.PostAsync("/api/login", Json(new { token = "not-the-token-at-all" }), Token);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.False(wrong.Headers.Contains("Set-Cookie"));

        var login = await anonymous.PostAsync("/api/login", Json(new { token = ServiceUnderTest.GoodToken }), Token);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        var cookie = Assert.Single(login.Headers.GetValues("Set-Cookie"));
        Assert.Matches("^hilrig-session=[0-9a-f]{64};", cookie);
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);

        using var browser = Anonymous(service, pageHeader: true);
        browser.DefaultRequestHeaders.Add("Cookie", cookie.Split(';')[0]);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/api/runs", Token)).StatusCode);
        // A made-up session is not one.
        using var forger = Anonymous(service);
        forger.DefaultRequestHeaders.Add("Cookie", "hilrig-session=" + new string('a', 64));
        Assert.Equal(HttpStatusCode.Unauthorized, (await forger.GetAsync("/api/runs", Token)).StatusCode);

        // Logging out ends the session.
        await browser.PostAsync("/api/logout", Json(new { }), Token);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/api/runs", Token)).StatusCode);
    }

    [Theory]
    [InlineData("", "the token is empty or only whitespace")]
    [InlineData(" ", "the token is empty or only whitespace")]
    [InlineData("\t \n", "the token is empty or only whitespace")]
    [InlineData("s3cret", "the token has 6 characters; at least 16 are needed")]
    [InlineData("a-token-with a-space-inside", "the token holds whitespace or a control character")]
    public async Task A_token_that_protects_nothing_is_refused_at_start(string token, string problem)
    {
        var options = new ServeOptions { Port = 0, Token = token, RepositoryRoot = "/tmp", DefaultWiring = "/tmp/x.yaml", DataDirectory = "/tmp/d" };

        Assert.StartsWith(problem, options.Problem(), StringComparison.Ordinal);
        var refused = await Assert.ThrowsAsync<ArgumentException>(() => HilRig.Service.ServiceHost.StartAsync(options, Token));
        Assert.StartsWith(problem, refused.Message, StringComparison.Ordinal);
    }

    private static HttpClient Anonymous(ServiceUnderTest service, bool pageHeader = false)
    {
        var client = new HttpClient { BaseAddress = service.Host.Address, Timeout = TimeSpan.FromSeconds(30) };
        if (pageHeader) client.DefaultRequestHeaders.Add("X-HilRig", "1");
        return client;
    }

    private static StringContent Json(object value) => new(JsonSerializer.Serialize(value, ServiceUnderTest.Json), Encoding.UTF8, "application/json");

    private static async Task<string> ErrorOf(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(Token)).GetProperty("error").GetString()!;
    }

    [GeneratedRegex("^[0-9]{8}-[0-9]{9}-[0-9a-f]{24}$")]
    private static partial Regex RunId();
}
