using HilRig.Protocol.Messages;

namespace HilRig.Servers.TargetOta;

/// <summary>Numeric major.minor.patch order (docs/cloud.md §2.1): "1.10.0" is newer than "1.9.3".</summary>
internal static class VersionOrder
{
    public static int Compare(FirmwareVersion a, FirmwareVersion b) =>
        (a.Major, a.Minor, a.Patch).CompareTo((b.Major, b.Minor, b.Patch));
}
