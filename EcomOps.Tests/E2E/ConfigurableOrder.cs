using Xunit.Abstractions;
using Xunit.Sdk;

namespace EcomOps.Tests.E2E;

/// <summary>
/// Runs a class's browser tests in the order ECOMOPS_TEST_ORDER asks for: unset, by name; <c>reverse</c>, by name
/// reversed; <c>random</c> or <c>random:SEED</c>, shuffled (the seed is printed). The tests must pass in any order;
/// this is how to show it.
/// </summary>
public sealed class ConfigurableOrder(IMessageSink diagnostics) : ITestCaseOrderer
{
    public const string TypeName = "EcomOps.Tests.E2E.ConfigurableOrder";

    public const string AssemblyName = "EcomOps.Tests";

    public IEnumerable<TTestCase> OrderTestCases<TTestCase>(IEnumerable<TTestCase> testCases)
        where TTestCase : ITestCase
    {
        var byName = testCases.OrderBy(t => t.TestMethod.Method.Name, StringComparer.Ordinal).ToList();
        var order = Environment.GetEnvironmentVariable("ECOMOPS_TEST_ORDER") ?? "";
        if (order == "reverse")
        {
            byName.Reverse();
            return byName;
        }

        if (order.StartsWith("random", StringComparison.Ordinal))
        {
            var seed = order.Length > "random:".Length ? int.Parse(order["random:".Length..], System.Globalization.CultureInfo.InvariantCulture) : Random.Shared.Next();
            diagnostics.OnMessage(new DiagnosticMessage($"Browser tests of {byName.FirstOrDefault()?.TestMethod.TestClass.Class.Name} in random order, seed {seed}"));
            var random = new Random(seed);
            for (var i = byName.Count - 1; i > 0; i--)
            {
                var j = random.Next(i + 1);
                (byName[i], byName[j]) = (byName[j], byName[i]);
            }

            return byName;
        }

        return byName;
    }
}
