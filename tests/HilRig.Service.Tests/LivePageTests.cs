using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using HilRig.Service.Runs;
using Xunit;

namespace HilRig.Service.Tests;

/// <summary>
/// The live page in headless Chromium: a run queued over the API is shown with its state, its chips and
/// their modes and versions, its scenarios and its timeline. Chromium comes from `./setup.sh chromium`
/// (Debian's chromium package); without it the test is skipped and says so.
/// </summary>
public sealed partial class LivePageTests
{
    private static string? FindChromium() =>
        new[] { Environment.GetEnvironmentVariable("HILRIG_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" }
            .FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p));

    [Fact]
    public async Task The_page_shows_a_finished_run_with_its_chips_modes_versions_scenarios_and_timeline()
    {
        var chromium = FindChromium();
        Assert.SkipWhen(chromium is null, "Chromium is not installed here; ./setup.sh chromium installs it (Debian package chromium)");
        await using var service = await ServiceUnderTest.StartAsync();
        // The far-to-near upgrade: every chip ends on 1.1.0.
        var run = await service.QueueAsync(new RunRequest(["scenarios/HilRig.Scenarios/Features/chain-upgrade.feature:12"], null, null, 11));
        var ended = await service.WaitForEndAsync(run.Id, TimeSpan.FromMinutes(3));
        // The page is under test, not the scenario: on a loaded machine its strictest step ("no image byte was sent
        // twice") can fail when a chip is slow to acknowledge. The page must then show exactly that.
        Assert.True(ended.State is RunState.Passed or RunState.Failed, $"the run ended {ended.State}");
        var state = ended.State == RunState.Passed ? "passed" : "failed";

        var dom = await DumpDomAsync(chromium!, new Uri(service.Host.Address, $"/?run={run.Id}"));

        Assert.Matches($"<section id=\"run\" data-run-id=\"{run.Id}\" data-state=\"{state}\"", dom);
        Assert.Contains($"<li data-run-id=\"{run.Id}\" data-state=\"{state}\"", dom, StringComparison.Ordinal);
        foreach (var chip in new[] { "chip1", "chip2", "chip3" })
        {
            // After the run the bench is powered off; each chip shows that and the version it ended on.
            var row = Regex.Match(dom, $"<tr data-chip=\"{chip}\" data-mode=\"([^\"]+)\">(.*?)</tr>");
            Assert.True(row.Success, $"no row for {chip} in the page");
            Assert.Equal("off", row.Groups[1].Value);
            Assert.Contains("<td>1.1.0</td>", row.Groups[2].Value, StringComparison.Ordinal);
        }
        Assert.Contains($"{(state == "passed" ? "PASSED" : "FAILED")} Multi-chip OTA upgrade over the UART chain: Every chip is upgraded far-to-near", dom, StringComparison.Ordinal);
        var timelineRows = TimelineRow().Matches(dom).Count;
        Assert.True(timelineRows > 50, $"the timeline shows {timelineRows} events");
        Assert.Contains("Complete 0x13-&gt;all", dom, StringComparison.Ordinal);
        Assert.Contains($"/api/runs/{run.Id}/artifacts/reports/junit.xml", dom, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_token_the_page_logs_in_once_and_its_artifact_links_download_with_the_cookie()
    {
        var chromium = FindChromium();
        Assert.SkipWhen(chromium is null, "Chromium is not installed here; ./setup.sh chromium installs it (Debian package chromium)");
        await using var service = await ServiceUnderTest.StartAsync(token: ServiceUnderTest.GoodToken);
        var run = await service.QueueAsync(new RunRequest([ServiceUnderTest.ShortScenario], null, null, 4));
        var ended = await service.WaitForEndAsync(run.Id, TimeSpan.FromMinutes(3));
        var state = ended.State.ToString().ToLowerInvariant();

        // Without the token the page shows its login and no run.
        var outside = await DumpDomAsync(chromium!, new Uri(service.Host.Address, $"/?run={run.Id}"));
        Assert.Matches("<body[^>]* data-login=\"needed\"", outside);
        Assert.DoesNotContain($"data-run-id=\"{run.Id}\"", outside, StringComparison.Ordinal);

        // /?token=... logs the page in (POST /api/login); from then on its fetches carry only the session cookie.
        var dom = await DumpDomAsync(chromium!, new Uri(service.Host.Address, $"/?run={run.Id}&token={ServiceUnderTest.GoodToken}"));
        Assert.DoesNotMatch("<body[^>]* data-login=\"needed\"", dom);
        Assert.Matches($"<section id=\"run\" data-run-id=\"{run.Id}\" data-state=\"{state}\"", dom);
        var link = Regex.Match(dom, $"<a href=\"(/api/runs/{run.Id}/artifacts/reports/junit.xml)\">");
        Assert.True(link.Success, "the page lists no junit.xml link");
        Assert.Contains($"href=\"/api/runs/{run.Id}/artifacts.zip\"", dom, StringComparison.Ordinal);

        // The links as the browser follows them: no Authorization header, the cookie of a login.
        using var browser = new HttpClient { BaseAddress = service.Host.Address };
        browser.DefaultRequestHeaders.Add("X-HilRig", "1");
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync(link.Groups[1].Value, Token)).StatusCode);
        var login = await browser.PostAsync("/api/login", new StringContent($"{{\"token\":\"{ServiceUnderTest.GoodToken}\"}}", System.Text.Encoding.UTF8, "application/json"), Token);
        Assert.Equal(HttpStatusCode.OK, login.StatusCode);
        browser.DefaultRequestHeaders.Add("Cookie", login.Headers.GetValues("Set-Cookie").Single().Split(';')[0]);
        var junit = await browser.GetAsync(link.Groups[1].Value, Token);
        Assert.Equal(HttpStatusCode.OK, junit.StatusCode);
        Assert.Contains("<testsuite", await junit.Content.ReadAsStringAsync(Token), StringComparison.Ordinal);
        // An artifact runs sandboxed: an HTML or SVG report cannot use the page's login.
        Assert.StartsWith("sandbox", junit.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
        var zip = await browser.GetAsync($"/api/runs/{run.Id}/artifacts.zip", Token);
        Assert.Equal(HttpStatusCode.OK, zip.StatusCode);
        using var archive = new System.IO.Compression.ZipArchive(await zip.Content.ReadAsStreamAsync(Token));
        Assert.Contains(archive.Entries, e => e.FullName == $"{run.Id}/reports/junit.xml");
    }

    private static CancellationToken Token => TestContext.Current.CancellationToken;

    private static async Task<string> DumpDomAsync(string chromium, Uri url)
    {
        var profile = Directory.CreateTempSubdirectory("hilrig-chromium-").FullName;
        try
        {
            var info = new ProcessStartInfo(chromium)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            // Virtual time lets the page's fetches and its first refresh complete before the DOM is dumped.
            foreach (var a in new[] { "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", $"--user-data-dir={profile}",
                         "--virtual-time-budget=5000", "--dump-dom", url.ToString() })
            {
                info.ArgumentList.Add(a);
            }
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(90));
            await process.WaitForExitAsync(timeout.Token);
            var dom = await stdout;
            Assert.True(dom.Contains("<section id=\"run\"", StringComparison.Ordinal), $"Chromium printed no page (exit {process.ExitCode}): {await stderr}");
            return dom;
        }
        finally
        {
            Directory.Delete(profile, recursive: true);
        }
    }

    [GeneratedRegex("<div data-index=\"\\d+\" data-kind=")]
    private static partial Regex TimelineRow();
}
