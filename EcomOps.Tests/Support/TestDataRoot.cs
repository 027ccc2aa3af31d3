using Microsoft.Data.Sqlite;

namespace EcomOps.Tests.Support;

/// <summary>
/// A data root (<c>&lt;temp&gt;/data</c>) for tests that run the CLI or the dashboard as processes on it; deleted on
/// dispose, after SQLite's pooled connections to its ops database are closed (an open one would keep the file).
/// </summary>
public sealed class TestDataRoot : IDisposable
{
    private readonly TempDirectory _dir = new();

    /// <summary>The data root to pass as <c>--data-root</c> or <c>EcomOps:DataRoot</c>; created on first use.</summary>
    public string Path => _dir.Combine("data");

    /// <summary>A path in the local lake's bucket, <c>lake/ecomops-lake/…</c>.</summary>
    public string Lake(params string[] parts) => System.IO.Path.Combine([Path, "lake", "ecomops-lake", .. parts]);

    /// <summary>A folder next to the data root (outside it and its lake), for files a test keeps aside.</summary>
    public string Beside(string name) => _dir.Combine(name);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }
}
