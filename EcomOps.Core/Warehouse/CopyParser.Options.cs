namespace EcomOps.Core.Warehouse;

public static partial class CopyParser
{
    // Redshift's list for COPY from columnar files (copy-usage_notes-copy-from-columnar): anything else is refused there.
    private static readonly HashSet<string> ParquetOptions = new(StringComparer.Ordinal)
    {
        "FORMAT", "MANIFEST", "IAM_ROLE", "CREDENTIALS", "ACCESS_KEY_ID", "SECRET_ACCESS_KEY", "SESSION_TOKEN",
        "ACCEPTINVCHARS", "FILLRECORD", "EXPLICIT_IDS", "STATUPDATE",
    };

    private static readonly HashSet<string> Flags = new(StringComparer.Ordinal)
    {
        "MANIFEST", "BLANKSASNULL", "EMPTYASNULL", "ACCEPTANYDATE", "TRUNCATECOLUMNS", "FILLRECORD", "REMOVEQUOTES",
        "ESCAPE", "ROUNDEC", "TRIMBLANKS", "IGNOREBLANKLINES", "EXPLICIT_IDS", "NOLOAD",
    };

    private const string ConvertAdvice = "the warehouse loads delimited text, CSV and Parquet: convert the files to Parquet (the Convert step) and use FORMAT AS PARQUET, or to CSV and use CSV.";

    private static readonly Dictionary<string, string> Refused = new(StringComparer.Ordinal)
    {
        ["JSON"] = "JSON is not supported: " + ConvertAdvice,
        ["AVRO"] = "AVRO is not supported: " + ConvertAdvice,
        ["ORC"] = "ORC is not supported: " + ConvertAdvice,
        ["SHAPEFILE"] = "SHAPEFILE is not supported: " + ConvertAdvice,
        ["FIXEDWIDTH"] = "FIXEDWIDTH is not supported: " + ConvertAdvice,
        ["JSONPATHS"] = "JSONPATHS belongs to JSON loads, which are not supported: " + ConvertAdvice,
        ["SERIALIZETOJSON"] = "SERIALIZETOJSON (nested Parquet into SUPER) is not supported: flatten the nested columns when converting.",
        ["SSH"] = "SSH (loading from remote hosts) is not supported: copy the files into the lake and COPY FROM 's3://bucket/prefix'.",
        ["READRATIO"] = "READRATIO is for DynamoDB sources, which are not supported: export the table to S3 and COPY from there.",
        ["LZOP"] = "LZOP files cannot be read by the local warehouse: recompress them with GZIP or ZSTD, or load them uncompressed.",
        ["ENCRYPTED"] = "ENCRYPTED (client-side encryption) is being retired by Redshift and cannot work locally: use server-side encryption (SSE-S3 or SSE-KMS), which needs no COPY option.",
        ["MASTER_SYMMETRIC_KEY"] = "MASTER_SYMMETRIC_KEY (client-side encryption) is being retired by Redshift and cannot work locally: use server-side encryption, which needs no COPY option.",
    };

    private sealed partial class Session
    {
        // Every option in the order written, under its canonical name, for duplicate and format checks.
        private readonly Dictionary<string, CopyToken> _given = new(StringComparer.Ordinal);
        private readonly Dictionary<string, CopyToken> _flags = new(StringComparer.Ordinal);
        private (CopyFormat Format, CopyToken At, string Written)? _format;
        private (CopyCompression Compression, CopyToken At)? _compression;
        private char? _delimiter;
        private char? _quote;
        private char? _acceptInvChars;
        private int _ignoreHeader;
        private int _maxError;
        private int? _compRows;
        private string? _dateFormat;
        private string? _timeFormat;
        private string? _nullAs;
        private string? _region;
        private CopyCompUpdate _compUpdate;
        private bool? _statUpdate;
        private string? _iamRole;
        private bool _defaultRole;
        private string? _accessKeyId;
        private string? _secretAccessKey;
        private string? _sessionToken;

