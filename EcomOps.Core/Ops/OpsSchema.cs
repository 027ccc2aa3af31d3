namespace EcomOps.Core.Ops;

/// <summary>
/// One capability's tables in the ops database (Jobs: runs; Catalog: tables, versions, partitions; Query:
/// history, saved queries; ...). Registered in DI; the ops database applies each capability's steps in order
/// at first use and keeps a version per capability, so capabilities evolve their tables independently.
/// </summary>
/// <param name="Capability">A stable name, such as <c>jobs</c>; it keys the version kept in <c>ops_schema</c>.</param>
/// <param name="Migrations">SQL steps in order; step N (from 1) brings the capability to version N. Never edit a step that has shipped: add one.</param>
public sealed record OpsSchema(string Capability, IReadOnlyList<string> Migrations)
{
    public int Version => Migrations.Count;
}
