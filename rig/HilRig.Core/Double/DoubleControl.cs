using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace HilRig.Core.Double;

/// <summary>
/// The double's power supply, current meter and flasher, as commands a wiring file can name: a script
/// <c>bench</c> in the double's folder (<c>bench on chip1</c>, <c>off</c>, <c>status</c>, <c>current</c>,
/// <c>program</c>; <c>bench defects chip2 pass-through-drops-frames</c> flashes a defective build for the next power-on) that sends one line to this listener on loopback and prints its answer. Exit codes: 0 done (for
/// <c>status</c>: powered), 1 not powered (<c>status</c> only), 2 refused (the reason on stderr), 3 no double running.
/// </summary>
internal sealed class DoubleControl : IAsyncDisposable
{
    /// <summary>The script's file name in the double's folder.</summary>
    public const string ScriptName = "bench";

    /// <summary>The file the listener's port is written to.</summary>
    public const string PortFileName = "port";

    // bash's /dev/tcp needs nothing but bash; the port is read from the file the running double wrote.
    private const string Script = """
        #!/usr/bin/env bash
        # Written by `hilrig bench double`: the double's power, current and flasher commands, e.g. `bench off chip2`.
        # Exit 0: done (status: powered), 1: not powered, 2: refused, 3: no double is running for this folder.
        here=$(cd "$(dirname "$0")" && pwd)
        port=$(cat "$here/port" 2>/dev/null) || { echo "no bench double is running in $here" >&2; exit 3; }
        { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null || { echo "no bench double is running in $here (port $port refused)" >&2; exit 3; }
        printf '%s\n' "$*" >&3
        IFS= read -r reply <&3 || { echo "the bench double closed the connection" >&2; exit 3; }
        case "$reply" in
          "ok "*) echo "${reply#ok }"; exit 0 ;;
          ok) exit 0 ;;
          off) echo off; exit 1 ;;
          *) echo "${reply#error }" >&2; exit 2 ;;
        esac

        """;

    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly BenchDouble _bench;
    private readonly string _portFile;
    private Task? _accepting;

    private DoubleControl(BenchDouble bench, string directory)
    {
        _bench = bench;
        _portFile = Path.Combine(directory, PortFileName);
    }

    /// <summary>Listens, then writes the port file and the script.</summary>
    public static DoubleControl Start(BenchDouble bench, string directory)
    {
        var control = new DoubleControl(bench, directory);
        control._listener.Start();
        control._accepting = Task.Run(control.AcceptAsync);
        var port = ((IPEndPoint)control._listener.LocalEndpoint).Port;
        File.WriteAllText(control._portFile, port.ToString(CultureInfo.InvariantCulture));
        var script = Path.Combine(directory, ScriptName);
        File.WriteAllText(script, Script.Replace("\r\n", "\n", StringComparison.Ordinal));
        if (!OperatingSystem.IsWindows()) File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return control;
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            using var reader = new StreamReader(stream, Encoding.ASCII);
            using var writer = new StreamWriter(stream, new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
            var line = await reader.ReadLineAsync(_stop.Token).ConfigureAwait(false);
            await writer.WriteLineAsync(await AnswerAsync(line ?? "").ConfigureAwait(false)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    /// <summary>One request, one line of answer.</summary>
    internal async Task<string> AnswerAsync(string request)
    {
        var words = request.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length == 3 && words[0] == "defects" && _bench.Chips.Contains(words[1]))
        {
            var names = words[2] == "none" ? [] : words[2].Split(',');
            var unknown = names.FirstOrDefault(n => !HilRig.Bench.Chip.ChipDefects.ByName.ContainsKey(n));
            if (unknown is not null)
            {
                return $"error unknown chip defect '{unknown}' (known: {string.Join(", ", HilRig.Bench.Chip.ChipDefects.ByName.Keys)})";
            }
            _bench.SetDefects(words[1], names);
            return "ok";
        }
        if (words.Length != 2)
        {
            return "error usage: bench on|off|status|current|program CHIP, or bench defects CHIP NAME[,NAME..]|none";
        }
        var (verb, chip) = (words[0], words[1]);
        if (!_bench.Chips.Contains(chip))
        {
            return $"error no chip '{chip}' on this double (chips: {string.Join(", ", _bench.Chips)})";
        }
        switch (verb)
        {
            case "on":
            case "off":
                await _bench.SwitchAsync(chip, verb == "on", _stop.Token).ConfigureAwait(false);
                return "ok";
            case "status":
                return _bench.IsOn(chip) ? "ok on" : "off";
            case "current":
                return string.Create(CultureInfo.InvariantCulture, $"ok {_bench.CurrentMilliamps(chip):0.###}");
            case "program":
                return _bench.Program(chip) is { } refusal ? $"error {refusal}" : "ok";
            default:
                return $"error unknown command '{verb}' (on, off, status, current, program)";
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        if (_accepting is not null) await _accepting.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        try { File.Delete(_portFile); } catch (IOException) { }
        _stop.Dispose();
    }
}