        private void ParseOption(CopyToken token)
        {
            if (token.Kind != CopyTokenKind.Word)
            {
                throw new CopyParseException(token.Value, token.Position, $"expected a COPY option, found {token.Describe()}.");
            }
            var name = token.Value.ToUpperInvariant();
            if (Refused.TryGetValue(name, out var refusal))
            {
                throw new CopyParseException(name, token.Position, refusal);
            }
            if (Flags.Contains(name))
            {
                Given(name, token);
                _flags[name] = token;
                return;
            }
            switch (name)
            {
                case "WITH" when Peek.IsWord("CREDENTIALS"):
                    return;
                case "IAM_ROLE":
                    Given(name, token);
                    if (Peek.IsWord("DEFAULT"))
                    {
                        Take();
                        _defaultRole = true;
                    }
                    else
                    {
                        _iamRole = RoleArn(token);
                    }
                    return;
                case "CREDENTIALS":
                    Given(name, token);
                    SkipAs();
                    ParseCredentialsString(SecretValue(token, name));
                    return;
                case "ACCESS_KEY_ID":
                    Given(name, token);
                    _accessKeyId = SecretValue(token, name).Value;
                    return;
                case "SECRET_ACCESS_KEY":
                    Given(name, token);
                    _secretAccessKey = SecretValue(token, name).Value;
                    return;
                case "SESSION_TOKEN":
                    Given(name, token);
                    _sessionToken = SecretValue(token, name).Value;
                    return;
                case "FORMAT":
                    Given(name, token);
                    SkipAs();
                    var format = Take();
                    if (format.Kind == CopyTokenKind.Word && Refused.TryGetValue(format.Value.ToUpperInvariant(), out var formatRefusal))
                    {
                        throw new CopyParseException(format.Value.ToUpperInvariant(), format.Position, formatRefusal);
                    }
                    if (format.IsWord("CSV") || format.IsWord("PARQUET"))
                    {
                        SetFormat(format, "FORMAT AS " + format.Value.ToUpperInvariant());
                        return;
                    }
                    throw new CopyParseException("FORMAT", format.Position, $"FORMAT needs CSV or PARQUET, found {format.Describe()} (leave FORMAT out for pipe-delimited text).");
                case "CSV" or "PARQUET":
                    SetFormat(token, name);
                    return;
                case "DELIMITER" or "QUOTE":
                    Given(name, token);
                    SkipAs();
                    var c = Character(token, name, name == "DELIMITER" ? "DELIMITER ',' or DELIMITER '\\t'" : "QUOTE '\"' or QUOTE '%'");
                    if (name == "DELIMITER")
                    {
                        _delimiter = c;
                    }
                    else
                    {
                        _quote = c;
                    }
                    return;
                case "IGNOREHEADER":
                    Given(name, token);
                    SkipAs();
                    _ignoreHeader = Number(name);
                    return;
                case "MAXERROR":
                    Given(name, token);
                    SkipAs();
                    _maxError = Number(name);
                    if (_maxError > 100_000)
                    {
                        Warn(name, token.Position, $"Redshift allows at most 100000 errors; {_maxError} is lowered to 100000.");
                        _maxError = 100_000;
                    }
                    return;
                case "COMPROWS":
                    Given(name, token);
                    _compRows = Number(name);
                    if (_compRows < 1000)
                    {
                        throw new CopyParseException(name, token.Position, $"COMPROWS takes 1000 to {int.MaxValue} rows (Redshift's range), found {_compRows}: raise it or leave COMPROWS out.");
                    }
                    return;
                case "DATEFORMAT":
                    Given(name, token);
                    SkipAs();
                    _dateFormat = NonEmptyString(token, name, "DATEFORMAT 'auto' or DATEFORMAT 'MM/DD/YYYY'");
                    return;
                case "TIMEFORMAT":
                    Given(name, token);
                    SkipAs();
                    _timeFormat = NonEmptyString(token, name, "TIMEFORMAT 'auto', 'epochsecs', 'epochmillisecs' or 'YYYY-MM-DD HH:MI:SS'");
                    return;
                case "NULL":
                    Given(name, token);
                    SkipAs();
                    _nullAs = StringValue(token, "NULL AS", "NULL AS '\\N' or NULL AS ''").Value;
                    return;
                case "REGION":
                    Given(name, token);
                    SkipAs();
                    _region = NonEmptyString(token, name, "REGION 'us-east-1'");
                    return;
                case "ACCEPTINVCHARS":
                    Given(name, token);
                    SkipAs();
                    _acceptInvChars = Peek.Kind == CopyTokenKind.String ? Character(token, name, "ACCEPTINVCHARS '?'") : '?';
                    return;
                case "GZIP" or "BZIP2" or "ZSTD":
                    SetCompression(token, Enum.Parse<CopyCompression>(name, ignoreCase: true));
                    return;
                case "COMPUPDATE":
                    Given(name, token);
                    _compUpdate = Choice(name, allowPreset: true) switch
                    {
                        "PRESET" => CopyCompUpdate.Preset,
                        "OFF" or "FALSE" => CopyCompUpdate.Off,
                        _ => CopyCompUpdate.On,
                    };
                    return;
                case "STATUPDATE":
                    Given(name, token);
                    _statUpdate = Choice(name, allowPreset: false) is not ("OFF" or "FALSE");
                    return;
                case "ENCODING":
                    Given(name, token);
                    SkipAs();
                    var encoding = Take();
                    if (!(encoding.IsWord("UTF8") || encoding.IsWord("UTF_8")))
                    {
                        throw new CopyParseException("ENCODING", encoding.Position, $"only ENCODING UTF8 is supported, found {encoding.Describe()}: re-encode the files as UTF-8 and leave ENCODING out.");
                    }
                    return;
                case "COPY":
                    throw new CopyParseException(name, token.Position, "a second COPY statement: load one statement at a time.");
                default:
                    throw new CopyParseException(name, token.Position, $"{name} is not a COPY option the warehouse knows: check its spelling against Redshift's COPY parameter reference, or remove it.");
            }
        }

