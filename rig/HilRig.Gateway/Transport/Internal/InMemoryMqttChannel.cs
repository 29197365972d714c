using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using MQTTnet.Channel;
using MQTTnet.Exceptions;

namespace HilRig.Gateway.Transport.Internal;

/// <summary>One end of an in-memory byte stream pair; MQTTnet's channel adapter frames packets on top.</summary>
internal sealed class InMemoryMqttChannel : IMqttChannel
{
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private int _closed;

    private InMemoryMqttChannel(PipeReader input, PipeWriter output, EndPoint local, EndPoint remote)
    {
        _input = input;
        _output = output;
        LocalEndPoint = local;
        RemoteEndPoint = remote;
    }

    /// <summary>Two connected ends: what one writes the other reads.</summary>
    public static (InMemoryMqttChannel Client, InMemoryMqttChannel Server) CreatePair(string nodeId, long connectionNumber)
    {
        var toServer = new Pipe(PipeOptions.Default);
        var toClient = new Pipe(PipeOptions.Default);
        var serverEnd = new DnsEndPoint(nodeId, 1883);
        var clientEnd = new DnsEndPoint($"mem-client-{connectionNumber}", 1);
        return (new InMemoryMqttChannel(toClient.Reader, toServer.Writer, clientEnd, serverEnd),
                new InMemoryMqttChannel(toServer.Reader, toClient.Writer, serverEnd, clientEnd));
    }

    public X509Certificate2 ClientCertificate => null!;

    public EndPoint RemoteEndPoint { get; }

    public EndPoint LocalEndPoint { get; }

    public bool IsSecureConnection => false;

    public Task ConnectAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task DisconnectAsync(CancellationToken cancellationToken)
    {
        Close();
        return Task.CompletedTask;
    }

    public async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        ReadResult result;
        try
        {
            result = await _input.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException)
        {
            return 0; // reader completed by Close: the end of the stream
        }
        var data = result.Buffer;
        if (result.IsCanceled || (data.IsEmpty && result.IsCompleted))
        {
            _input.AdvanceTo(data.Start);
            return 0;
        }
        var n = (int)Math.Min(count, data.Length);
        data.Slice(0, n).CopyTo(buffer.AsSpan(offset, n));
        _input.AdvanceTo(data.GetPosition(n));
        return n;
    }

    public async Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _closed) != 0) throw new MqttCommunicationException("in-memory channel closed");
        try
        {
            foreach (var segment in buffer)
            {
                _output.Write(segment.Span);
            }
            var flush = await _output.FlushAsync(cancellationToken).ConfigureAwait(false);
            if (flush.IsCompleted) throw new MqttCommunicationException("in-memory channel closed by the other end");
        }
        catch (InvalidOperationException ex)
        {
            throw new MqttCommunicationException(ex);
        }
    }

    public void Dispose() => Close();

    private void Close()
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0) return;
        // The peer reads the end of the stream; our own pending read returns 0.
        _output.Complete();
        _input.CancelPendingRead();
    }
}
