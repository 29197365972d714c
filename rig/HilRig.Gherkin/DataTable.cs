namespace HilRig.Gherkin;

/// <summary>
/// A step's data table. The first row is the header; <see cref="Rows"/> maps each following row by header cell.
/// </summary>
public sealed class DataTable
{
    /// <summary>Creates a table from raw cells; the first row is the header.</summary>
    public DataTable(IReadOnlyList<IReadOnlyList<string>> cells)
    {
        ArgumentNullException.ThrowIfNull(cells);
        Cells = cells;
        Header = cells.Count > 0 ? cells[0] : [];
        Rows = cells.Skip(1).Select(ToRow).ToList();
    }

    /// <summary>All cells, header row included.</summary>
    public IReadOnlyList<IReadOnlyList<string>> Cells { get; }

    /// <summary>The header row.</summary>
    public IReadOnlyList<string> Header { get; }

    /// <summary>The rows after the header, each keyed by header cell (case-sensitive).</summary>
    public IReadOnlyList<IReadOnlyDictionary<string, string>> Rows { get; }

    /// <summary>
    /// Reads a two-column table without header semantics (<c>| baud rate | 115200 |</c>) as key/value pairs,
    /// the first row included.
    /// </summary>
    public IReadOnlyDictionary<string, string> ToKeyValues()
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var row in Cells)
        {
            if (row.Count != 2)
            {
                throw new InvalidOperationException($"A key/value table needs 2 columns, but a row has {row.Count}.");
            }

            result[row[0]] = row[1];
        }

        return result;
    }

    private IReadOnlyDictionary<string, string> ToRow(IReadOnlyList<string> row)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < Header.Count && i < row.Count; i++)
        {
            result[Header[i]] = row[i];
        }

        return result;
    }
}
