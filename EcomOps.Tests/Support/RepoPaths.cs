namespace EcomOps.Tests.Support;

/// <summary>Paths in the repository the tests run from.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string SampleData => Path.Combine(Root, "sample_data");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EcomOps.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No EcomOps.sln above {AppContext.BaseDirectory}.");
    }
}
