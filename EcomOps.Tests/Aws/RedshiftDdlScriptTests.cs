using EcomOps.Core.Aws.Engines;
using EcomOps.Tests.Support;

namespace EcomOps.Tests.Aws;

/// <summary>The DDL script as InitAsync sends it to Redshift.</summary>
public sealed class RedshiftDdlScriptTests
{
    [Fact]
    public void TheRepositorysDdl_IsThreeCreateTablesThatCanRunAgain_WithTheirRedshiftAttributes()
    {
        var statements = RedshiftDdlScript.Statements(File.ReadAllText(Path.Combine(RepoPaths.Root, "sql", "redshift_ddl.sql")));

        Assert.Equal(3, statements.Count);
        Assert.All(statements, s => Assert.StartsWith("CREATE TABLE IF NOT EXISTS ", s, StringComparison.Ordinal));
        Assert.Contains("DISTKEY (CustomerID)", statements[2], StringComparison.Ordinal);
        Assert.DoesNotContain("--", string.Concat(statements), StringComparison.Ordinal);
    }

    [Fact]
    public void SemicolonsInCommentsAndLiterals_DoNotSplit_AndACreateWithoutIfNotExistsGetsIt()
    {
        var statements = RedshiftDdlScript.Statements("""
            -- first; a comment
            create table a (x VARCHAR(10) DEFAULT 'a;b') /* ; */;
            CREATE TABLE "b;c" (y INT);
            ;
            """);

        Assert.Equal(["CREATE TABLE IF NOT EXISTS a (x VARCHAR(10) DEFAULT 'a;b')", "CREATE TABLE IF NOT EXISTS \"b;c\" (y INT)"], statements);
    }
}
