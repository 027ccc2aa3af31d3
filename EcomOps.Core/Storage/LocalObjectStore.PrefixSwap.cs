using System.Runtime.InteropServices;
using System.Text.Json;

namespace EcomOps.Core.Storage;

/// <summary>
/// Prefix swaps on the local lake: a prefix is a folder, so the staged folder replaces the live one by
/// renaming. On Linux the two folders are exchanged in one <c>renameat2(RENAME_EXCHANGE)</c> call, so there is
/// no moment without the live folder; elsewhere (or on file systems without it) the live folder is renamed
/// aside and the staged one renamed into place, and a journal written first lets
/// <see cref="RecoverPrefixSwapsAsync"/> put the previous folder back if the process dies between the two.
/// </summary>
public sealed partial class LocalObjectStore
{
    private const string SwapFolder = "swaps";
    private const string JournalSuffix = ".swap.json";
    private const string AsideSuffix = ".previous";

    /// <summary>
    /// Test seam: called after each step of a swap ("journal", "exchanged", "aside", "placed"); throwing from it
    /// leaves the folders as a crash at that point would.
    /// </summary>
    internal Action<string>? OnSwapStep { get; set; }

    /// <summary>Test seam: false makes swaps use two renames even where the folders could be exchanged in one.</summary>
    internal bool ExchangeFolders { get; set; } = true;

    public async Task SwapPrefixAsync(string stagingPrefix, string targetPrefix, bool keepTargetObjects, CancellationToken cancellationToken = default)
    {
        var source = FolderOf(stagingPrefix);
        var target = FolderOf(targetPrefix);
        if (!Directory.Exists(source) || !Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories).Any())
        {
            throw new InvalidOperationException($"Nothing is staged under '{stagingPrefix}' in {DisplayName}; there is nothing to swap into '{targetPrefix}'.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        if (keepTargetObjects && Directory.Exists(target))
        {
            LinkMissingFiles(target, source);
        }

        var swaps = Path.Combine(_staging, SwapFolder);
        Directory.CreateDirectory(swaps);
        var id = Guid.NewGuid().ToString("N");
        var journal = Path.Combine(swaps, id + JournalSuffix);
        var aside = Path.Combine(swaps, id + AsideSuffix);
        await WriteJournalAsync(journal, new SwapJournal(target, source, aside)).ConfigureAwait(false);
        OnSwapStep?.Invoke("journal");

        var parent = Path.GetDirectoryName(target)!;
        Directory.CreateDirectory(parent);
        if (!Directory.Exists(target))
        {
            try
            {
                Directory.Move(source, target);
            }
            catch (DirectoryNotFoundException) when (Directory.Exists(source))
            {
                // A concurrent delete pruned the empty parent between creating it and moving into it.
                Directory.CreateDirectory(parent);
                Directory.Move(source, target);
            }

            OnSwapStep?.Invoke("placed");
        }
        else if (ExchangeFolders && TryExchange(source, target))
        {
            // The staging folder now holds the previous output.
            OnSwapStep?.Invoke("exchanged");
            Directory.Delete(source, recursive: true);
        }
        else
        {
            Directory.Move(target, aside);
            OnSwapStep?.Invoke("aside");
            try
            {
                Directory.Move(source, target);
            }
            catch (Exception) when (!Directory.Exists(target))
            {
                Directory.Move(aside, target);
                throw;
            }

            OnSwapStep?.Invoke("placed");
            Directory.Delete(aside, recursive: true);
        }

        File.Delete(journal);
        PruneEmptyFolders(Path.GetDirectoryName(source));
    }

    public async Task<int> RecoverPrefixSwapsAsync(CancellationToken cancellationToken = default)
    {
        var swaps = Path.Combine(_staging, SwapFolder);
        if (!Directory.Exists(swaps))
        {
            return 0;
        }

        var repaired = 0;
        foreach (var journal in Directory.EnumerateFiles(swaps, "*" + JournalSuffix).ToList())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var swap = await ReadJournalAsync(journal, cancellationToken).ConfigureAwait(false);
            if (swap is not null)
            {
                if (Directory.Exists(swap.Aside) && !Directory.Exists(swap.Target))
                {
                    // Died between the two renames: the previous folder is complete, the new one may be anything.
                    Directory.Move(swap.Aside, swap.Target);
                }

                DeleteFolderIfExists(swap.Aside);
                DeleteFolderIfExists(swap.Staging);
                PruneEmptyFolders(Path.GetDirectoryName(swap.Staging));
                repaired++;
            }

            File.Delete(journal);
        }

        // A crash between writing a journal and reading it back can leave an aside folder without one.
        foreach (var orphan in Directory.EnumerateDirectories(swaps, "*" + AsideSuffix))
        {
            Directory.Delete(orphan, recursive: true);
        }

        return repaired;
    }

    private string FolderOf(string prefix)
    {
        ObjectKey.ValidatePrefix(prefix);
        if (!prefix.EndsWith('/'))
        {
            throw new ArgumentException($"Invalid prefix '{prefix}': a swapped prefix names a folder and ends with '/'.", nameof(prefix));
        }

        return PathOf(prefix.TrimEnd('/'));
    }

    // Append: the target's files join the staged ones, as hard links (no copying) where the file system allows.
    private static void LinkMissingFiles(string target, string source)
    {
        foreach (var file in Directory.EnumerateFiles(target, "*", SearchOption.AllDirectories))
        {
            var staged = Path.Combine(source, Path.GetRelativePath(target, file));
            if (File.Exists(staged))
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(staged)!);
            if (!TryHardLink(file, staged))
            {
                File.Copy(file, staged);
            }
        }
    }

    private static void DeleteFolderIfExists(string folder)
    {
        if (Directory.Exists(folder))
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static async Task WriteJournalAsync(string path, SwapJournal swap)
    {
        await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None))
        {
            await JsonSerializer.SerializeAsync(file, swap).ConfigureAwait(false);
            file.Flush(flushToDisk: true);
        }
    }

    private static async Task<SwapJournal?> ReadJournalAsync(string path, CancellationToken cancellationToken)
    {
        try
        {
            await using var file = File.OpenRead(path);
            return await JsonSerializer.DeserializeAsync<SwapJournal>(file, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            // Cut short by the crash before any rename happened (the journal is flushed before the first one).
            return null;
        }
    }

    private static bool TryExchange(string a, string b)
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            return NativeMethods.renameat2(NativeMethods.AtFdCwd, a, NativeMethods.AtFdCwd, b, NativeMethods.RenameExchange) == 0;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            // A C library without renameat2 (glibc before 2.28, musl before 1.2.2): two renames will do.
            return false;
        }
    }

    private static bool TryHardLink(string existing, string link)
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return false;
        }

        try
        {
            return NativeMethods.link(existing, link) == 0;
        }
        catch (Exception e) when (e is EntryPointNotFoundException or DllNotFoundException)
        {
            return false;
        }
    }

    /// <summary>What a swap in progress is doing, written before the first rename.</summary>
    private sealed record SwapJournal(string Target, string Staging, string Aside);

    private static class NativeMethods
    {
        public const int AtFdCwd = -100;
        public const uint RenameExchange = 2;

        [DllImport("libc", SetLastError = true)]
        public static extern int renameat2(int olddirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string oldpath, int newdirfd, [MarshalAs(UnmanagedType.LPUTF8Str)] string newpath, uint flags);

        [DllImport("libc", SetLastError = true)]
        public static extern int link([MarshalAs(UnmanagedType.LPUTF8Str)] string oldpath, [MarshalAs(UnmanagedType.LPUTF8Str)] string newpath);
    }
}
