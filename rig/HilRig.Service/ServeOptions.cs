using System.Net;

namespace HilRig.Service;

/// <summary>How `hilrig serve` runs.</summary>
public sealed record ServeOptions
{
    /// <summary>Address to listen on; loopback unless a token is set.</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>Port; 0 picks a free one (tests).</summary>
    public int Port { get; init; } = 5080;

    /// <summary>Bearer token every API call must carry; required when <see cref="Address"/> is not loopback.</summary>
    public string? Token { get; init; }

    /// <summary>The checkout: features, wiring files and the hilrig executable are found from it.</summary>
    public required string RepositoryRoot { get; init; }

    /// <summary>Bench used when a queued run names none.</summary>
    public required string DefaultWiring { get; init; }

    /// <summary>Where run history and artifacts are kept.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The reason these options cannot be served, or null when they can.</summary>
    public string? Problem() =>
        !IPAddress.IsLoopback(Address) && string.IsNullOrEmpty(Token)
            ? $"refusing to listen on {Address} without a token: pass --token (every API call then needs 'Authorization: Bearer <token>'), or listen on loopback"
            : Port is < 0 or > 65535 ? $"port {Port} is outside 0..65535" : null;
}
