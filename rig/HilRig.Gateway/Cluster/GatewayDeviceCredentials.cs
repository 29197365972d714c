using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace HilRig.Gateway.Cluster;

/// <summary>
/// The devices a gateway cluster knows by name, each with a secret generated when it is registered: the MQTT
/// password it logs in to an access node with (docs/cloud.md §5.1). Embedded nodes check the password of a
/// registered device; mosquitto nodes let only registered devices log in at all.
/// </summary>
public sealed class GatewayDeviceCredentials
{
    /// <summary>The user name the node side itself logs in with on a mosquitto node; no device may take it.</summary>
    public const string BackendUser = "backend";

    private readonly ConcurrentDictionary<string, string> _secrets = new(StringComparer.Ordinal);

    /// <summary>Registers a device (idempotent) and returns its secret.</summary>
    /// <exception cref="ArgumentException">The id cannot name a device: empty, longer than 64 characters, the backend's user name, or with characters other than letters, digits, '-', '_', '.' and ':'.</exception>
    public string Register(string deviceId)
    {
        if (!IsValidId(deviceId))
        {
            throw new ArgumentException($"'{deviceId}' cannot be a gateway device id: use 1 to 64 letters, digits, '-', '_', '.' or ':' (and not '{BackendUser}')", nameof(deviceId));
        }
        return _secrets.GetOrAdd(deviceId, static _ => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12)));
    }

    /// <summary>The secret of a registered device.</summary>
    public bool TryGetSecret(string deviceId, out string secret) => _secrets.TryGetValue(deviceId, out secret!);

    /// <summary>True when the device is registered.</summary>
    public bool Contains(string deviceId) => _secrets.ContainsKey(deviceId);

    /// <summary>Every registered device with its secret.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> All => [.. _secrets];

    /// <summary>True for ids that can be a device's MQTT user name, client id and topic level.</summary>
    public static bool IsValidId(string? deviceId) =>
        !string.IsNullOrEmpty(deviceId) && deviceId.Length <= 64 && deviceId != BackendUser
        && deviceId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');
}
