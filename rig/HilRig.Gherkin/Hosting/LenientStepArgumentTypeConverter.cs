using System.Globalization;
using Reqnroll.Bindings;
using Reqnroll.Bindings.Reflection;
using Reqnroll.Infrastructure;
using Reqnroll.Tracing;

namespace HilRig.Gherkin.Hosting;

/// <summary>
/// Reqnroll's conversion (step argument transformations first, then enums, Guid and type converters), plus what the
/// catalogue's feature files were written against: enums whose text has hyphens or underscores
/// (<c>power-save</c> for <c>PowerSave</c>; Reqnroll ignores case and spaces only), bools written yes/no/on/off,
/// and an empty text (an optional regex group that did not take part) as null for a nullable parameter. Integers
/// with a <c>0x</c> prefix need nothing here: .NET's integer type converters read hex.
/// </summary>
internal sealed class LenientStepArgumentTypeConverter(
    ITestTracer testTracer, IBindingRegistry bindingRegistry, IContextManager contextManager, IAsyncBindingInvoker bindingInvoker)
    : IStepArgumentTypeConverter
{
    private readonly StepArgumentTypeConverter _reqnroll = new(testTracer, bindingRegistry, contextManager, bindingInvoker);

    public async Task<object?> ConvertAsync(object value, IBindingType typeToConvertTo, CultureInfo cultureInfo)
    {
        if (!_reqnroll.CanConvert(value, typeToConvertTo, cultureInfo) && TryConvert(value, typeToConvertTo, out var converted))
        {
            return converted;
        }

        return await _reqnroll.ConvertAsync(value, typeToConvertTo, cultureInfo).ConfigureAwait(false);
    }

    public bool CanConvert(object value, IBindingType typeToConvertTo, CultureInfo cultureInfo) =>
        _reqnroll.CanConvert(value, typeToConvertTo, cultureInfo) || TryConvert(value, typeToConvertTo, out _);

    private static bool TryConvert(object value, IBindingType typeToConvertTo, out object? converted)
    {
        converted = null;
        if (value is not string text || typeToConvertTo is not RuntimeBindingType { Type: var type })
        {
            return false;
        }

        var underlying = Nullable.GetUnderlyingType(type);
        if (underlying is not null && text.Length == 0)
        {
            return true;
        }

        type = underlying ?? type;
        if (type.IsEnum)
        {
            static string Normalize(string s) => s.Replace(" ", "", StringComparison.Ordinal)
                .Replace("-", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal);
            var name = Enum.GetNames(type).FirstOrDefault(n => string.Equals(Normalize(n), Normalize(text.Trim()), StringComparison.OrdinalIgnoreCase));
            converted = name is null ? null : Enum.Parse(type, name);
            return name is not null;
        }

        if (type == typeof(bool))
        {
            converted = text.Trim().ToUpperInvariant() switch
            {
                "YES" or "ON" => true,
                "NO" or "OFF" => false,
                _ => null,
            };
            return converted is not null;
        }

        return false;
    }
}
