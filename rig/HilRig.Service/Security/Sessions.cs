using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;

namespace HilRig.Service.Security;

/// <summary>
/// Login sessions of the live page: a browser posts the token once (POST /api/login) and gets a random session
/// id in an HttpOnly, SameSite=Strict cookie, so the page's links (artifacts, zip) work without the token in a
/// URL or in script-readable storage. Sessions live in memory: a restart of the service logs every page out.
/// </summary>
public sealed class Sessions(string token)
{
    /// <summary>Name of the session cookie.</summary>
    public const string CookieName = "hilrig-session";

    /// <summary>How long a login lasts.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(12);

    private readonly byte[] _token = Encoding.UTF8.GetBytes(token);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _expiries = new(StringComparer.Ordinal);

    /// <summary>True when <paramref name="candidate"/> is the token (compared in constant time).</summary>
    public bool IsToken(string? candidate) =>
        candidate is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(candidate), _token);

    /// <summary>True when the Authorization header is "Bearer &lt;token&gt;".</summary>
    public bool IsBearer(string? authorization) =>
        authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && IsToken(authorization[7..].Trim());

    /// <summary>A new session: 256 random bits, hex.</summary>
    public string Open()
    {
        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var now = DateTimeOffset.UtcNow;
        foreach (var (old, expiry) in _expiries)
        {
            if (expiry <= now) _expiries.TryRemove(old, out _);
        }
        _expiries[id] = now + Lifetime;
        return id;
    }

    /// <summary>True when <paramref name="id"/> is a session that has not expired.</summary>
    public bool IsOpen(string? id) =>
        id is { Length: 64 } && _expiries.TryGetValue(id, out var expiry) && expiry > DateTimeOffset.UtcNow;

    /// <summary>Ends a session (logout).</summary>
    public void Close(string? id)
    {
        if (id is not null) _expiries.TryRemove(id, out _);
    }
}
