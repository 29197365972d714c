using System.Globalization;
using HilRig.Gateway.Cluster;
using HilRig.Scenarios.Drivers;
using HilRig.Scenarios.Support;
using Reqnroll;

namespace HilRig.Scenarios.StepDefinitions;

/// <summary>Steps about the order the master gateway serves waiting address requests in (docs/cloud.md §5.3, rule 4).</summary>
[Binding]
public sealed class GatewayPrioritySteps(GatewayDriver gateway, GatewayQueueDriver queue)
{
    private static readonly string[] AskerColumns = ["device", "pending commands", "device level", "address priority", "served"];
    private List<(string DeviceId, int Served)> _expected = [];

    [Given("the master gateway lets a request jump to the front when it is over one of these thresholds:")]
    public void GivenThresholds(Table thresholds)
    {
        RequireColumns(thresholds, "threshold", "over");
        var set = gateway.Cluster.Master.Thresholds;
        foreach (var row in thresholds.Rows)
        {
            var over = Count(row, "over");
            set = row["threshold"] switch
            {
                "pending commands" => set with { PendingCommands = over },
                "device level" => set with { DeviceLevel = over },
                "address priority" => set with { AddressPriority = over },
                var other => throw new ExpectationException($"threshold table: unknown threshold '{other}' (expected pending commands, device level or address priority)"),
            };
        }
        gateway.Cluster.Master.Thresholds = set;
    }

    [When("these devices of logical node {string} ask the master gateway for an address, one after the other:")]
    public async Task WhenDevicesAsk(string logicalNode, Table devices)
    {
        RequireColumns(devices, AskerColumns);
        _expected = devices.Rows.Select(r => (r["device"], Count(r, "served"))).ToList();
        var served = _expected.Select(e => e.Served).Order().ToList();
        Expect.That(served.SequenceEqual(Enumerable.Range(1, served.Count)), $"devices table: the served column must number the rows 1 to {served.Count} once each (it has {string.Join(", ", served)})");
        await queue.AskOneAfterTheOtherAsync(logicalNode, devices.Rows.Select(r =>
            new GatewayQueueDriver.Asker(r["device"], Count(r, "pending commands"), Count(r, "device level"), Count(r, "address priority"))));
    }

    [When("the devices on access node {string} switch off one at a time")]
    public Task WhenHoldersLeave(string nodeId) => queue.FreeSlotsOneAtATimeAsync(nodeId);

    [Then("the master gateway served them in the table's order")]
    public void ThenServedInOrder()
    {
        var expected = _expected.OrderBy(e => e.Served).Select(e => e.DeviceId).ToList();
        var actual = queue.ServedOrder();
        Expect.That(actual.SequenceEqual(expected), $"the master gateway served {string.Join(", ", actual)}; the table expects {string.Join(", ", expected)}");
    }

    [Then("every waiting device is connected to access node {string}")]
    public void ThenAllOn(string nodeId)
    {
        var elsewhere = queue.Waiting.Where(d => d.NodeId != nodeId).Select(d => $"{d.DeviceId}@{d.NodeId ?? "nowhere"}").ToList();
        Expect.That(elsewhere.Count == 0, $"not on {nodeId}: {string.Join(", ", elsewhere)}");
    }

    private static int Count(DataTableRow row, string column) =>
        int.TryParse(row[column], NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value
        : throw new ExpectationException($"table column '{column}': '{row[column]}' is not a whole number of 0 or more");

    private static void RequireColumns(Table table, params string[] columns)
    {
        var missing = columns.Where(c => !table.Header.Contains(c)).ToList();
        if (missing.Count > 0) throw new ExpectationException($"table: missing column(s) {string.Join(", ", missing)} (it has {string.Join(", ", table.Header)})");
    }
}
