using HilRig.Core.Timeline;
using Xunit;

namespace HilRig.Core.Tests.Timeline;

public sealed class UartLogsTests
{
    [Fact]
    public void Each_link_gets_its_frames_garbage_and_faults_in_time_order_and_nothing_else()
    {
        TimelineEvent[] events =
        [
            new(10.5, "module-chip1", "frame", "Prepare module->all seq=0") { Direction = "downstream", Hex = "A501020304" },
            new(11, "chip1", "power", "on"),
            new(12, "module", "event", "prepared"),
            new(20.25, "chip1-chip2", "garbage", "3 byte(s) not a valid frame") { Direction = "upstream", Hex = "FFFE00" },
            new(1500, "module-chip1", "fault", "Data module->0x12 dropped") { Direction = "downstream" },
        ];

        var logs = UartLogs.Render(events);

        Assert.Equal(["chip1-chip2", "module-chip1"], logs.Keys.Order(StringComparer.Ordinal));
        var first = logs["module-chip1"].Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, first.Length);
        Assert.StartsWith("# UART log of link module-chip1", first[0]);
        Assert.Equal("+     0.011 s  downstream  Prepare module->all seq=0  | A5 01 02 03 04", first[1]);
        Assert.Equal("+     1.500 s  downstream  FAULT: Data module->0x12 dropped", first[2]);
        Assert.Contains("GARBAGE: 3 byte(s) not a valid frame  | FF FE 00", logs["chip1-chip2"], StringComparison.Ordinal);
        Assert.DoesNotContain("prepared", string.Concat(logs.Values), StringComparison.Ordinal);
    }

    [Fact]
    public void Write_puts_one_file_per_link_and_nothing_when_no_link_spoke()
    {
        var directory = Path.Combine(Path.GetTempPath(), "hilrig-uartlogs-" + Guid.NewGuid().ToString("N"));
        try
        {
            Assert.Empty(UartLogs.Write([new TimelineEvent(1, "chip1", "power", "on")], directory));
            Assert.False(Directory.Exists(directory));

            var paths = UartLogs.Write([new TimelineEvent(1, "module-chip1", "frame", "Status") { Direction = "downstream" }], directory);

            Assert.Equal([Path.Combine(directory, "module-chip1.log")], paths);
            Assert.Contains("Status", File.ReadAllText(paths[0]), StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(directory)) Directory.Delete(directory, recursive: true);
        }
    }
}
