using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using MQTTnet;

namespace HilRig.Servers.Mqtt;

/// <summary>
/// What every mosquitto the rig starts shares (a server's broker, an access node of the gateway cluster): a free
/// loopback port to write into its config, and the backend's first connection, retried until mosquitto listens.
/// </summary>
public static class MosquittoProcess
{
    /// <summary>How long mosquitto may take to open its port before the start counts as failed.</summary>
    public static readonly TimeSpan ListenDeadline = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A loopback port free right now. It is released before mosquitto binds it, so another socket can take it in
    /// between: mosquitto then exits at once, and the caller starts it again on another port.
    /// </summary>
    public static int FreeLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>
    /// Connects <paramref name="backend"/> once mosquitto listens. Throws <see cref="InvalidOperationException"/>
    /// naming <paramref name="what"/> when the process exits first or refuses the login.
    /// </summary>
    public static async Task ConnectBackendAsync(IMqttClient backend, MqttClientOptions options, Process process, string what, CancellationToken token)
    {
        var deadline = DateTimeOffset.UtcNow + ListenDeadline;
        while (true)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"{what} exited with code {process.ExitCode} before it listened (see its lines on the timeline)");
            }
            try
            {
                var result = await backend.ConnectAsync(options, token).ConfigureAwait(false);
                if (result.ResultCode == MqttClientConnectResultCode.Success)
                {
                    return;
                }
                throw new InvalidOperationException($"{what} refused the backend user: CONNACK {result.ResultCode}");
            }
            catch (Exception ex) when (ex is MQTTnet.Exceptions.MqttCommunicationException or SocketException && DateTimeOffset.UtcNow < deadline)
            {
                // Not listening yet: mosquitto takes a few milliseconds to open its port.
                await Task.Delay(50, token).ConfigureAwait(false);
            }
        }
    }
}
