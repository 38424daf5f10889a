using System.Text;
using MlOps.Ci.Diagnostics;

namespace MlOps.Ci.Training.External;

/// <summary>
/// A <c>TrainerCommand</c> split into its program and arguments, the way a POSIX shell would split it but without a
/// shell: whitespace separates arguments; <c>'…'</c> keeps text as written; <c>"…"</c> groups text, and inside it
/// <c>\"</c> and <c>\\</c> stand for a quote and a backslash (any other backslash is kept, so Windows paths work).
/// Placeholders such as <c>{TrainingData}</c> are replaced after splitting, so a value with spaces stays one argument;
/// <c>{{</c> and <c>}}</c> are literal braces. A shell runs only when the command names one (<c>/bin/sh -c '…'</c>).
/// </summary>
public sealed class TrainerCommandLine
{
    /// <summary>Every placeholder a command may use; <see cref="ExternalTrainer"/> gives each its value.</summary>
    public static IReadOnlyList<string> Placeholders { get; } =
        ["TrainingData", "Schema", "OnnxPath", "Hyperparameters", "LabelColumn", "ModelTask", "Seed", "ProjectDirectory"];

    /// <summary>The arguments as written, placeholders not yet replaced; the first is the program.</summary>
    private readonly IReadOnlyList<string> _templates;

    private TrainerCommandLine(IReadOnlyList<string> templates) => _templates = templates;

    /// <summary>Splits the command and checks its placeholders; <paramref name="where"/> is the project file, for diagnostics.</summary>
    public static TrainerCommandLine Parse(string command, SourceLocation where)
    {
        ArgumentNullException.ThrowIfNull(command);
        var arguments = Split(command, where);
        if (arguments.Count == 0 || arguments[0].Length == 0)
        {
            throw MlOpsException.Of(DiagnosticCodes.TrainerCommandInvalid, "TrainerCommand names no program.", where,
                "Start it with the program to run, e.g. /usr/bin/python3 train.py --data {TrainingData} --out {OnnxPath}.");
        }
        var template = new TrainerCommandLine(arguments);
        // Expanding with every placeholder present checks the names without knowing the values yet.
        template.Expand(Placeholders.ToDictionary(p => p, p => p), where);
        if (!arguments.Any(a => a.Contains("{OnnxPath}", StringComparison.OrdinalIgnoreCase)))
        {
            throw MlOpsException.Of(DiagnosticCodes.TrainerCommandInvalid, $"TrainerCommand '{command}' does not use {{OnnxPath}}, so it cannot be told where to write the model.",
                where, "Pass {OnnxPath} to the command (e.g. --out {OnnxPath}) and write the ONNX model there.");
        }
        return template;
    }

    /// <summary>The program and its arguments with every placeholder replaced by its value.</summary>
    public IReadOnlyList<string> Expand(IReadOnlyDictionary<string, string> values, SourceLocation where) =>
        _templates.Select(t => ExpandOne(t, values, where)).ToList();

    private static List<string> Split(string command, SourceLocation where)
    {
        var arguments = new List<string>();
        var current = new StringBuilder();
        var inArgument = false;
        for (var i = 0; i < command.Length; i++)
        {
            var c = command[i];
            if (char.IsWhiteSpace(c))
            {
                if (inArgument)
                    arguments.Add(current.ToString());
                current.Clear();
                inArgument = false;
                continue;
            }
            inArgument = true;
            if (c == '\'')
            {
                var end = command.IndexOf('\'', i + 1);
                if (end < 0)
                    throw Unterminated(command, '\'', where);
                current.Append(command, i + 1, end - i - 1);
                i = end;
            }
            else if (c == '"')
            {
                for (i++; ; i++)
                {
                    if (i >= command.Length)
                        throw Unterminated(command, '"', where);
                    if (command[i] == '"')
                        break;
                    if (command[i] == '\\' && i + 1 < command.Length && command[i + 1] is '"' or '\\')
                        i++;
                    current.Append(command[i]);
                }
            }
            else
            {
                current.Append(c);
            }
        }
        if (inArgument)
            arguments.Add(current.ToString());
        return arguments;
    }

    private static string ExpandOne(string template, IReadOnlyDictionary<string, string> values, SourceLocation where)
    {
        var result = new StringBuilder(template.Length);
        for (var i = 0; i < template.Length; i++)
        {
            var c = template[i];
            if ((c == '{' || c == '}') && i + 1 < template.Length && template[i + 1] == c)
            {
                result.Append(c);
                i++;
                continue;
            }
            var end = c == '{' ? template.IndexOf('}', i + 1) : -1;
            // Only {Identifier} is a placeholder: other braces (JSON, a format string) are kept as written.
            if (end < 0 || !IsIdentifier(template.AsSpan(i + 1, end - i - 1)))
            {
                result.Append(c);
                continue;
            }
            var name = template[(i + 1)..end];
            var known = Placeholders.FirstOrDefault(p => p.Equals(name, StringComparison.OrdinalIgnoreCase));
            if (known is null)
            {
                throw MlOpsException.Of(DiagnosticCodes.UnknownTrainerPlaceholder, $"TrainerCommand uses {{{name}}}, which is not a placeholder.", where,
                    $"Use one of: {string.Join(", ", Placeholders.Select(p => $"{{{p}}}"))}; write {{{{ and }}}} for literal braces.");
            }
            result.Append(values[known]);
            i = end;
        }
        return result.ToString();
    }

    private static bool IsIdentifier(ReadOnlySpan<char> text)
    {
        if (text.IsEmpty || !char.IsAsciiLetter(text[0]))
            return false;
        foreach (var c in text)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
                return false;
        }
        return true;
    }

    private static MlOpsException Unterminated(string command, char quote, SourceLocation where) =>
        MlOpsException.Of(DiagnosticCodes.TrainerCommandInvalid, $"TrainerCommand '{command}' has a {quote} that is never closed.", where,
            "Close the quote; inside \"…\" write \\\" for a quote, or use '…' around text with double quotes.");
}
