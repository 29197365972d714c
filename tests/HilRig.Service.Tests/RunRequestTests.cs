using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using HilRig.Service.Runs;
using Xunit;

namespace HilRig.Service.Tests;

/// <summary>
/// Wrong input to POST /api/runs and the run paths: a 400 (413 for a huge body, 404 for an unknown run) that names the
/// field and what was wrong, never a 500, never the machine's absolute paths; features confined to scenarios/ and
/// wiring to wiring/ of the checkout, symlinks included; the reproduce line safe to paste into a shell.
/// </summary>
public sealed class RunRequestTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("{\"features\":[null]}", "features[0]: null is not a feature path; give a file or folder under scenarios/")]
    [InlineData("{\"features\":[\"scenarios/HilRig.Scenarios/Features/chain-upgrade.feature\", 5]}", "features[1]: a feature path (a string) is expected, not a number")]
    [InlineData("{\"features\":\"scenarios\"}", "features: a list of feature paths is expected, not a string")]
    [InlineData("{\"seed\":\"7\"}", "seed: a whole number from -2147483648 to 2147483647 is expected, not a string")]
    [InlineData("{\"seed\":1e40}", "seed: a whole number from -2147483648 to 2147483647 is expected, not a number that is not whole or out of range")]
    [InlineData("{\"tags\":[\"@sim\"]}", "tags: a string is expected, not a list")]
    [InlineData("{\"wiring\":{}}", "wiring: a string is expected, not an object")]
    [InlineData("{\"feature\":[]}", "body: unknown field 'feature'; the fields are features, tags, wiring, seed")]
    [InlineData("[]", "body: a JSON object such as")]
    [InlineData("null", "body: a JSON object such as")]
    [InlineData("not json", "body: not valid JSON at line 1, byte 2")]
    [InlineData("{\"features\":[", "body: not valid JSON at line 1")]
    [InlineData("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", "body: nested deeper than a run request ever is")]
    [InlineData("", "body: empty; send a JSON object such as")]
    [InlineData("{\"tags\":\"@sim\\u0000\"}", "tags: holds a control character")]
    [InlineData("{\"tags\":\"--out=/etc\"}", "tags: a tag expression starts with @, not, or (")]
    [InlineData("{\"features\":[\"scenarios/HilRig.Scenarios/Features/chain-upgrade.feature:99999\"]}", "features[0]: 'scenarios/HilRig.Scenarios/Features/chain-upgrade.feature:99999': line 99999 is outside scenarios/HilRig.Scenarios/Features/chain-upgrade.feature, which has ")]
    [InlineData("{\"features\":[\"scenarios/HilRig.Scenarios/Features/chain-upgrade.feature:0\"]}", "features[0]: 'scenarios/HilRig.Scenarios/Features/chain-upgrade.feature:0': line 0 is outside")]
    [InlineData("{\"features\":[\"scenarios/../wiring/sim-chain.yaml\"]}", "features[0]: 'scenarios/../wiring/sim-chain.yaml' is not a feature file or folder under scenarios/ of this checkout")]
    [InlineData("{\"features\":[\"rig/HilRig.Service/README.md\"]}", "features[0]: 'rig/HilRig.Service/README.md' is not a feature file or folder under scenarios/ of this checkout")]
    [InlineData("{\"features\":[\"scenarios/README.md\"]}", "features[0]: 'scenarios/README.md' is not a .feature file")]
    [InlineData("{\"features\":[\"/etc/passwd\"]}", "features[0]: an absolute path is not accepted")]
    [InlineData("{\"wiring\":\"/etc/passwd\"}", "wiring: an absolute path is not accepted")]
    [InlineData("{\"wiring\":\"scenarios/HilRig.Scenarios/Features/chain-upgrade.feature\"}", "wiring: 'scenarios/HilRig.Scenarios/Features/chain-upgrade.feature' is not a wiring file under wiring/ of this checkout")]
    public async Task A_wrong_request_is_a_400_naming_the_field(string body, string error)
    {
        await using var service = await ServiceUnderTest.StartAsync();

        var response = await service.Http.PostAsync("/api/runs", new StringContent(body, Encoding.UTF8, "application/json"), Token);

        var answer = await response.Content.ReadAsStringAsync(Token);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {answer}");
        Assert.StartsWith(error, JsonDocument.Parse(answer).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(service.Host.Runs.Options.RepositoryRoot, answer, StringComparison.Ordinal);
        Assert.Empty(service.Host.Runs.All());
    }

    [Fact]
    public async Task A_huge_body_is_refused_with_413_and_an_unknown_run_with_404()
    {
        await using var service = await ServiceUnderTest.StartAsync();

        var huge = "{\"tags\":\"" + new string('a', 1_000_000) + "\"}";
        var response = await service.Http.PostAsync("/api/runs", new StringContent(huge, Encoding.UTF8, "application/json"), Token);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.StartsWith("body: larger than 65536 bytes", (await response.Content.ReadFromJsonAsync<JsonElement>(Token)).GetProperty("error").GetString(), StringComparison.Ordinal);

        foreach (var path in new[] { "/api/runs/nope", "/api/runs/nope/live", "/api/runs/nope/artifacts", "/api/runs/nope/artifacts.zip", "/api/runs/nope/artifacts/run.log" })
        {
            var missing = await service.Http.GetAsync(path, Token);
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            Assert.Equal("no run 'nope'", (await missing.Content.ReadFromJsonAsync<JsonElement>(Token)).GetProperty("error").GetString());
        }
        var cancel = await service.Http.PostAsync("/api/runs/nope/cancel", JsonContent.Create(new { }), Token);
        Assert.Equal(HttpStatusCode.NotFound, cancel.StatusCode);
        var noSuchPath = await service.Http.GetAsync("/api/nothing-here", Token);
        Assert.Equal(HttpStatusCode.NotFound, noSuchPath.StatusCode);
        Assert.StartsWith("no such path: GET /api/nothing-here", (await noSuchPath.Content.ReadFromJsonAsync<JsonElement>(Token)).GetProperty("error").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"features\":[\"scenarios/escape/secret.feature\"]}", "features[0]: 'scenarios/escape/secret.feature' is not a feature file or folder under scenarios/ of this checkout")]
    [InlineData("{\"features\":[\"scenarios/escape\"]}", "features[0]: 'scenarios/escape' is not a feature file or folder under scenarios/ of this checkout")]
    [InlineData("{\"wiring\":\"wiring/escape.yaml\"}", "wiring: 'wiring/escape.yaml' is not a wiring file under wiring/ of this checkout")]
    [InlineData("{\"features\":[\"scenarios/Features/short.feature:8\"]}", "features[0]: 'scenarios/Features/short.feature:8': line 8 is outside scenarios/Features/short.feature, which has 7 lines")]
    public async Task A_symlink_out_of_its_folder_or_a_line_past_the_end_is_refused(string body, string error)
    {
        using var checkout = new TempCheckout();
        await using var service = await ServiceUnderTest.StartAsync(root: checkout.Root);

        var response = await service.Http.PostAsync("/api/runs", new StringContent(body, Encoding.UTF8, "application/json"), Token);

        var answer = await response.Content.ReadAsStringAsync(Token);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode}: {answer}");
        Assert.Equal(error, JsonDocument.Parse(answer).RootElement.GetProperty("error").GetString());
        Assert.DoesNotContain(checkout.Root, answer, StringComparison.Ordinal);
        Assert.DoesNotContain(checkout.Outside, answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wiring_error_names_the_file_relative_to_the_checkout()
    {
        using var checkout = new TempCheckout();
        File.WriteAllText(Path.Combine(checkout.Root, "wiring", "broken.yaml"), "bench: broken\nkind: sideways\n");
        await using var service = await ServiceUnderTest.StartAsync(root: checkout.Root);

        var response = await service.Http.PostAsync("/api/runs", new StringContent("{\"wiring\":\"wiring/broken.yaml\"}", Encoding.UTF8, "application/json"), Token);

        var answer = await response.Content.ReadAsStringAsync(Token);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.StartsWith("wiring: wiring/broken.yaml:", JsonDocument.Parse(answer).RootElement.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(checkout.Root, answer, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_reproduce_line_pasted_into_a_shell_runs_exactly_its_words()
    {
        await using var service = await ServiceUnderTest.StartAsync();
        const string tags = "@sim and not @\"$(touch pwned)\" and not @'`touch pwned2`' and not @it's";
        var run = await service.QueueAsync(new RunRequest([ServiceUnderTest.ShortScenario], tags, null, 5));
        await service.Http.PostAsync($"/api/runs/{run.Id}/cancel", JsonContent.Create(new { }), Token);

        string[] expected = ["dotnet", "run", "--project", "rig/HilRig.Cli", "--", "run", ServiceUnderTest.ShortScenario, "--wiring", "wiring/sim-chain.yaml", "--seed", "5", "--tags", tags];
        var work = Directory.CreateTempSubdirectory("hilrig-paste-").FullName;
        try
        {
            // The line after "printf '%s\0'": the shell prints each word it parsed, NUL-terminated, and runs nothing else.
            var info = new ProcessStartInfo("/bin/sh") { WorkingDirectory = work, RedirectStandardOutput = true, UseShellExecute = false };
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add("printf '%s\\0' " + run.Reproduce);
            using var shell = Process.Start(info)!;
            var output = await shell.StandardOutput.ReadToEndAsync(Token);
            await shell.WaitForExitAsync(Token);

            Assert.Equal(expected, output.TrimEnd('\0').Split('\0'));
            Assert.Empty(Directory.EnumerateFileSystemEntries(work));
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
