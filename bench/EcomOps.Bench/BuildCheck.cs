using System.Diagnostics;
using System.Reflection;

namespace EcomOps.Bench;

/// <summary>Whether code was compiled with optimizations: Debug figures are several times slower and mislead.</summary>
internal static class BuildCheck
{
    public static bool IsOptimized(Assembly assembly) =>
        assembly.GetCustomAttribute<DebuggableAttribute>() is not { IsJITOptimizerDisabled: true };
}
