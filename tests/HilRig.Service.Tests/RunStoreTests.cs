using HilRig.Service.Runs;
using Xunit;

namespace HilRig.Service.Tests;

public sealed class RunStoreTests
{
    [Fact]
    public void A_record_written_before_statuses_reads_back_with_them()
    {
        var data = Directory.CreateTempSubdirectory("hilrig-store-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(data, "old"));
            File.WriteAllText(Path.Combine(data, "old", "run.json"), """
                {"id":"old","request":{"features":null,"tags":null,"wiring":null,"seed":1},"bench":"sim-chain","wiring":"wiring/sim-chain.yaml","seed":1,
                 "state":"Failed","passed":1,"failed":1,"scenarios":[{"name":"A","location":"a.feature:3","passed":true,"detail":null},{"name":"B","location":"a.feature:9","passed":false,"detail":"boom"}]}
                """);
            var problems = new List<string>();

            var run = Assert.Single(new RunStore(data).LoadAll(problems));

            Assert.Empty(problems);
            Assert.Equal(["passed", "failed"], run.Scenarios.Select(s => s.Status));
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }
}
