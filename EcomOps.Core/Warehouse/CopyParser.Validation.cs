namespace EcomOps.Core.Warehouse;

public static partial class CopyParser
{
    private const string RoleAdvice = "use IAM_ROLE 'arn:aws:iam::<account>:role/<name>' (or IAM_ROLE default) instead: keys end up in statement text, history and logs.";

    private sealed partial class Session
    {
        private (CopyToken At, string? Role)? _credentialsString;

        /// <summary>Redshift takes one way to authorize; two are refused rather than guessed between.</summary>
        private void CheckAuthorizationConflict(string name, CopyToken token)
        {
            string[] keys = ["ACCESS_KEY_ID", "SECRET_ACCESS_KEY", "SESSION_TOKEN"];
            var conflicts = name switch
            {
                "IAM_ROLE" => ["CREDENTIALS", .. keys],
                "CREDENTIALS" => ["IAM_ROLE", .. keys],
                "ACCESS_KEY_ID" or "SECRET_ACCESS_KEY" or "SESSION_TOKEN" => new[] { "IAM_ROLE", "CREDENTIALS" },
                _ => [],
            };
            foreach (var other in conflicts)
            {
                if (_given.TryGetValue(other, out var earlier))
                {
                    throw new CopyParseException(name, token.Position, $"{name} and {other} (at {earlier.Position}) both authorize the COPY: keep one, preferably IAM_ROLE.");
                }
            }
        }

        private string RoleArn(CopyToken option)
        {
            var token = StringValue(option, "IAM_ROLE", "IAM_ROLE 'arn:aws:iam::123456789012:role/MyRedshiftRole' or IAM_ROLE default");
            // A comma-separated list is a role chain, which Redshift accepts.
            var roles = token.Value.Split(',', StringSplitOptions.TrimEntries);
            if (roles.Any(r => !r.StartsWith("arn:", StringComparison.Ordinal) || !r.Contains(":role/", StringComparison.Ordinal)))
            {
                throw new CopyParseException("IAM_ROLE", token.Position, "IAM_ROLE needs a role ARN such as 'arn:aws:iam::123456789012:role/MyRedshiftRole', a comma-separated chain of them, or default.");
            }
            return string.Join(',', roles);
        }

