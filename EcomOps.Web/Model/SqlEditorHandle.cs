namespace EcomOps.Web.Model;

/// <summary>
/// How the Query page reads the SQL editor's text at the moment it runs it. The editor lives in the browser and tells
/// the server of each change with a round trip, so a Run click can arrive before the last keystrokes' text does.
/// </summary>
public sealed class SqlEditorHandle
{
    private Func<Task<string>>? _read;

    public void Attach(Func<Task<string>> read) => _read = read;

    public void Detach(Func<Task<string>> read)
    {
        if (_read == read)
        {
            _read = null;
        }
    }

    /// <summary>The editor's text, or <paramref name="fallback"/> when no editor is attached.</summary>
    public async Task<string> ReadAsync(string fallback) => _read is null ? fallback : await _read();
}
