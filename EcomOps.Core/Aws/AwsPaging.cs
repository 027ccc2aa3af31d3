using System.Runtime.CompilerServices;

namespace EcomOps.Core.Aws;

/// <summary>NextToken loops for the paginated operations.</summary>
public static class AwsPaging
{
    /// <summary>
    /// Every page, first to last: <paramref name="fetchPage"/> is called with no token, then with each page's
    /// <paramref name="nextToken"/> until there is none. Stops at cancellation between and during pages.
    /// </summary>
    /// <exception cref="InvalidOperationException">The service answered a token it had already answered, which would loop forever.</exception>
    public static async IAsyncEnumerable<TPage> PagesAsync<TPage>(
        Func<string?, CancellationToken, Task<TPage>> fetchPage,
        Func<TPage, string?> nextToken,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        string? token = null;
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = await fetchPage(token, cancellationToken).ConfigureAwait(false);
            yield return page;
            token = nextToken(page);
            if (!string.IsNullOrEmpty(token) && !seen.Add(token))
            {
                throw new InvalidOperationException($"The service answered the NextToken '{token}' a second time; stopped paging rather than loop forever.");
            }
        }
        while (!string.IsNullOrEmpty(token));
    }
}
