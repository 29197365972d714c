using Io.Cucumber.Messages.Types;

namespace HilRig.Gherkin.Bindings;

/// <summary>Turns a step match plus the step's data table or doc string into the method's arguments.</summary>
internal static class StepArguments
{
    public static object?[] Bind(StepMatch match, PickleStep step)
    {
        var method = match.Binding.Method;
        var parameters = method.GetParameters();
        var table = step.Argument?.DataTable;
        var docString = step.Argument?.DocString;
        var expected = match.Arguments.Count + (table is not null || docString is not null ? 1 : 0);
        var extra = table is not null ? " plus a data table" : docString is not null ? " plus a doc string" : "";
        if (parameters.Length != expected)
        {
            throw new StepBindingException(
                $"{match.Binding.DisplayName} takes {parameters.Length} parameter(s), but the step \"{step.Text}\" gives {match.Arguments.Count} captured argument(s){extra}.");
        }

        var values = new object?[parameters.Length];
        for (var i = 0; i < match.Arguments.Count; i++)
        {
            if (!ArgumentConverter.TryConvert(match.Arguments[i].Value, parameters[i].ParameterType, out values[i], out var error))
            {
                throw new StepBindingException($"Cannot bind parameter '{parameters[i].Name}' of {match.Binding.DisplayName}: {error}.");
            }
        }

        if (table is not null)
        {
            var last = parameters[^1];
            if (last.ParameterType != typeof(DataTable))
            {
                throw new StepBindingException($"The step \"{step.Text}\" has a data table, so the last parameter of {match.Binding.DisplayName} must be a HilRig.Gherkin.DataTable.");
            }

            values[^1] = new DataTable(table.Rows.Select(r => (IReadOnlyList<string>)r.Cells.Select(c => c.Value).ToList()).ToList());
        }
        else if (docString is not null)
        {
            if (parameters[^1].ParameterType != typeof(string))
            {
                throw new StepBindingException($"The step \"{step.Text}\" has a doc string, so the last parameter of {match.Binding.DisplayName} must be a string.");
            }

            values[^1] = docString.Content;
        }

        return values;
    }
}

/// <summary>A step matched a definition whose parameters cannot take the step's arguments.</summary>
public sealed class StepBindingException(string message) : System.Exception(message);
