using HilRig.Gherkin.Bindings;
using HilRig.Gherkin.Tests.StepDefinitions;

namespace HilRig.Gherkin.Tests.Bindings;

public sealed class ArgumentConverterTests
{
    public static TheoryData<string, Type, object> Conversions => new()
    {
        { "42", typeof(int), 42 },
        { "-7", typeof(long), -7L },
        { "3.5", typeof(double), 3.5 },
        { "0x1F", typeof(byte), (byte)0x1F },
        { "200", typeof(byte), (byte)200 },
        { "YES", typeof(bool), true },
        { "off", typeof(bool), false },
        { "power save", typeof(BenchMode), BenchMode.PowerSave },
        { "NORMAL", typeof(BenchMode), BenchMode.Normal },
        { "12", typeof(int?), 12 },
    };

    [Theory]
    [MemberData(nameof(Conversions))]
    public void TryConvert_ProducesTypedValue_When_TextIsValid(string text, Type type, object expected)
    {
        Assert.True(ArgumentConverter.TryConvert(text, type, out var value, out var error), error);
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("0x1FF", typeof(byte))]
    [InlineData("abc", typeof(int))]
    [InlineData("maybe", typeof(bool))]
    [InlineData("turbo", typeof(BenchMode))]
    public void TryConvert_ExplainsValue_When_TextIsInvalid(string text, Type type)
    {
        Assert.False(ArgumentConverter.TryConvert(text, type, out _, out var error));
        Assert.Contains(text, error, StringComparison.Ordinal);
    }
}
