using System.Text.Json;

namespace EcomOps.Web.Model;

/// <summary>One editor tab of the Query page: a name and its own SQL.</summary>
public sealed class QueryTab
{
    public int Id { get; init; }

    public string Title { get; set; } = "";

    public string Sql { get; set; } = "";
}

/// <summary>
/// The Query page's editor tabs: add, close, rename, pick one. There is always at least one tab. The page keeps
/// them in the browser (<see cref="ToJson"/>, <see cref="FromJson"/>) so that they survive a reload.
/// </summary>
public sealed class QueryTabs
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly List<QueryTab> _tabs = [];

    public QueryTabs() => Add();

    public IReadOnlyList<QueryTab> All => _tabs;

    public QueryTab Active { get; private set; } = default!;

    /// <summary>Opens a new tab with this SQL and makes it the active one.</summary>
    public QueryTab Add(string sql = "", string? title = null)
    {
        var id = _tabs.Count == 0 ? 1 : _tabs.Max(t => t.Id) + 1;
        var tab = new QueryTab { Id = id, Title = string.IsNullOrWhiteSpace(title) ? NewTitle() : title.Trim(), Sql = sql };
        _tabs.Add(tab);
        Active = tab;
        return tab;
    }

    /// <summary>
    /// Makes a tab with exactly this SQL active, opening one when none has it: a link such as <c>?sql=</c> followed
    /// twice, or a reload of it, does not pile up copies.
    /// </summary>
    public QueryTab Open(string sql, string? title = null)
    {
        if (_tabs.FirstOrDefault(t => t.Sql == sql) is { } same)
        {
            Active = same;
            return same;
        }

        // A first, untouched tab is taken rather than left empty beside the new one.
        if (_tabs is [{ Sql: "" } only])
        {
            only.Sql = sql;
            if (!string.IsNullOrWhiteSpace(title))
            {
                only.Title = title.Trim();
            }

            Active = only;
            return only;
        }

        return Add(sql, title);
    }

    public void Select(int id) => Active = Find(id) ?? Active;

    /// <summary>Closes a tab; its neighbour becomes active, and closing the last one leaves a fresh empty tab.</summary>
    public void Close(int id)
    {
        var index = _tabs.FindIndex(t => t.Id == id);
        if (index < 0)
        {
            return;
        }

        _tabs.RemoveAt(index);
        if (_tabs.Count == 0)
        {
            Add();
        }
        else if (Active.Id == id)
        {
            Active = _tabs[Math.Min(index, _tabs.Count - 1)];
        }
    }

    /// <summary>Renames a tab; a blank name is ignored.</summary>
    public void Rename(int id, string title)
    {
        if (Find(id) is { } tab && !string.IsNullOrWhiteSpace(title))
        {
            tab.Title = title.Trim();
        }
    }

    public string ToJson() => JsonSerializer.Serialize(new Stored([.. _tabs.Select(t => new StoredTab(t.Id, t.Title, t.Sql))], Active.Id), Json);

    /// <summary>The tabs saved by <see cref="ToJson"/>; a fresh single tab when there is nothing usable (none saved, or another format).</summary>
    public static QueryTabs FromJson(string? json)
    {
        var tabs = new QueryTabs();
        if (string.IsNullOrWhiteSpace(json))
        {
            return tabs;
        }

        Stored? stored;
        try
        {
            stored = JsonSerializer.Deserialize<Stored>(json, Json);
        }
        catch (JsonException)
        {
            return tabs;
        }

        var saved = stored?.Tabs?.Where(t => t is not null && t.Id > 0).DistinctBy(t => t.Id).ToList() ?? [];
        if (saved.Count == 0)
        {
            return tabs;
        }

        tabs._tabs.Clear();
        tabs._tabs.AddRange(saved.Select(t => new QueryTab { Id = t.Id, Title = string.IsNullOrWhiteSpace(t.Title) ? $"Query {t.Id}" : t.Title, Sql = t.Sql ?? "" }));
        tabs.Active = tabs.Find(stored!.Active) ?? tabs._tabs[0];
        return tabs;
    }

    private QueryTab? Find(int id) => _tabs.FirstOrDefault(t => t.Id == id);

    private string NewTitle()
    {
        var n = _tabs.Count + 1;
        while (_tabs.Any(t => t.Title == $"Query {n}"))
        {
            n++;
        }

        return $"Query {n}";
    }

    private sealed record Stored(List<StoredTab>? Tabs, int Active);

    private sealed record StoredTab(int Id, string? Title, string? Sql);
}
