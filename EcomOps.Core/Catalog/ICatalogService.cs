using EcomOps.Core.Jobs;
using EcomOps.Core.Lake;
using EcomOps.Core.Security;

namespace EcomOps.Core.Catalog;

/// <summary>What people do with the Data Catalog besides reading it (<see cref="ICatalog"/>): crawl, sample, compare, query.</summary>
public interface ICatalogService
{
    /// <summary>Starts a crawl (kind <c>crawl</c>) with these targets and policies.</summary>
    /// <exception cref="ArgumentException">An include path, exclusion or database name is not usable; nothing was started.</exception>
    JobRun StartCrawl(CrawlOptions options);

    /// <summary>The first <paramref name="rows"/> rows of the table, read from its first data file.</summary>
    /// <exception cref="KeyNotFoundException">No such table, or it has no files any more.</exception>
    Task<LakePreview> SampleAsync(string database, string table, int rows = 20, CancellationToken cancellationToken = default);

    /// <summary>Two versions of a table side by side: every column of either, added, removed or with a changed type.</summary>
    VersionComparison Compare(TableVersion left, TableVersion right);

    /// <summary>An Athena query to start from on the table: its columns by name, the newest partition first when it has some.</summary>
    string StarterQuery(CatalogTable table);
}
