using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace EcomOps.Core.Warehouse;

/// <summary>
/// Parses one Redshift COPY statement into a <see cref="CopyStatement"/>, or refuses it with a
/// <see cref="CopyParseException"/> naming the part, its line and column, and what to do. Pure: no I/O.
/// </summary>
/// <remarks>
/// Keywords are case-insensitive and options come in any order. Accepted: text, CSV and Parquet from S3 (prefix or
/// MANIFEST), IAM_ROLE, access keys (with a warning), and the conversion, compression and load options a
/// loader can honour or safely ignore. Refused: formats and sources the local warehouse cannot read (JSON, AVRO,
/// ORC, FIXEDWIDTH, SHAPEFILE, SSH, DynamoDB, EMR, LZOP, client-side encryption), unknown options, options given
/// twice, contradictions Redshift refuses (two formats, DELIMITER with PARQUET, GZIP with PARQUET, ESCAPE with
/// CSV, ...) and text holding more than one statement.
/// </remarks>
public static partial class CopyParser
{
    /// <summary>Parses <paramref name="text"/>, one COPY statement with an optional trailing semicolon.</summary>
    /// <exception cref="CopyParseException">The statement is refused; the message says where and why.</exception>
    public static CopyStatement Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return new Session(CopyTokenizer.Tokenize(text)).Run();
    }

    /// <summary>Parses like <see cref="Parse"/>, returning the refusal instead of throwing it.</summary>
    public static bool TryParse(
        string text,
        [NotNullWhen(true)] out CopyStatement? statement,
        [NotNullWhen(false)] out CopyParseException? error)
    {
        try
        {
            statement = Parse(text);
            error = null;
            return true;
        }
        catch (CopyParseException e)
        {
            statement = null;
            error = e;
            return false;
        }
    }

    /// <summary>One parse: the tokens, where we are, and the options seen so far.</summary>
    private sealed partial class Session(List<CopyToken> tokens)
    {
        private readonly List<CopyWarning> _warnings = [];
        private int _index;

        private CopyToken Peek => tokens[_index];

        private CopyToken Take() => tokens[Math.Min(_index++, tokens.Count - 1)];

        public CopyStatement Run()
        {
            var first = Take();
            if (first.Kind == CopyTokenKind.End)
            {
                throw new CopyParseException("COPY", first.Position, "the text is empty: write one COPY statement, such as COPY orders FROM 's3://bucket/prefix' IAM_ROLE default CSV;");
            }
            if (!first.IsWord("COPY"))
            {
                throw new CopyParseException(first.Value, first.Position, $"expected COPY, found {first.Describe()}: only a COPY statement can be loaded here.");
            }
            var target = ParseTable();
            var columns = Peek.IsSymbol('(') ? ParseColumns() : [];
            var from = Take();
            if (!from.IsWord("FROM"))
            {
                throw new CopyParseException(from.Value, from.Position, $"expected FROM after the table, found {from.Describe()}: write COPY table [(columns)] FROM 's3://bucket/prefix' ...");
            }
            var source = ParseSource();
            while (Peek.Kind != CopyTokenKind.End && !Peek.IsSymbol(';'))
            {
                ParseOption(Take());
            }
            if (Peek.IsSymbol(';'))
            {
                var semicolon = Take();
                if (Peek.Kind != CopyTokenKind.End)
                {
                    throw new CopyParseException(Peek.Value, Peek.Position, $"more text follows the statement's ';' (line {semicolon.Position.Line}, column {semicolon.Position.Column}): load one COPY statement at a time.");
                }
            }
            var options = BuildOptions();
            var form = new CopyLoadForm
            {
                Target = target,
                Columns = columns,
                Source = source with { IsManifest = _flags.ContainsKey("MANIFEST") },
                Authorization = BuildAuthorization(from.Position),
                Options = options,
            };
            return new CopyStatement(form, _warnings.ToArray());
        }

        private CopyTableName ParseTable()
        {
            var parts = new List<string> { Identifier("the target table after COPY") };
            while (Peek.IsSymbol('.'))
            {
                var dot = Take();
                if (parts.Count == 2)
                {
                    throw new CopyParseException("table name", dot.Position, "the table name has more than two parts: write schema.table (a COPY loads into the connected database).");
                }
                parts.Add(Identifier("a table name after '.'"));
            }
            return parts.Count == 1 ? new CopyTableName(null, parts[0]) : new CopyTableName(parts[0], parts[1]);
        }

        private List<string> ParseColumns()
        {
            var open = Take();
            var columns = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (true)
            {
                var at = Peek.Position;
                var name = Identifier("a column name in the column list");
                if (!seen.Add(name))
                {
                    throw new CopyParseException(name, at, $"column {CopySql.Identifier(name)} is listed twice: name each column once.");
                }
                columns.Add(name);
                if (!Peek.IsSymbol(','))
                {
                    break;
                }
                Take();
            }
            var close = Take();
            if (!close.IsSymbol(')'))
            {
                throw new CopyParseException("column list", close.Position, $"expected ',' or ')' in the column list that starts at {open.Position}, found {close.Describe()}.");
            }
            return columns;
        }

        private string Identifier(string what)
        {
            var token = Take();
            return token.Kind switch
            {
                CopyTokenKind.QuotedIdentifier => token.Value,
                CopyTokenKind.Word when !token.IsWord("FROM") => token.Value.ToLowerInvariant(),
                _ => throw new CopyParseException(token.Value, token.Position, $"expected {what}, found {token.Describe()}."),
            };
        }

        private CopySource ParseSource()
        {
            var token = Take();
            if (token.Kind != CopyTokenKind.String)
            {
                throw new CopyParseException("FROM", token.Position, $"FROM needs the source in quotes, such as FROM 's3://bucket/prefix'; found {token.Describe()}.");
            }
            var uri = token.Value.Trim();
            if (uri.StartsWith("dynamodb://", StringComparison.OrdinalIgnoreCase))
            {
                throw new CopyParseException("FROM 'dynamodb://...'", token.Position, "loading from DynamoDB is not supported here: export the table to S3 (CSV or Parquet) and COPY FROM 's3://bucket/prefix'.");
            }
            if (uri.StartsWith("emr://", StringComparison.OrdinalIgnoreCase))
            {
                throw new CopyParseException("FROM 'emr://...'", token.Position, "loading from an EMR cluster is not supported here: write the job's output to S3 and COPY FROM 's3://bucket/prefix'.");
            }
            return CopySource.TryFromUri(uri)
                ?? throw new CopyParseException("FROM", token.Position, "FROM needs an S3 location such as 's3://bucket/prefix' or 's3://bucket/file.csv' (with MANIFEST, the manifest's key).");
        }

        private void Warn(string option, CopyPosition at, string message) => _warnings.Add(new CopyWarning(option, message, at));

        private static int ToInt(CopyToken token, string option)
        {
            if (!int.TryParse(token.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
            {
                throw new CopyParseException(option, token.Position, $"{option} needs a whole number from 0 to {int.MaxValue}, found {token.Describe()}.");
            }
            return value;
        }
    }
}
