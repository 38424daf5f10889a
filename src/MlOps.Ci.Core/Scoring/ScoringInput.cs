using MlOps.Ci.Data;

namespace MlOps.Ci.Scoring;

/// <summary>How a CSV cell becomes one element of a model input tensor.</summary>
internal enum CellEncoding
{
    /// <summary>A float; a missing cell is NaN (the graph's imputer replaces it).</summary>
    Number,

    /// <summary>true/yes/1 → 1, false/no/0 → 0, missing → NaN.</summary>
    Boolean,

    /// <summary>The trimmed text; a missing cell is the empty string (the graph's encoders know no such category).</summary>
    Text,
}

/// <summary>One input of the model: its name in the graph and the card, the CSV column that feeds it, and how.</summary>
internal sealed record ScoringInput(string Name, int Column, CellEncoding Encoding)
{
    public static CellEncoding EncodingOf(ColumnKind? kind) => kind switch
    {
        ColumnKind.Categorical => CellEncoding.Text,
        ColumnKind.Boolean => CellEncoding.Boolean,
        _ => CellEncoding.Number,
    };
}

/// <summary>One output column group of the scored file: <see cref="Width"/> values per row, named Name or Name.0, Name.1, ….</summary>
internal sealed record ScoredColumn(string Name, int Width);
