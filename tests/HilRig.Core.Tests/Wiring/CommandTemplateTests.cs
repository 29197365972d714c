using HilRig.Core.Wiring;
using Xunit;

namespace HilRig.Core.Tests.Wiring;

public class CommandTemplateTests
{
    [Fact]
    public void Expand_ReplacesPlaceholders_When_AllHaveValues()
    {
        var values = new Dictionary<string, string> { ["upstream"] = "/dev/pts/3", ["downstream0"] = "/dev/pts/5", ["model_id"] = "17" };

        var command = CommandTemplate.Expand("./fw --uart {upstream} --down {downstream0} --id {model_id}", values);

        Assert.Equal("./fw --uart /dev/pts/3 --down /dev/pts/5 --id 17", command);
    }

    [Fact]
    public void Expand_KeepsLiteralBraces_When_Doubled()
    {
        Assert.Equal("echo {x} 9600", CommandTemplate.Expand("echo {{x}} {baud}", new Dictionary<string, string> { ["baud"] = "9600" }));
    }

    [Fact]
    public void Placeholders_Throws_When_BraceIsNotClosed()
    {
        Assert.Throws<FormatException>(() => CommandTemplate.Placeholders("./fw {upstream"));
    }

    [Fact]
    public void Expand_Throws_When_PlaceholderHasNoValue()
    {
        Assert.Throws<FormatException>(() => CommandTemplate.Expand("./fw {flash}", new Dictionary<string, string>()));
    }
}
