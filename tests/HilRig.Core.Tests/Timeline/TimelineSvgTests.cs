using System.Globalization;
using System.Xml.Linq;
using HilRig.Core.Timeline;
using HilRig.Protocol.Framing;
using HilRig.Protocol.Messages;
using HilRig.Protocol.Modes;
using Xunit;

namespace HilRig.Core.Tests.Timeline;

public sealed class TimelineSvgTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    private static readonly TimelineSvgOptions Chain = new([new("chip1", 0x11), new("chip2", 0x12), new("chip3", 0x13)]) { Title = "chain" };

    /// <summary>A frame event as a relay records it: its summary and the typed facts (read back here from the test's summary text).</summary>
    private static TimelineEvent Frame(double atMs, string link, string direction, string summary) =>
        new(atMs, link, TimelineKind.Frame, summary) { Direction = direction, Frame = Facts(summary) };

    /// <summary>An event as the timeline records it: power carries its state, a log line its chip record.</summary>
    private static TimelineEvent Event(double atMs, string source, string kind, string summary) =>
        new(atMs, source, kind, summary)
        {
            PowerOn = kind == TimelineKind.Power ? summary == "on" : null,
            Chip = kind == TimelineKind.Log && ChipRecord.TryParse(summary, out var record, out _) ? record : null,
        };

    private static FrameFacts Facts(string summary)
    {
        var words = summary.Split(' ');
        var ends = words[1].Split("->");
        static byte Id(string s) => s switch { "module" => Address.Module, "rig" => Address.Rig, "all" => Address.Broadcast, _ => Convert.ToByte(s[2..], 16) };
        var fields = words.Skip(2).Where(w => w.Contains('=')).Select(w => w.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
        long? Number(string key) => fields.TryGetValue(key, out var v) && long.TryParse(v.Split('/')[0], out var n) ? n : null;
        var facts = new FrameFacts(words[0], Id(ends[0]), Id(ends[1]), byte.Parse(fields["seq"], CultureInfo.InvariantCulture))
        {
            Chip = fields.TryGetValue("chip", out var chip) ? Id(chip) : null,
            Mode = fields.TryGetValue("mode", out var mode) ? Enum.Parse<ChipMode>(mode) : null,
            Version = fields.GetValueOrDefault("version"),
            Offset = Number(words[0] == "StartAck" ? "resume" : "offset"),
            Bytes = Number("bytes"),
            Persisted = Number("persisted"),
            Next = Number("next"),
            SizeBytes = fields.TryGetValue("persisted", out var p) && p.Contains('/') ? long.Parse(p.Split('/')[1], CultureInfo.InvariantCulture) : null,
        };
        var status = words[0] switch
        {
            "Complete" => words.SkipWhile(w => !w.StartsWith("chip=", StringComparison.Ordinal)).Skip(1).FirstOrDefault(),
            "StartAck" or "DataAck" => words[^1],
            _ => null,
        };
        return facts with { Status = status };
    }

    private static XElement Parse(string svg) => XDocument.Parse(svg).Root!;

    private static IEnumerable<XElement> Bands(XElement root, string chip) =>
        root.Descendants(Svg + "rect").Where(r => (string?)r.Attribute("data-chip") == chip && r.Attribute("data-mode") is not null);

    private static XElement Band(XElement root, string chip, string mode) => Assert.Single(Bands(root, chip), b => (string?)b.Attribute("data-mode") == mode);

    private static double Number(XElement element, string attribute) => double.Parse((string)element.Attribute(attribute)!, CultureInfo.InvariantCulture);

    /// <summary>chip3 is the target of a clean 4096-byte transfer; chip1 and chip2 pass it through.</summary>
    private static List<TimelineEvent> CleanTransfer()
    {
        var events = new List<TimelineEvent>
        {
            Frame(100, "chip2-chip3", "upstream", "StartAck 0x13->module seq=3 len=11 chip=0x13 mode=Upgrade resume=0 Ok"),
            Frame(102, "chip1-chip2", "upstream", "StartAck 0x12->module seq=4 len=11 chip=0x12 mode=PassThrough resume=0 Ok"),
            Frame(104, "module-chip1", "upstream", "StartAck 0x11->module seq=4 len=11 chip=0x11 mode=PassThrough resume=0 Ok"),
            Frame(106, "module-chip1", "upstream", "StartAck 0x13->module seq=3 len=11 chip=0x13 mode=Upgrade resume=0 Ok"),
        };
        for (var i = 1; i <= 8; i++)
        {
            var next = i * 512;
            var persisted = next / 2048 * 2048;
            events.Add(Frame(100 + i * 100, "chip2-chip3", "downstream", $"Data module->0x13 seq={i} len=516 offset={next - 512} bytes=512"));
            events.Add(Frame(150 + i * 100, "chip2-chip3", "upstream", $"DataAck 0x13->module seq={i} len=9 persisted={persisted} next={next} Ok"));
            events.Add(Frame(155 + i * 100, "module-chip1", "upstream", $"DataAck 0x13->module seq={i} len=9 persisted={persisted} next={next} Ok"));
        }
        events.Add(Frame(1000, "chip2-chip3", "upstream", "Complete 0x13->all seq=30 len=10 chip=0x13 Activated version=1.1.0"));
        events.Add(Frame(1004, "chip1-chip2", "upstream", "Complete 0x13->all seq=30 len=10 chip=0x13 Activated version=1.1.0"));
        events.Add(Frame(1008, "module-chip1", "upstream", "Complete 0x13->all seq=30 len=10 chip=0x13 Activated version=1.1.0"));
        events.Add(Event(1010, "module", "event", "chip-complete chip 0x13: 1.1.0"));
        events.Add(Event(1200, "module", "event", "campaign-complete"));
        return events;
    }

    [Fact]
    public void Render_ProducesSvgDocument_When_EventsAreGiven()
    {
        var root = Parse(TimelineSvg.Render(CleanTransfer(), Chain));

        Assert.Equal(Svg + "svg", root.Name);
        Assert.Equal("1.1", (string?)root.Attribute("version"));
        Assert.Empty(root.Descendants(Svg + "script"));
    }

    [Fact]
    public void Render_ProducesSvgDocument_When_TimelineIsEmpty()
    {
        var root = Parse(TimelineSvg.Render([], Chain));

        Assert.Equal(Svg + "svg", root.Name);
        Assert.Equal("Unknown", (string?)Assert.Single(Bands(root, "chip1")).Attribute("data-mode"));
    }

    [Fact]
    public void Render_DrawsUpgradeBand_When_StartAckUpgradeIsFollowedByComplete()
    {
        var root = Parse(TimelineSvg.Render(CleanTransfer(), Chain));

        var upgrade = Band(root, "chip3", "Upgrade");
        Assert.Equal("100.000", (string?)upgrade.Attribute("data-from-ms"));
        Assert.Equal("1000.000", (string?)upgrade.Attribute("data-to-ms"));
        Assert.Equal("1000.000", (string?)Band(root, "chip3", "Initial").Attribute("data-from-ms"));
    }

    [Fact]
    public void Render_PutsForwardingChipsBackInInitial_When_CompletePassesThem()
    {
        var root = Parse(TimelineSvg.Render(CleanTransfer(), Chain));

        var passThrough = Band(root, "chip2", "PassThrough");
        Assert.Equal("102.000", (string?)passThrough.Attribute("data-from-ms"));
        Assert.Equal("1000.000", (string?)passThrough.Attribute("data-to-ms"));
        Assert.Equal("1004.000", (string?)Band(root, "chip1", "PassThrough").Attribute("data-to-ms"));
    }

    [Fact]
    public void Render_DrawsOffBandThenBooting_When_ChipIsPoweredOffAndOn()
    {
        var events = new List<TimelineEvent>
        {
            Frame(50, "chip1-chip2", "upstream", "StatusResponse 0x12->rig seq=0 len=52 mode=Sleep version=1.1.0 slot=1 state=Done persisted=10/10"),
            Event(200, "chip2", "power", "off"),
            Event(700, "chip2", "power", "on"),
            Frame(900, "chip1-chip2", "upstream", "StatusResponse 0x12->rig seq=1 len=52 mode=Sleep version=1.1.0 slot=1 state=Done persisted=10/10"),
        };

        var root = Parse(TimelineSvg.Render(events, Chain));

        var off = Band(root, "chip2", "Off");
        Assert.Equal("200.000", (string?)off.Attribute("data-from-ms"));
        Assert.Equal("700.000", (string?)off.Attribute("data-to-ms"));
        var booting = Band(root, "chip2", "Booting");
        Assert.Equal("900.000", (string?)booting.Attribute("data-to-ms"));
        Assert.Equal(2, root.Descendants(Svg + "g").Count(g => (string?)g.Attribute("data-kind") == "power" && (string?)g.Attribute("data-lane") == "chip2"));
    }

    [Fact]
    public void Render_KeepsChipOff_When_FramesFromItAreSeenWhilePowerIsOff()
    {
        var events = new List<TimelineEvent>
        {
            Event(200, "chip3", "power", "off"),
            Event(300, "chip3", "log", "12:00:00.300 chip3: HRCHIP mark mode=UPGRADE slot=A version=1.0.0 state=RECEIVING campaign=0x00001001 persisted=4096 seq=4"),
        };

        var root = Parse(TimelineSvg.Render(events, Chain));

        Assert.Equal("300.000", (string?)Band(root, "chip3", "Off").Attribute("data-to-ms"));
        Assert.DoesNotContain(Bands(root, "chip3"), b => (string?)b.Attribute("data-mode") == "Upgrade");
    }

    [Fact]
    public void Render_DrawsMonotonicProgress_When_TransferIsClean()
    {
        var root = Parse(TimelineSvg.Render(CleanTransfer(), Chain));

        var received = Assert.Single(root.Descendants(Svg + "polyline"), p => (string?)p.Attribute("data-series") == "received");
        Assert.Equal("chip3", (string?)received.Attribute("data-chip"));
        Assert.Equal("4096", (string?)received.Attribute("data-size-bytes"));
        Assert.Equal("Activated", (string?)received.Attribute("data-outcome"));
        var points = ((string)received.Attribute("points")!).Split(' ')
            .Select(p => p.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToList();
        Assert.Equal(9, points.Count); // the START_ACK at resume 0 and one ack per DATA, read on the link right above chip3
        Assert.All(points.Zip(points.Skip(1)), pair =>
        {
            Assert.True(pair.Second[0] > pair.First[0], "time goes right");
            Assert.True(pair.Second[1] < pair.First[1], "progress goes up");
        });
    }

    [Fact]
    public void Render_StartsNewProgressStretch_When_TargetRebootsIntoUpgradeAfterPowerCut()
    {
        var events = CleanTransfer().Where(e => e.AtMs < 560).ToList();
        events.Add(Event(560, "chip3", "power", "off"));
        events.Add(Event(800, "chip3", "power", "on"));
        events.Add(Event(850, "chip3", "log", "12:00:00.850 chip3: HRCHIP boot mode=UPGRADE slot=A version=1.0.0 state=RECEIVING campaign=0x00001001 persisted=2048"));
        events.Add(Frame(900, "chip2-chip3", "upstream", "DataAck 0x13->module seq=0 len=9 persisted=2048 next=2048 OutOfOrder"));

        var root = Parse(TimelineSvg.Render(events, Chain));

        var stretches = root.Descendants(Svg + "polyline").Where(p => (string?)p.Attribute("data-series") == "received").ToList();
        Assert.Equal(["power-off", "open"], stretches.Select(s => (string?)s.Attribute("data-outcome")));
        Assert.Equal("850.000", (string?)stretches[1].Attribute("data-from-ms"));
    }

    [Fact]
    public void Render_StartsNoNewStretch_When_LastAckIsSeenAfterComplete()
    {
        var events = CleanTransfer();
        events.Add(Frame(1001, "chip2-chip3", "upstream", "DataAck 0x13->module seq=9 len=9 persisted=4096 next=4096 Ok"));

        var root = Parse(TimelineSvg.Render(events, Chain));

        Assert.Single(root.Descendants(Svg + "polyline"), p => (string?)p.Attribute("data-series") == "received");
    }

    [Fact]
    public void Render_DrawsLabelledFaultMarker_When_FaultIsRecorded()
    {
        var events = CleanTransfer();
        events.Add(Event(420, "chip2", "fault", "power off chip2 for 500 ms"));

        var root = Parse(TimelineSvg.Render(events, Chain));

        var fault = Assert.Single(root.Descendants(Svg + "g"), g => (string?)g.Attribute("data-kind") == "fault");
        Assert.Equal("chip2", (string?)fault.Attribute("data-lanes"));
        Assert.Equal("420.000", (string?)fault.Attribute("data-at-ms"));
        Assert.Equal("500.000", (string?)fault.Attribute("data-duration-ms"));
        Assert.Contains(fault.Elements(Svg + "text"), t => t.Value == "power off chip2 for 500 ms");
    }

    [Fact]
    public void Render_MarksTheNamedLanes_When_RigFaultNamesNodesAndLinks()
    {
        var events = CleanTransfer();
        events.Add(Event(300, "rig", "fault", "break the link above chip3 both ways for 2000 ms (at 50% of chip1's transfer)"));
        events.Add(Event(400, "rig", "fault", "power off chip1, module for 200 ms (at 10% of chip3's transfer)"));
        events.Add(Event(500, "rig", "fault", "something odd"));

        var root = Parse(TimelineSvg.Render(events, Chain));

        var lanes = root.Descendants(Svg + "g").Where(g => (string?)g.Attribute("data-kind") == "fault").Select(g => (string?)g.Attribute("data-lanes"));
        Assert.Equal(["chip2 chip3", "chip1 module", "chip1 chip2 chip3"], lanes);
    }

    [Fact]
    public void Render_DrawsFrameEffectsAsTicks_When_RelayReportsWhatAFaultDidToAFrame()
    {
        var events = CleanTransfer();
        events.Add(new TimelineEvent(450, "chip2-chip3", "fault", "Data module->0x13 seq=5 len=516 offset=2048 bytes=512 dropped")
        {
            Direction = "downstream", Frame = Facts("Data module->0x13 seq=5 len=516 offset=2048 bytes=512"),
        });
        events.Add(new TimelineEvent(460, "chip2-chip3", "garbage", "3 byte(s) not a valid frame: bad magic") { Direction = "downstream" });

        var root = Parse(TimelineSvg.Render(events, Chain));

        var marks = root.Descendants(Svg + "g").Where(g => (string?)g.Attribute("data-lane") == "chip3" && g.Attribute("data-at-ms") is not null).ToList();
        Assert.Contains(marks, g => (string?)g.Attribute("data-kind") == "fault-frame");
        Assert.Contains(marks, g => (string?)g.Attribute("data-kind") == "garbage");
        Assert.DoesNotContain(root.Descendants(Svg + "g"), g => (string?)g.Attribute("data-kind") == "fault");
    }

    [Fact]
    public void Render_DrawsModuleEventsAsLabelledDots_When_ModuleReportsCampaignEvents()
    {
        var root = Parse(TimelineSvg.Render(CleanTransfer(), Chain));

        var module = root.Descendants(Svg + "g").Where(g => (string?)g.Attribute("data-lane") == "module" && (string?)g.Attribute("data-kind") == "event").ToList();
        Assert.Equal(2, module.Count);
        Assert.Contains(module, g => g.Elements(Svg + "text").Any(t => t.Value == "chip-complete chip3: 1.1.0"));
        Assert.All(module, g => Assert.Single(g.Elements(Svg + "circle")));
    }

    [Fact]
    public void Render_EscapesMarkup_When_TextHoldsAngleBracketsAndAmpersands()
    {
        var events = new List<TimelineEvent> { Event(10, "module", "event", "chip-start <chip> & \"friends\" \u0001") };

        var svg = TimelineSvg.Render(events, Chain with { Title = "a < b & c > d" });

        Assert.Contains("a &lt; b &amp; c &gt; d", svg);
        Assert.Contains("chip-start &lt;chip&gt; &amp;", svg);
        var root = Parse(svg);
        Assert.Contains(root.Descendants(Svg + "text"), t => t.Value == "a < b & c > d");
        Assert.Contains(root.Descendants(Svg + "text"), t => t.Value == "chip-start <chip> & \"friends\" \uFFFD");
    }

    [Fact]
    public void Render_GivesIdenticalOutput_When_InputIsTheSame()
    {
        var events = CleanTransfer();
        events.Add(Event(420, "rig", "fault", "power off chip2 for 500 ms"));

        var first = TimelineSvg.Render(events, Chain);
        var second = TimelineSvg.Render(events.ToList(), Chain with { });

        Assert.Equal(first, second);
    }

    [Fact]
    public void Render_WritesInvariantFixedDecimals_When_NumbersAreFractional()
    {
        var events = new List<TimelineEvent> { Event(1234.56789, "chip1", "power", "on") };

        var root = Parse(TimelineSvg.Render(events, Chain));

        var band = Band(root, "chip1", "Booting");
        Assert.Equal("1234.568", (string?)band.Attribute("data-from-ms"));
        Assert.All(root.Descendants().Attributes("x"), a => Assert.Matches(@"^-?\d+\.\d$", a.Value));
    }

    [Fact]
    public void Render_Throws_When_WidthIsTooSmall()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TimelineSvg.Render([], Chain with { WidthPx = 100 }));
    }

    [Fact]
    public void RenderFromNdjson_DrawsTheEvents_When_FileWasWrittenByBenchTimeline()
    {
        var path = Path.Combine(Path.GetTempPath(), $"timeline-svg-{Guid.NewGuid():N}.ndjson");
        try
        {
            using (var timeline = new BenchTimeline(path))
            {
                var ack = new StartAckPayload(0x1001, 0x13, ChipMode.Upgrade, 0, StartStatus.Ok).Encode();
                var frame = new Frame(MessageType.StartAck, Address.Module, 0x13, 3, ack);
                timeline.AddFrame("chip2-chip3", TimelineKind.Frame, frame, "StartAck 0x13->module (summary text is not read)", "upstream", "A55A");
                timeline.AddPower("chip3", on: false);
            }

            var root = Parse(TimelineSvg.RenderFromNdjson(path, Chain));

            Assert.Single(Bands(root, "chip3"), b => (string?)b.Attribute("data-mode") == "Upgrade");
            Assert.Single(Bands(root, "chip3"), b => (string?)b.Attribute("data-mode") == "Off");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ReadNdjson_NamesFileAndLine_When_ALineIsNotAnEvent()
    {
        var path = Path.Combine(Path.GetTempPath(), $"timeline-svg-{Guid.NewGuid():N}.ndjson");
        try
        {
            File.WriteAllLines(path, ["{\"atMs\":1,\"source\":\"chip1\",\"kind\":\"power\",\"summary\":\"on\"}", "", "{\"atMs\":"]);

            var error = Assert.Throws<InvalidDataException>(() => TimelineSvg.ReadNdjson(path));

            Assert.StartsWith($"{path}:3: ", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ReadNdjson_Skips_A_Last_Line_Still_Being_Written()
    {
        var path = Path.Combine(Path.GetTempPath(), $"timeline-svg-{Guid.NewGuid():N}.ndjson");
        try
        {
            File.WriteAllText(path, "{\"atMs\":1,\"source\":\"chip1\",\"kind\":\"power\",\"summary\":\"on\"}\n{\"atMs\":2,\"sou");

            var events = TimelineSvg.ReadNdjson(path);

            Assert.Equal("on", Assert.Single(events).Summary);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_Timeline_Being_Written_Reads_Back_Whole_Events_Only()
    {
        var path = Path.Combine(Path.GetTempPath(), $"timeline-{Guid.NewGuid():N}.ndjson");
        try
        {
            using var timeline = new HilRig.Core.Timeline.BenchTimeline(path);
            var writer = Task.Run(() =>
            {
                for (var i = 0; i < 2000; i++) timeline.Add("chip1", "log", new string('x', i % 3000));
            }, TestContext.Current.CancellationToken);
            var reads = 0;
            while (!writer.IsCompleted)
            {
                Assert.All(TimelineSvg.ReadNdjson(path), e => Assert.Equal("chip1", e.Source));
                reads++;
            }
            Assert.True(reads > 0);
            Assert.Equal(2000, TimelineSvg.ReadNdjson(path).Count);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
