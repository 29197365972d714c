using System.Globalization;
using System.Text.RegularExpressions;

namespace HilRig.Gateway.Cluster.Endpoints;

/// <summary>What the node learns from mosquitto's log lines: connects, granted subscriptions, refusals, disconnects.</summary>
internal sealed partial class MosquittoEndpoint
{
    private async Task LineLoopAsync()
    {
        await foreach (var line in _lines.Reader.ReadAllAsync().ConfigureAwait(false))
        {
            try
            {
                await OnLogLineAsync(line).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _sink(_source, "error", $"{_node.NodeId}: handling mosquitto's line '{line}' failed: {ex.GetType().Name}: {ex.Message}");
            }
        }
    }

    private async Task OnLogLineAsync(string line)
    {
        if (line == LostMarker)
        {
            var code = _process is { HasExited: true } p ? p.ExitCode.ToString(CultureInfo.InvariantCulture) : "?";
            _node.OnEndpointLost($"mosquitto exited on its own (code {code})");
            await ReportConnectedGoneAsync().ConfigureAwait(false);
            return;
        }
        line = TimestampPrefix().Replace(line, "");
        if (SubscribeLine().Match(line) is { Success: true } subscribed)
        {
            var subscriber = subscribed.Groups["id"].Value;
            if (subscriber != GatewayDeviceCredentials.BackendUser && _node.IsConnected(subscriber))
            {
                await _node.OnSubscribedAsync(subscriber, subscribed.Groups["topic"].Value).ConfigureAwait(false);
            }
            return;
        }
        _sink(_source, "mosquitto", line);
        if (ConnectedLine().Match(line) is { Success: true } connected)
        {
            var deviceId = connected.Groups["id"].Value;
            if (deviceId != GatewayDeviceCredentials.BackendUser) await OnDeviceConnectedAsync(deviceId).ConfigureAwait(false);
        }
        else if (NotAuthorisedLine().IsMatch(line))
        {
            _node.OnRefusedByBroker("not authorised by mosquitto (unknown device, wrong password, or its login disabled while the node does not accept)");
        }
        else if (MaxConnectionsLine().IsMatch(line))
        {
            _node.OnRefusedByBroker(string.Create(CultureInfo.InvariantCulture, $"mosquitto's max_connections ({_node.Capacity + 1}: capacity + the backend) reached"));
        }
        else if (DisconnectedLine().Match(line) is { Success: true } gone)
        {
            var deviceId = gone.Groups["id"].Value;
            if (deviceId == GatewayDeviceCredentials.BackendUser)
            {
                if (!_stopping) _sink(_source, "error", $"{_node.NodeId}: the backend client lost its connection to mosquitto");
                return;
            }
            if (!_node.IsConnected(deviceId)) return; // refused by the node: it never counted
            await _node.OnDisconnectedAsync(deviceId, clean: gone.Groups["how"].Value == "disconnected.").ConfigureAwait(false);
            if (_node.IsRunning) await DisableWhileNotAcceptingAsync(deviceId).ConfigureAwait(false);
        }
    }

    private async Task OnDeviceConnectedAsync(string deviceId)
    {
        var admission = _node.Admit(deviceId, password: null, authenticatedByBroker: true);
        if (admission == Admission.Admitted)
        {
            await _node.OnConnectedAsync(deviceId).ConfigureAwait(false);
            return;
        }
        // mosquitto let it in but the node would have refused it (it connected in the moment the node stopped accepting,
        // an injected fault, over capacity): end its connection; it stays disabled while the node does not accept.
        if (admission == Admission.NotAccepting) await DisableWhileNotAcceptingAsync(deviceId).ConfigureAwait(false);
        await KickAsync(deviceId).ConfigureAwait(false);
    }

    private async Task ReportConnectedGoneAsync()
    {
        foreach (var deviceId in _node.ConnectedDevices) await _node.OnDisconnectedAsync(deviceId, clean: false).ConfigureAwait(false);
    }

    [GeneratedRegex(@"^\d+: ")]
    private static partial Regex TimestampPrefix();

    [GeneratedRegex(@"^New client connected from \S+ as (?<id>\S+) \(")]
    private static partial Regex ConnectedLine();

    // "log_type subscribe": "<client id> <qos> <topic filter>", written for granted subscriptions only.
    [GeneratedRegex(@"^(?<id>\S+) [0-2] (?<topic>gw/\S+)$")]
    private static partial Regex SubscribeLine();

    [GeneratedRegex(@"^Client \S+ disconnected, not authori[sz]ed")]
    private static partial Regex NotAuthorisedLine();

    [GeneratedRegex(@"^Client connection from \S+ denied: max_connections exceeded")]
    private static partial Regex MaxConnectionsLine();

    // mosquitto 2.0.11: "disconnected." (DISCONNECT packet), the rest without one.
    [GeneratedRegex(@"^(?:Client (?<id>\S+) (?<how>disconnected\.|closed its connection\.|has exceeded timeout|been disconnected by administrative action|disconnected due to|disconnected:)|Socket error on client (?<id>\S+)(?<how>), disconnecting)")]
    private static partial Regex DisconnectedLine();
}
