using System.Security.Cryptography;
using System.Text;
using HilRig.Protocol.Cloud;

namespace HilRig.Servers.Vendor;

/// <summary>
/// A vendor server's own OTA unit (docs/cloud.md §3.4): it pushes an <see cref="OtaInstruction"/> with its server id
/// as issuer to vendor/{device}/ota. The module must ignore it; only the target server upgrades the module.
/// </summary>
public sealed class VendorOtaUnit
{
    /// <summary>
    /// Where the unit's instructions point: the discard port on loopback, where nothing listens, so a module that
    /// wrongly follows one fails to download instead of reaching any other address.
    /// </summary>
    public const string ImageBaseUrl = "http://127.0.0.1:9/firmware/";

    private readonly VendorServer _server;
    private int _next;

    internal VendorOtaUnit(VendorServer server) => _server = server;

    /// <summary>Publishes a conflicting instruction for <paramref name="version"/> to the device and returns it.</summary>
    public async Task<OtaInstruction> PushInstructionAsync(string deviceId, string version, CancellationToken cancellationToken)
    {
        var file = $"{_server.ServerId}-module-{version}.hrim";
        var instruction = new OtaInstruction(
            $"{_server.ServerId}-ota-{Interlocked.Increment(ref _next)}", version, ImageBaseUrl + file,
            Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(file))), 4096, Issuer: _server.ServerId);
        await _server.Broker.PublishAsync(CloudTopics.VendorOta(deviceId), CloudJson.Encode(instruction), cancellationToken).ConfigureAwait(false);
        return instruction;
    }
}