        private void ParseCredentialsString(CopyToken token)
        {
            string? role = null;
            foreach (var part in token.Value.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
            {
                var equals = part.IndexOf('=', StringComparison.Ordinal);
                var key = (equals < 0 ? part : part[..equals]).Trim().ToLowerInvariant();
                var value = equals < 0 ? "" : part[(equals + 1)..].Trim();
                // Only key names appear in messages; values are secrets.
                switch (key)
                {
                    case "aws_access_key_id" when value.Length > 0:
                        _accessKeyId = value;
                        break;
                    case "aws_secret_access_key" when value.Length > 0:
                        _secretAccessKey = value;
                        break;
                    case "token" when value.Length > 0:
                        _sessionToken = value;
                        break;
                    case "aws_iam_role" when value.Length > 0:
                        role = value;
                        break;
                    case "master_symmetric_key":
                        throw new CopyParseException("CREDENTIALS", token.Position, Refused["MASTER_SYMMETRIC_KEY"]);
                    case "aws_access_key_id" or "aws_secret_access_key" or "token" or "aws_iam_role":
                        throw new CopyParseException("CREDENTIALS", token.Position, $"the CREDENTIALS string has {key} without a value: write {key}=<value>.");
                    default:
                        // A misspelt key is worth naming; a part without '=' or '_' may be a pasted key itself, so it is not.
                        var shown = equals > 0 && key.Length <= 30 && key.Contains('_', StringComparison.Ordinal)
                            && key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? $"'{key}'" : "a part";
                        throw new CopyParseException("CREDENTIALS", token.Position, $"the CREDENTIALS string has {shown} that is not aws_access_key_id, aws_secret_access_key, token or aws_iam_role.");
                }
            }
            if (role is not null && (_accessKeyId ?? _secretAccessKey ?? _sessionToken) is not null)
            {
                throw new CopyParseException("CREDENTIALS", token.Position, "the CREDENTIALS string has both aws_iam_role and access keys: keep one, preferably the role.");
            }
            if (role is null && (_accessKeyId is null || _secretAccessKey is null))
            {
                throw new CopyParseException("CREDENTIALS", token.Position, "the CREDENTIALS string needs aws_access_key_id=...;aws_secret_access_key=... (or aws_iam_role=arn:...); better, " + RoleAdvice);
            }
            _credentialsString = (token, role);
        }

        private CopyAuthorization BuildAuthorization(CopyPosition from)
        {
            if (_defaultRole)
            {
                return CopyAuthorization.DefaultRole;
            }
            if (_iamRole is not null)
            {
                return CopyAuthorization.Role(_iamRole);
            }
            if (_credentialsString is { Role: { } role } viaString)
            {
                Warn("CREDENTIALS", viaString.At.Position, "a role in a CREDENTIALS string works, but IAM_ROLE 'arn' is the documented form.");
                return CopyAuthorization.Role(role);
            }
            if (_given.TryGetValue("SESSION_TOKEN", out var token) && (_accessKeyId is null || _secretAccessKey is null))
            {
                throw new CopyParseException("SESSION_TOKEN", token.Position, "SESSION_TOKEN goes with ACCESS_KEY_ID and SECRET_ACCESS_KEY; better, " + RoleAdvice);
            }
            foreach (var (given, missing) in new[] { ("ACCESS_KEY_ID", "SECRET_ACCESS_KEY"), ("SECRET_ACCESS_KEY", "ACCESS_KEY_ID") })
            {
                if (_given.TryGetValue(given, out var at) && !_given.ContainsKey(missing) && _credentialsString is null)
                {
                    throw new CopyParseException(given, at.Position, $"{given} needs {missing} too; better, " + RoleAdvice);
                }
            }
            if (_accessKeyId is not null && _secretAccessKey is not null)
            {
                var at = _credentialsString?.At ?? _given["ACCESS_KEY_ID"];
                Warn(_credentialsString is null ? "ACCESS_KEY_ID" : "CREDENTIALS", at.Position, "access keys are accepted, but " + RoleAdvice);
                return CopyAuthorization.Keys(new CopyCredentials(_accessKeyId, _secretAccessKey, _sessionToken));
            }
            Warn("IAM_ROLE", from, "no authorization: Redshift refuses a COPY without one (the local warehouse does not need it); add IAM_ROLE default or IAM_ROLE 'arn:aws:iam::<account>:role/<name>'.");
            return CopyAuthorization.None;
        }

        private CopyOptions BuildOptions()
        {
            var format = _format?.Format ?? CopyFormat.Text;
            var written = _given.OrderBy(g => g.Value.Position.Offset).ToList();
            if (format == CopyFormat.Parquet)
            {
                var parquet = _format!.Value;
                foreach (var (name, at) in written.Where(g => !ParquetOptions.Contains(g.Key)))
                {
                    var why = name is "MAXERROR" or "ACCEPTANYDATE"
                        ? "Redshift does not support it for columnar files (a Parquet COPY fails at its first error)"
                        : "with columnar files Redshift takes only MANIFEST, the authorization, ACCEPTINVCHARS, FILLRECORD, EXPLICIT_IDS and STATUPDATE (Parquet carries its own types, layout and compression)";
                    throw new CopyParseException(name, at.Position, $"{name} cannot be used with {parquet.Written} (at {parquet.At.Position}): {why}; remove {name}.");
                }
            }
            if (format == CopyFormat.Csv)
            {
                var csv = _format!.Value;
                foreach (var name in new[] { "ESCAPE", "REMOVEQUOTES" })
                {
                    if (_given.TryGetValue(name, out var at))
                    {
                        throw new CopyParseException(name, at.Position, $"{name} cannot be used with {csv.Written} (at {csv.At.Position}): in CSV, quotes protect delimiters; remove {name}, or drop CSV to load delimited text.");
                    }
                }
                if (_delimiter is { } d && d == (_quote ?? '"'))
                {
                    throw new CopyParseException("DELIMITER", _given["DELIMITER"].Position, $"DELIMITER and the CSV quote are both '{d}': choose a different delimiter or QUOTE.");
                }
            }
            else if (_given.TryGetValue("QUOTE", out var quote) && format == CopyFormat.Text)
            {
                throw new CopyParseException("QUOTE", quote.Position, "QUOTE applies only to CSV: add CSV (or FORMAT AS CSV), or remove QUOTE.");
            }
            if (_flags.TryGetValue("ACCEPTANYDATE", out var anyDate) && _dateFormat is null)
            {
                Warn("ACCEPTANYDATE", anyDate.Position, "Redshift recommends ACCEPTANYDATE only with DATEFORMAT: dates that do not match load as NULL.");
            }
            return new CopyOptions
            {
                Format = format,
                Delimiter = _delimiter,
                Quote = _quote,
                IgnoreHeader = _ignoreHeader,
                MaxError = _maxError,
                DateFormat = _dateFormat,
                TimeFormat = _timeFormat,
                NullAs = _nullAs,
                BlanksAsNull = _flags.ContainsKey("BLANKSASNULL"),
                EmptyAsNull = _flags.ContainsKey("EMPTYASNULL"),
                AcceptInvChars = _acceptInvChars,
                AcceptAnyDate = _flags.ContainsKey("ACCEPTANYDATE"),
                TruncateColumns = _flags.ContainsKey("TRUNCATECOLUMNS"),
                FillRecord = _flags.ContainsKey("FILLRECORD"),
                RemoveQuotes = _flags.ContainsKey("REMOVEQUOTES"),
                Escape = _flags.ContainsKey("ESCAPE"),
                RoundEc = _flags.ContainsKey("ROUNDEC"),
                TrimBlanks = _flags.ContainsKey("TRIMBLANKS"),
                IgnoreBlankLines = _flags.ContainsKey("IGNOREBLANKLINES"),
                ExplicitIds = _flags.ContainsKey("EXPLICIT_IDS"),
                NoLoad = _flags.ContainsKey("NOLOAD"),
                Compression = _compression?.Compression ?? CopyCompression.None,
                Region = _region,
                CompUpdate = _compUpdate,
                CompRows = _compRows,
                StatUpdate = _statUpdate,
            };
        }
    }
}
