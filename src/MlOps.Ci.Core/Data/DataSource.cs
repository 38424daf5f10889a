namespace MlOps.Ci.Data;

/// <summary>
/// A data input as declared (<see cref="Location"/>: a path relative to the project, or an https:// or oci:// URL) and
/// the local file that holds its content (the file itself, or its copy in the content-addressed data cache).
/// </summary>
public sealed record DataSource(string Location, DataRole Role, string LocalPath, bool IsRemote)
{
    public static bool IsRemoteLocation(string location) =>
        location.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
        || location.StartsWith("http://", StringComparison.OrdinalIgnoreCase)
        || location.StartsWith("oci://", StringComparison.OrdinalIgnoreCase);

    /// <summary>The definition's data as local files, named relative to the project.</summary>
    public static IReadOnlyList<DataSource> LocalFiles(Pipeline.PipelineDefinition definition)
    {
        var project = ProjectDirectory(definition);
        return definition.TrainingData.Select(p => new DataSource(LocationOf(p, project), DataRole.Training, p, false))
            .Concat(definition.EvaluationData.Select(p => new DataSource(LocationOf(p, project), DataRole.Evaluation, p, false))).ToList();
    }

    public static string ProjectDirectory(Pipeline.PipelineDefinition definition) =>
        Path.GetDirectoryName(definition.ProjectFile) is { Length: > 0 } directory ? directory : Environment.CurrentDirectory;

    /// <summary>How a local file is named in lock files and model cards: relative to the project, with forward slashes.</summary>
    public static string LocationOf(string path, string projectDirectory) =>
        IsRemoteLocation(path) ? path : Path.GetRelativePath(projectDirectory, path).Replace('\\', '/');
}
