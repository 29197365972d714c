using System.Diagnostics;
using Xunit;

namespace HilRig.Service.Tests;

/// <summary>
/// The Pi deployment builds: `dotnet publish rig/HilRig.Cli -c Release -r linux-arm64 --self-contained false`
/// (as rig/HilRig.Service/deploy/README.md says), into a temporary artifacts path so the checkout's own
/// bin/ and obj/ are not touched, and the systemd units travel with the published rig.
/// </summary>
public sealed class DeploymentTests
{
    [Fact]
    public async Task The_rig_publishes_for_linux_arm64_with_its_systemd_units()
    {
        var root = ServiceUnderTest.RepoRoot();
        var work = Directory.CreateTempSubdirectory("hilrig-publish-").FullName;
        try
        {
            var output = Path.Combine(work, "out");
            var info = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host) ? host : "dotnet")
            {
                WorkingDirectory = root,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var a in new[] { "publish", "rig/HilRig.Cli", "-c", "Release", "-r", "linux-arm64", "--self-contained", "false",
                         "-o", output, "--artifacts-path", Path.Combine(work, "artifacts"), "-nologo", "-v", "q" })
            {
                info.ArgumentList.Add(a);
            }
            info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
            // Not the test host's MSBuild settings: a clean publish as a person would run it.
            info.Environment.Remove("MSBuildExtensionsPath");
            info.Environment.Remove("MSBUILD_EXE_PATH");
            info.Environment.Remove("MSBuildSDKsPath");
            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
            var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
            timeout.CancelAfter(TimeSpan.FromMinutes(6));
            await process.WaitForExitAsync(timeout.Token);

            Assert.True(process.ExitCode == 0, $"dotnet publish failed ({process.ExitCode}):\n{await stdout}\n{await stderr}");
            Assert.True(File.Exists(Path.Combine(output, "hilrig.dll")));
            // The bench's node launcher, started as `dotnet exec hilrig-node.dll` (NodeExecutable), travels with it.
            Assert.True(File.Exists(Path.Combine(output, "hilrig-node.dll")) && File.Exists(Path.Combine(output, "hilrig-node.runtimeconfig.json")), "hilrig-node is not in the publish output");
            var runtimeConfig = await File.ReadAllTextAsync(Path.Combine(output, "hilrig.runtimeconfig.json"), TestContext.Current.CancellationToken);
            Assert.Contains("Microsoft.AspNetCore.App", runtimeConfig, StringComparison.Ordinal);
            // The apphost is an arm64 ELF: e_machine 0xB7 (AArch64) at offset 18.
            var apphost = await File.ReadAllBytesAsync(Path.Combine(output, "hilrig"), TestContext.Current.CancellationToken);
            Assert.Equal("\u007fELF", System.Text.Encoding.ASCII.GetString(apphost, 0, 4));
            Assert.Equal(0xB7, BitConverter.ToUInt16(apphost, 18));
            foreach (var unit in new[] { "hilrig.service", "hilrig-nightly.service", "hilrig-nightly.timer" })
            {
                Assert.True(File.Exists(Path.Combine(output, "deploy", unit)), $"deploy/{unit} is not published with the rig");
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }
}
