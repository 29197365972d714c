using HilRig.Gherkin.Features;
using HilRig.Gherkin.Selection;

namespace HilRig.Gherkin.Tests.Selection;

public sealed class ShardPlanTests
{
    private static IReadOnlyList<PickleInfo> AllPickles() =>
        PickleSelection.Of(["Features"]).Resolve(AppContext.BaseDirectory).Pickles;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(7)]
    [InlineData(100)]
    public void The_shares_of_n_shards_hold_every_selected_pickle_exactly_once(int count)
    {
        var pickles = AllPickles();
        Assert.True(pickles.Count > 10);

        var shares = Enumerable.Range(1, count)
            .SelectMany(i => new PickleSelection { Paths = ["Features"], Shard = ShardPlan.Of(i, count) }.Resolve(AppContext.BaseDirectory).Pickles)
            .Select(p => p.Id)
            .ToList();

        Assert.Equal(pickles.Select(p => p.Id).Order(StringComparer.Ordinal), shares.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_share_keeps_the_selections_order_and_its_count_before_sharding()
    {
        var all = AllPickles();
        var resolved = new PickleSelection { Paths = ["Features"], Shard = ShardPlan.Of(2, 3) }.Resolve(AppContext.BaseDirectory);

        Assert.Equal(all.Count, resolved.Unsharded);
        var kept = resolved.Pickles.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        Assert.InRange(kept.Count, 1, all.Count - 1);
        Assert.Equal(all.Select(p => p.Id).Where(kept.Contains), resolved.Pickles.Select(p => p.Id));
    }

    [Fact]
    public void Durations_balance_the_shares_so_one_long_scenario_gets_a_shard_to_itself()
    {
        var pickles = AllPickles();
        var longest = pickles[pickles.Count / 2].Pickle.Id;
        var durations = pickles.ToDictionary(p => p.Pickle.Id, p => TimeSpan.FromSeconds(p.Pickle.Id == longest ? 1000 : 1));

        var assigned = ShardPlan.Of(1, 2, durations).Assign(pickles);

        var shardOfLongest = assigned[pickles.Count / 2];
        Assert.Equal(1, assigned.Count(s => s == shardOfLongest));
        Assert.Equal(pickles.Count - 1, assigned.Count(s => s != shardOfLongest));
    }

    [Fact]
    public void Without_durations_a_pickle_weighs_its_step_count_and_the_shares_differ_by_at_most_the_heaviest()
    {
        var pickles = AllPickles();
        var plan = ShardPlan.Of(1, 3);

        var weights = plan.Weights(pickles);
        var assigned = plan.Assign(pickles);

        Assert.Equal(pickles.Select(p => (double)Math.Max(1, p.Pickle.Steps.Count)), weights);
        var loads = Enumerable.Range(1, 3).Select(s => assigned.Select((a, i) => a == s ? weights[i] : 0).Sum()).ToList();
        Assert.True(loads.Max() - loads.Min() <= weights.Max(), $"loads {string.Join(", ", loads)}");
    }

    [Fact]
    public void A_pickle_missing_from_the_durations_weighs_its_steps_at_the_median_pace_of_those_known()
    {
        var pickles = AllPickles();
        var known = pickles.Skip(1).ToDictionary(p => p.Pickle.Id, p => TimeSpan.FromSeconds(3 * Math.Max(1, p.Pickle.Steps.Count)));

        var weights = ShardPlan.Of(1, 2, known).Weights(pickles);

        Assert.Equal(3.0 * Math.Max(1, pickles[0].Pickle.Steps.Count), weights[0], precision: 6);
    }

    [Fact]
    public void The_split_does_not_depend_on_the_order_the_files_were_found_in()
    {
        var pickles = AllPickles();
        var reversed = pickles.Reverse().ToList();

        var forward = ShardPlan.Of(1, 3).Select(pickles).Select(p => p.Id).Order(StringComparer.Ordinal);
        var backward = ShardPlan.Of(1, 3).Select(reversed).Select(p => p.Id).Order(StringComparer.Ordinal);

        Assert.Equal(forward, backward);
    }

    [Theory]
    [InlineData("2/3", true, "")]
    [InlineData("3", false, "'3' is not i/n (for example 2/3: the second of three shards)")]
    [InlineData("a/3", false, "'a/3' is not i/n (for example 2/3: the second of three shards)")]
    [InlineData("-1/3", false, "'-1/3' is not i/n (for example 2/3: the second of three shards)")]
    [InlineData("4/3", false, "'4/3': the shard index 4 is outside 1..3")]
    [InlineData("0/3", false, "'0/3': the shard index 0 is outside 1..3")]
    [InlineData("1/0", false, "'1/0': the shard count 0 is outside 1..1000")]
    [InlineData("1/99999999999", false, "'1/99999999999' is not i/n (for example 2/3: the second of three shards)")]
    public void TryParse_reads_i_of_n_or_says_what_is_wrong(string text, bool ok, string error)
    {
        Assert.Equal(ok, ShardPlan.TryParse(text, out _, out _, out var message));
        Assert.Equal(error, message);
    }
}
