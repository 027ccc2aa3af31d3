using System.Text.RegularExpressions;
using EcomOps.Tests.Support;

namespace EcomOps.Tests.Repository;

/// <summary>The backend is chosen in one place: its registration methods. Nothing else asks which one is on.</summary>
public sealed class BackendWiringTests
{
    private static readonly string Registration = Path.Combine("EcomOps.Core", "ServiceCollectionExtensions.cs");

    [Theory]
    [InlineData(@"Backend\s*[!=]=", "a comparison with the configured backend")]
    [InlineData(@"\bis\s+IAtomicPrefixSwap\b|as\s+IAtomicPrefixSwap\b", "a type test for the local store's folder swap")]
    [InlineData(@"new\s+LocalObjectStore\s*\(", "a local store made outside the backend registration")]
    [InlineData(@"new\s+S3ObjectStore\s*\(", "an S3 store made outside the backend registration")]
    public void OnlyTheBackendRegistration_KnowsWhichBackendIsOn(string pattern, string what)
    {
        var offenders = SourceFiles()
            .Where(f => !f.EndsWith(Registration, StringComparison.Ordinal))
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: f, Line: i + 1, Text: line)))
            .Where(l => !l.Text.TrimStart().StartsWith("///", StringComparison.Ordinal) && Regex.IsMatch(l.Text, pattern))
            .Select(l => $"{Path.GetRelativePath(RepoPaths.Root, l.File)}:{l.Line}: {l.Text.Trim()}")
            .ToList();

        Assert.True(offenders.Count == 0, $"{what}:\n{string.Join("\n", offenders)}");
    }

    private static IEnumerable<string> SourceFiles() =>
        new[] { "EcomOps.Core", "EcomOps.Web", "EcomOps.Cli" }
            .SelectMany(project => Directory.EnumerateFiles(Path.Combine(RepoPaths.Root, project), "*.*", SearchOption.AllDirectories))
            .Where(f => (f.EndsWith(".cs", StringComparison.Ordinal) || f.EndsWith(".razor", StringComparison.Ordinal))
                && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
}
