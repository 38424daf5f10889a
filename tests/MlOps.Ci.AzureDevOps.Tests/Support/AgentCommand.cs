namespace MlOps.Ci.AzureDevOps.Tests.Support;

/// <summary>
/// A logging command read back the way the agent reads it: a port of azure-pipelines-task-lib's
/// <c>commandFromString</c> and its unescaping (taskcommand.js), so a test sees what the agent would act on.
/// </summary>
public sealed record AgentCommand(string Command, IReadOnlyDictionary<string, string> Properties, string Message)
{
    public const string Prefix = "##vso[";

    public string this[string property] => Properties[property];

    /// <summary>The commands among <paramref name="lines"/>, in order; other lines are ignored as the agent ignores them.</summary>
    public static IReadOnlyList<AgentCommand> In(IEnumerable<string> lines) =>
        lines.Select(line => line.TrimEnd('\r')).Where(line => line.StartsWith(Prefix, StringComparison.Ordinal)).Select(Parse).ToList();

    public static IReadOnlyList<AgentCommand> In(string output) => In(output.Split('\n'));

    public static AgentCommand Parse(string line)
    {
        var open = line.IndexOf('[', StringComparison.Ordinal);
        var close = line.IndexOf(']', StringComparison.Ordinal);
        if (open < 0 || close < 0 || close - open < 3)
            throw new FormatException($"Invalid command brackets: {line}");
        var info = line[(open + 1)..close].Trim();
        var space = info.IndexOf(' ', StringComparison.Ordinal);
        var command = space > 0 ? info[..space] : info;
        var properties = new Dictionary<string, string>(StringComparer.Ordinal);
        if (space > 0)
        {
            foreach (var part in info[(space + 1)..].Split(';').Select(p => p.Trim()).Where(p => p.Length > 0))
            {
                var equals = part.IndexOf('=', StringComparison.Ordinal);
                if (equals < 0)
                    throw new FormatException($"Invalid property: {part}");
                properties[part[..equals]] = UnescapeProperty(part[(equals + 1)..]);
            }
        }
        return new AgentCommand(command, properties, UnescapeData(line[(close + 1)..]));
    }

    private static string UnescapeData(string value) =>
        value.Replace("%0D", "\r", StringComparison.Ordinal).Replace("%0A", "\n", StringComparison.Ordinal).Replace("%AZP25", "%", StringComparison.Ordinal);

    private static string UnescapeProperty(string value) =>
        value.Replace("%0D", "\r", StringComparison.Ordinal).Replace("%0A", "\n", StringComparison.Ordinal)
            .Replace("%5D", "]", StringComparison.Ordinal).Replace("%3B", ";", StringComparison.Ordinal)
            .Replace("%AZP25", "%", StringComparison.Ordinal);
}
