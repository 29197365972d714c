using System.Collections.Concurrent;

namespace HilRig.Servers.Mqtt;

/// <summary>
/// The devices a server knows: device id → device secret (docs/cloud.md §1). The device id is the MQTT client id
/// and user name, the secret its MQTT password. Safe to extend while a broker runs.
/// </summary>
public sealed class DeviceRegistry
{
    private readonly ConcurrentDictionary<string, string> _secrets = new(StringComparer.Ordinal);

    /// <summary>Adds a device or replaces its secret; returns this registry for chaining.</summary>
    public DeviceRegistry Add(string deviceId, string secret)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(deviceId);
        ArgumentException.ThrowIfNullOrEmpty(secret);
        _secrets[deviceId] = secret;
        return this;
    }

    /// <summary>Every device id, sorted.</summary>
    public IReadOnlyList<string> DeviceIds => _secrets.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>The device's secret, for brokers configured from a file (mosquitto); throws for an unknown device.</summary>
    public string SecretOf(string deviceId) => _secrets.TryGetValue(deviceId, out var secret) ? secret
        : throw new KeyNotFoundException($"device {deviceId} is not registered");

    /// <summary>Whether the device is known.</summary>
    public bool Contains(string deviceId) => _secrets.ContainsKey(deviceId);

    /// <summary>Whether <paramref name="secret"/> is the device's secret (false for an unknown device).</summary>
    public bool IsSecretOf(string deviceId, string? secret) =>
        _secrets.TryGetValue(deviceId, out var expected) && string.Equals(expected, secret, StringComparison.Ordinal);
}
