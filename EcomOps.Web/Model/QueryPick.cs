using EcomOps.Core.Query;

namespace EcomOps.Web.Model;

/// <summary>SQL picked from the side panel (a saved query, a history line) with what it runs on.</summary>
public sealed record QueryPick(string Sql, QueryTarget Target);