        /// <summary>COMPUPDATE/STATUPDATE take an optional ON, OFF, TRUE, FALSE (or PRESET); bare means ON.</summary>
        private string? Choice(string option, bool allowPreset)
        {
            var next = Peek;
            if (next.Kind == CopyTokenKind.Word && next.Value.ToUpperInvariant() is "ON" or "OFF" or "TRUE" or "FALSE" or "PRESET")
            {
                var choice = next.Value.ToUpperInvariant();
                if (choice == "PRESET" && !allowPreset)
                {
                    throw new CopyParseException(option, next.Position, $"{option} takes ON, OFF, TRUE or FALSE; PRESET is for COMPUPDATE.");
                }
                Take();
                return choice;
            }
            return null;
        }

        private void Given(string name, CopyToken token)
        {
            if (_given.TryGetValue(name, out var first))
            {
                throw new CopyParseException(name, token.Position, $"{name} is given twice (first at {first.Position}): keep one.");
            }
            _given[name] = token;
            CheckAuthorizationConflict(name, token);
        }

        private void SetFormat(CopyToken token, string written)
        {
            var format = token.IsWord("CSV") ? CopyFormat.Csv : CopyFormat.Parquet;
            if (_format is { } earlier)
            {
                var detail = earlier.Format == format
                    ? $"{written} repeats {earlier.Written} at {earlier.At.Position}: keep one."
                    : $"{written} contradicts {earlier.Written} at {earlier.At.Position}: a COPY reads one format, keep one.";
                throw new CopyParseException(written, token.Position, detail);
            }
            _format = (format, token, written);
        }

        private void SetCompression(CopyToken token, CopyCompression compression)
        {
            var name = token.Value.ToUpperInvariant();
            if (_compression is { } earlier)
            {
                var verb = earlier.Compression == compression ? "repeats" : "contradicts";
                throw new CopyParseException(name, token.Position, $"{name} {verb} {earlier.Compression.ToString().ToUpperInvariant()} at {earlier.At.Position}: files have one compression, keep one.");
            }
            _compression = (compression, token);
            _given[name] = token;
        }

        private void SkipAs()
        {
            if (Peek.IsWord("AS"))
            {
                Take();
            }
        }

        private int Number(string option)
        {
            var token = Take();
            if (token.IsSymbol('-'))
            {
                throw new CopyParseException(option, token.Position, $"{option} cannot be negative: give 0 or more.");
            }
            if (token.Kind != CopyTokenKind.Number)
            {
                throw new CopyParseException(option, token.Position, $"{option} needs a whole number, such as {option} 1; found {token.Describe()}.");
            }
            return ToInt(token, option);
        }

        private CopyToken StringValue(CopyToken option, string name, string example)
        {
            var token = Take();
            return token.Kind == CopyTokenKind.String
                ? token
                : throw new CopyParseException(name, token.Kind == CopyTokenKind.End ? option.Position : token.Position, $"{name} needs a value in single quotes, such as {example}; found {token.Describe()}.");
        }

        private string NonEmptyString(CopyToken option, string name, string example)
        {
            var token = StringValue(option, name, example);
            return token.Value.Length > 0
                ? token.Value
                : throw new CopyParseException(name, token.Position, $"{name} cannot be empty: give a value such as {example}, or leave {name} out.");
        }

        private char Character(CopyToken option, string name, string example)
        {
            var token = StringValue(option, name, example);
            if (token.Value.Length != 1 || !char.IsAscii(token.Value[0]) || token.Value[0] == '\0')
            {
                throw new CopyParseException(name, token.Position, $"{name} needs exactly one ASCII character (not NUL), such as {example}; found '{token.Value}' ({token.Value.Length} characters).");
            }
            return token.Value[0];
        }

        // Secrets: the message never describes what was found, it may be the secret itself written without quotes.
        private CopyToken SecretValue(CopyToken option, string name)
        {
            var token = Take();
            return token.Kind == CopyTokenKind.String && token.Value.Length > 0
                ? token
                : throw new CopyParseException(name, option.Position, $"{name} needs its value in single quotes, such as {name} '...'.");
        }
    }
}
