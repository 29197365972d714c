using HilRig.Core.Bench;
using HilRig.Core.Timeline;
using HilRig.Core.Wiring;
using HilRig.Servers.Tls;

namespace HilRig.Core.Servers;

/// <summary>Where a bench's CA comes from when a bench starts.</summary>
internal static class CertificateAuthorities
{
    /// <summary>The bench CA (created on the first run of a bench with tls: true), with a timeline line saying where it is kept.</summary>
    public static BenchCertificateAuthority Open(BenchWiring wiring, BenchOptions options, BenchTimeline timeline)
    {
        var directory = options.CertificateAuthorityDirectory ?? BenchCertificateAuthority.DefaultDirectory(wiring.Name);
        var ca = BenchCertificateAuthority.LoadOrCreate(directory, wiring.Name);
        timeline.Add("rig", "tls", $"bench CA {(ca.Created ? "created" : "kept")} in {ca.Directory} ({ca.Certificate.Subject}, until {ca.Certificate.NotAfter.ToUniversalTime():yyyy-MM-dd})");
        return ca;
    }
}
