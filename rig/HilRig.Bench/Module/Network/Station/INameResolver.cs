using System.Net;

namespace HilRig.Bench.Module.Network.Station;

/// <summary>How the module turns the host name of an access config into the address it connects to.</summary>
public interface INameResolver
{
    /// <summary>
    /// The address of <paramref name="host"/> (an IP literal is itself); throws <see cref="StationException"/> with one
    /// line ("name X does not resolve at DNS server Y") when it has none.
    /// </summary>
    Task<IPAddress> ResolveAsync(string host, CancellationToken cancellationToken);
}

/// <summary>A station that cannot do what was asked (no udhcpc, no lease, a name without an address); the message is one line.</summary>
public sealed class StationException(string message) : Exception(message);
