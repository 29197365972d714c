using System.Globalization;
using System.Net;

namespace HilRig.Service;

/// <summary>How `hilrig serve` runs.</summary>
public sealed record ServeOptions
{
    /// <summary>Shortest token accepted: a token a person can guess in a few tries protects nothing.</summary>
    public const int MinimumTokenLength = 16;

    /// <summary>Address to listen on; loopback unless a token is set.</summary>
    public IPAddress Address { get; init; } = IPAddress.Loopback;

    /// <summary>Port; 0 picks a free one (tests).</summary>
    public int Port { get; init; } = 5080;

    /// <summary>
    /// Bearer token every API call must carry (or the session cookie the page gets by logging in with it);
    /// required when <see cref="Address"/> is not loopback.
    /// </summary>
    public string? Token { get; init; }

    /// <summary>
    /// Further names clients may reach the service by (the Host header), beside the ones it knows: the loopback
    /// names on loopback; the address, the machine's host name and its interface addresses elsewhere.
    /// </summary>
    public IReadOnlyList<string> HostNames { get; init; } = [];

    /// <summary>The checkout: features and wiring files are found from it (the run program is <see cref="RunProgram"/>).</summary>
    public required string RepositoryRoot { get; init; }

    /// <summary>Bench used when a queued run names none.</summary>
    public required string DefaultWiring { get; init; }

    /// <summary>Where run history and artifacts are kept.</summary>
    public required string DataDirectory { get; init; }

    /// <summary>
    /// The command and leading arguments that start `hilrig` for a run (`run ...` follows): `hilrig serve` gives its
    /// own, so the service, a layer below the CLI, never looks for it. Null: a queued run fails, saying so.
    /// </summary>
    public (string FileName, IReadOnlyList<string> Prefix)? RunProgram { get; init; }

    /// <summary>The reason these options cannot be served, or null when they can.</summary>
    public string? Problem()
    {
        if (Token is not null && string.IsNullOrWhiteSpace(Token))
        {
            return "the token is empty or only whitespace: pass a real one (e.g. --token \"$(openssl rand -hex 16)\"), or none on loopback";
        }
        if (Token is not null && Token.Trim().Length < MinimumTokenLength)
        {
            return string.Create(CultureInfo.InvariantCulture, $"the token has {Token.Trim().Length} characters; at least {MinimumTokenLength} are needed (e.g. --token \"$(openssl rand -hex 16)\")");
        }
        if (Token is not null && Token.Any(c => char.IsControl(c) || char.IsWhiteSpace(c)))
        {
            return "the token holds whitespace or a control character, which an Authorization header cannot carry";
        }
        if (!IPAddress.IsLoopback(Address) && Token is null)
        {
            return $"refusing to listen on {Address} without a token: pass --token (every API call then needs 'Authorization: Bearer <token>'), or listen on loopback";
        }
        if (Port is < 0 or > 65535) return string.Create(CultureInfo.InvariantCulture, $"port {Port} is outside 0..65535");
        foreach (var name in HostNames)
        {
            if (string.IsNullOrWhiteSpace(name) || name.Any(c => c is ':' or '/' or '@' || char.IsWhiteSpace(c) || char.IsControl(c)))
            {
                return $"--host-name '{name}' is not a host name (a name or address without port, e.g. bench-pi.lab)";
            }
        }
        return null;
    }
}
