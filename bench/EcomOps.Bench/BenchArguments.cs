using System.Globalization;

namespace EcomOps.Bench;

/// <summary>
/// The options after a subcommand: <c>--name value</c> pairs and bare <c>--flag</c>s. Each benchmark reads
/// the options it knows and then calls <see cref="EnsureAllUsed"/>, so a mistyped option fails loudly
/// instead of silently running the defaults for minutes.
/// </summary>
internal sealed class BenchArguments
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public BenchArguments(IEnumerable<string> args)
    {
        string? pending = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (_options.ContainsKey(arg))
                {
                    throw new BenchArgumentException($"Option {arg} is given twice; give it once.");
                }

                _options[arg] = null;
                pending = arg;
            }
            else if (pending is not null && _options[pending] is null)
            {
                _options[pending] = arg;
                pending = null;
            }
            else
            {
                throw new BenchArgumentException($"Unexpected argument '{arg}': options are written --name value.");
            }
        }
    }

    public bool Flag(string name)
    {
        _used.Add(name);
        if (!_options.TryGetValue(name, out var value))
        {
            return false;
        }

        return value is null ? true : throw new BenchArgumentException($"Option {name} takes no value; got '{value}'.");
    }

    public string? String(string name)
    {
        _used.Add(name);
        if (!_options.TryGetValue(name, out var value))
        {
            return null;
        }

        return value ?? throw new BenchArgumentException($"Option {name} needs a value after it.");
    }

    /// <summary>A whole number; <c>_</c> and <c>,</c> may group digits (10_000_000).</summary>
    public long Long(string name, long defaultValue, long min = 1, long max = long.MaxValue)
    {
        var text = String(name);
        if (text is null)
        {
            return defaultValue;
        }

        var digits = text.Replace("_", "", StringComparison.Ordinal).Replace(",", "", StringComparison.Ordinal);
        if (!long.TryParse(digits, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            throw new BenchArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"Option {name} must be a whole number between {min:N0} and {max:N0}; got '{text}'."));
        }

        return value;
    }

    public void EnsureAllUsed()
    {
        var unknown = _options.Keys.Where(k => !_used.Contains(k)).ToArray();
        if (unknown.Length > 0)
        {
            throw new BenchArgumentException($"Unknown option {string.Join(", ", unknown)}. Known here: {string.Join(", ", _used.Order(StringComparer.Ordinal))}.");
        }
    }
}

/// <summary>The command line is wrong; the message says how. Nothing has run.</summary>
internal sealed class BenchArgumentException(string message) : Exception(message);
