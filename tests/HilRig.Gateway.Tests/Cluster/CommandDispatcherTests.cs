using HilRig.Gateway.Cluster;
using HilRig.Protocol.Cloud;

namespace HilRig.Gateway.Tests.Cluster;

/// <summary>The vendor backend's ledger of commands: what it counts as answered, unanswered and answered twice.</summary>
public sealed class CommandDispatcherTests
{
    [Fact]
    public async Task A_command_whose_reply_has_woken_its_waiter_is_counted_as_answered()
    {
        // The rollback scenario once read "1 of 5 commands were never answered" right after the fifth reply woke it:
        // the answered count was bumped after the reply was handed to the waiter. Whoever sees a reply must see it counted.
        var token = TestContext.Current.CancellationToken;
        var dispatcher = new CommandDispatcher((_, _, _) => { });
        IAccessNodeObserver observer = dispatcher;
        const int count = 500;
        var seenUnanswered = new List<long>();
        for (var i = 0; i < count; i++)
        {
            // The device is not on any node yet, so each command waits in its queue until the reply arrives.
            var id = await dispatcher.SubmitAsync("dev-a", "ping", null, token);
            var seen = dispatcher.WhenRepliedAsync(id, token).ContinueWith(_ => dispatcher.Unanswered, token, TaskContinuationOptions.None, TaskScheduler.Default);
            await observer.OnReplyAsync(null!, "dev-a", new CommandReply(id, Ok: true, "pong"));
            seenUnanswered.Add(await seen);
        }

        Assert.All(seenUnanswered, u => Assert.Equal(0, u));
        Assert.Equal(count, dispatcher.Sent);
        Assert.Equal(count, dispatcher.Completed);
        Assert.Equal(0, dispatcher.Unanswered);
        Assert.Equal(0, dispatcher.PendingCommandCount("dev-a"));
        Assert.True(await dispatcher.WhenAllRepliedAsync(TimeSpan.FromSeconds(10), token));
    }

    [Fact]
    public async Task A_command_without_a_reply_is_counted_unanswered_and_keeps_WhenAllReplied_waiting()
    {
        var token = TestContext.Current.CancellationToken;
        var dispatcher = new CommandDispatcher((_, _, _) => { });
        IAccessNodeObserver observer = dispatcher;
        var first = await dispatcher.SubmitAsync("dev-a", "ping", null, token);
        await dispatcher.SubmitAsync("dev-a", "ping", null, token);

        await observer.OnReplyAsync(null!, "dev-a", new CommandReply(first, Ok: true, "pong"));

        Assert.Equal(2, dispatcher.Sent);
        Assert.Equal(1, dispatcher.Completed);
        Assert.Equal(1, dispatcher.Unanswered);
        Assert.Equal(1, dispatcher.PendingCommandCount("dev-a"));
        Assert.False(await dispatcher.WhenAllRepliedAsync(TimeSpan.FromMilliseconds(200), token));
    }
}
