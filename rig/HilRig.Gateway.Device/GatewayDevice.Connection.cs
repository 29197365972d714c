using HilRig.Protocol.Cloud;
using MQTTnet;
using MQTTnet.Protocol;

namespace HilRig.Gateway.Device;

/// <summary>Connecting, moving between nodes and reconnecting.</summary>
public sealed partial class GatewayDevice
{
    private async Task SwitchAsync(DeviceChannel old)
    {
        await _switchLock.WaitAsync(_stop.Token).ConfigureAwait(false);
        try
        {
            Task drained;
            lock (_gate)
            {
                if (old != _current || _stop.IsCancellationRequested) return;
                _switching = true; // commands received from now on wait in the local queue
                _inFlightDone = _inFlight == 0 ? null : new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                drained = _inFlightDone?.Task ?? Task.CompletedTask;
            }
            // 1. Finish the commands in flight; their replies still go out on the old channel.
            await drained.WaitAsync(_stop.Token).ConfigureAwait(false);
            // 2. Ask for a new address and connect to it.
            var next = await ConnectLoopAsync(old, _stop.Token).ConfigureAwait(false);
            BecomeCurrent(next);
            // 3. Only now close the old channel.
            if (next != old)
            {
                _sink(_source, "connect", $"{DeviceId} connected to {next.NodeId}, subscribed to its commands");
                await CloseAsync(old).ConfigureAwait(false);
                _sink(_source, "close", $"{DeviceId} closed its channel to {old.NodeId}");
                OldChannelClosed?.Invoke(old.NodeId);
            }
            Interlocked.Increment(ref _switches);
            _sink(_source, "switch", $"{DeviceId} moved from {old.NodeId} to {next.NodeId}");
            Switched?.Invoke(old.NodeId, next.NodeId);
            await AfterChannelChangeAsync(next).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        finally
        {
            _switchLock.Release();
        }
    }

    private async Task ReconnectAsync(DeviceChannel lost)
    {
        try
        {
            await _switchLock.WaitAsync(_stop.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        try
        {
            lock (_gate)
            {
                if (lost != _current || _stop.IsCancellationRequested) return;
                _switching = true;
            }
            _sink(_source, "reconnect", $"{DeviceId} lost its channel to {lost.NodeId}; asking for an address");
            var next = await ConnectLoopAsync(null, _stop.Token).ConfigureAwait(false);
            BecomeCurrent(next);
            lost.Client.Dispose();
            Interlocked.Increment(ref _switches);
            Switched?.Invoke(lost.NodeId, next.NodeId);
            await AfterChannelChangeAsync(next).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        finally
        {
            _switchLock.Release();
        }
    }

    /// <summary>
    /// Makes <paramref name="next"/> the current channel. A channel the node closed between its SUBACK and this moment was not
    /// current when its disconnect arrived (so nobody reacted): it is replaced now, like any lost channel.
    /// </summary>
    private void BecomeCurrent(DeviceChannel next)
    {
        lock (_gate) _current = next;
        if (!next.IsConnected && !next.ClosingByDevice && !_stop.IsCancellationRequested) _ = Task.Run(() => ReconnectAsync(next));
    }

    /// <summary>Runs what waited, sends kept replies, and follows an offline instruction that came while connecting.</summary>
    private async Task AfterChannelChangeAsync(DeviceChannel channel)
    {
        List<CommandReply> replies;
        lock (_gate)
        {
            foreach (var command in _localQueue)
            {
                if (!_results.ContainsKey(command.CommandId)) StartLocked(command);
            }
            _localQueue.Clear();
            _switching = false;
            replies = [.. _outbox];
            _outbox.Clear();
        }
        foreach (var reply in replies) await SendReplyAsync(reply).ConfigureAwait(false);
        if (channel.Offline is not null) _ = Task.Run(() => SwitchAsync(channel));
    }

    /// <summary>Asks the master gateway until a node is assigned and connected. <paramref name="keep"/> is reused when the master names its node again.</summary>
    private async Task<DeviceChannel> ConnectLoopAsync(DeviceChannel? keep, CancellationToken cancellationToken)
    {
        var backoffMs = Options.ReconnectBackoffMs;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            AddressAnswer answer;
            try
            {
                answer = await (AddressVia ?? _master).RequestAddressAsync(Options.AddressRequest(), cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                _sink(_source, "error", $"{DeviceId}: master gateway unreachable ({ex.Message})");
                answer = new AddressAnswer("retry", RetryAfterMs: backoffMs);
            }
            if (!answer.IsAssigned)
            {
                if (answer.Status != "retry") _sink(_source, "error", $"{DeviceId}: master gateway answered '{answer.Status}'");
                await Task.Delay(answer.RetryAfterMs ?? backoffMs, cancellationToken).ConfigureAwait(false);
                backoffMs = Math.Min(backoffMs * 2, Options.ReconnectBackoffMaxMs);
                continue;
            }
            if (keep is { IsConnected: true } && keep.NodeId == answer.NodeId)
            {
                // Sent back to the node it is on (the upgrade was rolled back): stay, and say so by subscribing again.
                keep.Offline = null;
                await SubscribeAsync(keep.Client, cancellationToken).ConfigureAwait(false);
                return keep;
            }
            try
            {
                return await OpenChannelAsync(answer.NodeId!, answer.Address!, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                _sink(_source, "error", $"{DeviceId}: connecting to {answer.NodeId} at {answer.Address} failed: {ex.Message}");
                await _master.ReportConnectFailedAsync(DeviceId, answer.NodeId!, cancellationToken).ConfigureAwait(false);
                await Task.Delay(backoffMs, cancellationToken).ConfigureAwait(false);
                backoffMs = Math.Min(backoffMs * 2, Options.ReconnectBackoffMaxMs);
            }
        }
    }

    private async Task<DeviceChannel> OpenChannelAsync(string nodeId, string address, CancellationToken cancellationToken)
    {
        var builder = new MqttClientOptionsBuilder().WithClientId(DeviceId).WithCredentials(DeviceId, Options.Password)
            .WithKeepAlivePeriod(Options.KeepAlive).WithCleanSession().WithTimeout(TimeSpan.FromSeconds(30));
        if (!_transport.TryTarget(builder, address)) throw new InvalidOperationException($"the {_transport.Name} transport cannot reach '{address}'");
        var client = _transport.CreateClient();
        var channel = new DeviceChannel(nodeId, address, client);
        client.ApplicationMessageReceivedAsync += e => OnMessageAsync(channel, e);
        client.DisconnectedAsync += e => OnDisconnectedAsync(channel);
        try
        {
            var result = await client.ConnectAsync(builder.Build(), cancellationToken).ConfigureAwait(false);
            if (result.ResultCode != MqttClientConnectResultCode.Success) throw new InvalidOperationException($"CONNACK {result.ResultCode}");
            await SubscribeAsync(client, cancellationToken).ConfigureAwait(false);
            return channel;
        }
        catch
        {
            channel.ClosingByDevice = true;
            client.Dispose();
            throw;
        }
    }

    private async Task SubscribeAsync(IMqttClient client, CancellationToken cancellationToken)
    {
        // Offline first: the node treats the command subscription as "ready" and may drain the device at once.
        var options = new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(GatewayTopics.Offline(DeviceId), MqttQualityOfServiceLevel.AtLeastOnce)
            .WithTopicFilter(GatewayTopics.Command(DeviceId), MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        var result = await client.SubscribeAsync(options, cancellationToken).ConfigureAwait(false);
        var refused = result.Items.FirstOrDefault(i => i.ResultCode > MqttClientSubscribeResultCode.GrantedQoS2);
        if (refused is not null) throw new InvalidOperationException($"subscription to '{refused.TopicFilter.Topic}' refused: {refused.ResultCode}");
    }

    private async Task CloseAsync(DeviceChannel channel)
    {
        channel.ClosingByDevice = true;
        try
        {
            if (channel.IsConnected)
            {
                await channel.Client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (Exception ex)
        {
            _sink(_source, "error", $"{DeviceId}: closing the channel to {channel.NodeId} failed: {ex.Message}");
        }
        channel.Client.Dispose();
    }

    private Task OnDisconnectedAsync(DeviceChannel channel)
    {
        if (channel.ClosingByDevice || _stop.IsCancellationRequested) return Task.CompletedTask;
        bool current;
        lock (_gate) current = channel == _current;
        if (current) _ = Task.Run(() => ReconnectAsync(channel));
        return Task.CompletedTask;
    }
}
