using HilRig.Service.Runs;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace HilRig.Service.Tests;

/// <summary>
/// The restart side of a killed service: a run whose record still says Running (the service died under it) is
/// shown Interrupted, with a message saying what was done to its bench, which is driven to its safe state.
/// </summary>
public sealed class RunRecoveryTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_run_left_running_is_interrupted_at_start_and_its_hardware_bench_is_powered_off()
    {
        using var checkout = new TempCheckout();
        // A hardware bench whose power lines are commands that write what they are told to a log.
        var power = Path.Combine(checkout.Root, "wiring", "power");
        File.WriteAllText(power, "#!/bin/sh\necho \"$@\" >> \"$(dirname \"$0\")/power.log\"\n");
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(power, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.WriteAllText(Path.Combine(checkout.Root, "wiring", "recovery.yaml"), """
            bench: recovery-test
            kind: hardware
            module: { kind: rig }
            chips:
              - name: chip1
                model_id: 0x11
                factory_image: ../firmware-images/images/chip-11-v1.0.0.hrim
                power: { kind: command, on: ./power on chip1, off: ./power off chip1 }
              - name: chip2
                model_id: 0x12
                factory_image: ../firmware-images/images/chip-12-v1.0.0.hrim
                power: { kind: command, on: ./power on chip2, off: ./power off chip2 }
            links:
              - { from: module, to: chip1, baud: 115200, rig: relay, far: ./tty-chip1 }
              - { from: chip1, to: chip2, baud: 115200, rig: relay, near: ./tty-chip1-out, far: ./tty-chip2 }
            """);
        var data = Directory.CreateTempSubdirectory("hilrig-serve-recovery-").FullName;
        try
        {
            // The bench's lock is taken in the default lock directory: its name is this test's own.
            var store = new RunStore(data);
            var lost = Record("20260101-000000000-0123456789abcdef01234567", "wiring/recovery.yaml", "recovery-test");
            var virtualLost = Record("20260101-000000001-0123456789abcdef01234567", "wiring/sim-chain.yaml", "sim-chain");
            store.Save(lost);
            store.Save(virtualLost);
            store.Save(Record("20260101-000000002-0123456789abcdef01234567", "wiring/sim-chain.yaml", "sim-chain") with { State = RunState.Queued });

            var manager = new RunManager(Options(checkout, data), NullLogger<RunManager>.Instance);
            await manager.StartAsync(Token);
            try
            {
                var run = manager.Get(lost.Id)!;
                Assert.Equal(RunState.Interrupted, run.State);
                Assert.NotNull(run.EndedAt);
                Assert.StartsWith("interrupted: the service was killed or crashed while this run was running; bench 'recovery-test' powered off:", run.Message, StringComparison.Ordinal);
                Assert.Equal(["off chip1", "off chip2"], (await File.ReadAllLinesAsync(Path.Combine(checkout.Root, "wiring", "power.log"), Token)).Order());

                var virtualRun = manager.Get(virtualLost.Id)!;
                Assert.Equal(RunState.Interrupted, virtualRun.State);
                Assert.EndsWith("bench 'sim-chain' is virtual: its nodes were processes of the run and ended with it, nothing to power off", virtualRun.Message, StringComparison.Ordinal);

                // A run that never started is not interrupted, and not a failure either.
                Assert.Equal(RunState.Cancelled, manager.Get("20260101-000000002-0123456789abcdef01234567")!.State);
                // And it is on disk, so a second restart neither powers the bench again nor changes the record.
                Assert.Contains("\"state\": \"Interrupted\"", await File.ReadAllTextAsync(Path.Combine(data, lost.Id, "run.json"), Token), StringComparison.Ordinal);
            }
            finally
            {
                await manager.StopAsync(Token);
            }
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private static ServeOptions Options(TempCheckout checkout, string data) => new()
    {
        Port = 0,
        RepositoryRoot = checkout.Root,
        DefaultWiring = checkout.DefaultWiring,
        DataDirectory = data,
        RunProgram = HilRig.Cli.HilrigExecutable.Resolve(),
    };

    private static RunRecord Record(string id, string wiring, string bench) => new()
    {
        Id = id,
        Request = new RunRequest(["scenarios/Features/short.feature"], null, wiring, 1),
        Bench = bench,
        Wiring = wiring,
        Seed = 1,
        State = RunState.Running,
        QueuedAt = DateTimeOffset.Now,
        StartedAt = DateTimeOffset.Now,
    };
}
