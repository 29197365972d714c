using HilRig.Core.Faults;
using HilRig.Core.Wifi;
using HilRig.Gherkin;
using Reqnroll;
using HilRig.Scenarios.Drivers;
using HilRig.Scenarios.Support;

namespace HilRig.Scenarios.StepDefinitions;

/// <summary>
/// Steps about the bench network itself (network: air: in the wiring file, docs/wiring.md): WiFi-level faults on the
/// access point, and what DHCP and DNS handed the module.
/// </summary>
[Binding]
public sealed class AirSteps(CloudDriver cloud, FaultDriver faults)
{
    [Given(@"^the module will be deauthenticated from the access point ((?:at|when|after) .+)$")]
    public void GivenDeauthenticated(string when) => faults.Arm(faults.Trigger(when), new WifiDeauthentication());

    [Given(@"^the access point will go away for (\d+) ms ((?:at|when|after) .+)$")]
    public void GivenAccessPointAway(int ms, string when) =>
        faults.Arm(faults.Trigger(when), new AccessPointAway(TimeSpan.FromMilliseconds(ms)));

    [Given(@"^the access point will refuse the module's association for (\d+) ms ((?:at|when|after) .+)$")]
    public void GivenAssociationRefused(int ms, string when)
    {
        if (Air().CannotRefuseAssociation is { } why)
        {
            throw new SkipScenarioException(why);
        }
        faults.Arm(faults.Trigger(when), new AssociationRefused(TimeSpan.FromMilliseconds(ms)));
    }

    [Then("the module got its address from the bench's DHCP server")]
    public void ThenLeased()
    {
        var air = Air();
        var leases = air.Leases();
        Expect.That(leases.Count > 0, $"dnsmasq handed out no lease on {air.Description} (its log: {air.DnsmasqLog})");
    }

    [Then("the bench's DNS server answered the module's lookup of {string}'s name")]
    public void ThenLookedUp(string serverId)
    {
        var air = Air();
        var host = cloud.Cloud.Wiring.NameOf(serverId).Host;
        var log = File.Exists(air.DnsmasqLog) ? File.ReadAllLines(air.DnsmasqLog) : [];
        // dnsmasq logs "query[A] NAME from ADDRESS" and then "config NAME is ADDRESS" for a name it answers itself.
        var leased = air.Leases().Select(l => l.Address.ToString()).ToHashSet(StringComparer.Ordinal);
        var asked = log.Any(l => l.Contains($"query[A] {host} from ", StringComparison.Ordinal) && leased.Any(a => l.EndsWith($" from {a}", StringComparison.Ordinal)));
        var answered = log.Any(l => l.Contains($"config {host} is {air.RigAddress}", StringComparison.Ordinal));
        Expect.That(asked && answered, $"dnsmasq's log ({air.DnsmasqLog}) shows {(asked ? "" : "no query for ")}{(asked ? "no answer to the query for " : "")}{host} from the module's leased address ({string.Join(", ", leased)})");
    }

    private IBenchAir Air() => cloud.Cloud.Air ?? throw new InvalidOperationException(
        $"bench '{cloud.Cloud.Wiring.DeviceId}' has no bench network (network: air: in the wiring file)");
}
