using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;

namespace MlOps.Ci.Training.External;

/// <summary>
/// Kills a process and every descendant, including one forked while the kill is under way. Process.Kill(true) lists
/// the tree and then kills it, so a child forked in between is orphaned and lives on — a trainer that starts worker
/// processes would leave one holding the GPU or the CPU after its build failed. On Linux the tree is frozen first
/// (SIGSTOP, parents before children, until a pass finds no new process), so nothing can fork, and then killed.
/// </summary>
internal static partial class ProcessTree
{
    private const int SigKill = 9;
    private const int SigStop = 19;

    public static void Kill(Process root)
    {
        if (!OperatingSystem.IsLinux())
        {
            root.Kill(entireProcessTree: true);
            return;
        }
        var frozen = new HashSet<int>();
        // A stopped process cannot fork, so each pass can only find children forked before their parent stopped.
        for (var pass = 0; pass < 10; pass++)
        {
            var tree = Descendants(root.Id).Prepend(root.Id).Where(pid => !frozen.Contains(pid)).ToList();
            if (tree.Count == 0)
                break;
            foreach (var pid in tree)
            {
                SendSignal(pid, SigStop);
                frozen.Add(pid);
            }
        }
        foreach (var pid in frozen)
            SendSignal(pid, SigKill);
        // SIGKILL is delivered asynchronously: under load a process can still be listed for a while after it. The step
        // returns only once none of the tree runs any more (bounded, so a process stuck in the kernel cannot hang it).
        var deadline = Environment.TickCount64 + 5_000;
        while (frozen.Any(IsAlive) && Environment.TickCount64 < deadline)
            Thread.Sleep(10);
    }

    /// <summary>Still a process and not a zombie (a zombie holds nothing but its exit status).</summary>
    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..] is not ['Z', ..] and not ['X', ..];
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or IndexOutOfRangeException)
        {
            return false;
        }
    }

    /// <summary>Every process whose chain of parents reaches <paramref name="rootId"/>, read from /proc.</summary>
    private static IEnumerable<int> Descendants(int rootId)
    {
        var children = new Dictionary<int, List<int>>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || ParentOf(pid) is not { } parent)
                continue;
            if (!children.TryGetValue(parent, out var list))
                children[parent] = list = [];
            list.Add(pid);
        }
        var pending = new Stack<int>([rootId]);
        while (pending.Count > 0)
        {
            foreach (var child in children.GetValueOrDefault(pending.Pop()) ?? [])
            {
                yield return child;
                pending.Push(child);
            }
        }
    }

    /// <summary>The parent pid from /proc/PID/stat ("pid (comm) state ppid …"; comm may hold spaces and parentheses).</summary>
    private static int? ParentOf(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ', 3);
            return int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent) ? parent : null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or IndexOutOfRangeException)
        {
            return null; // gone meanwhile, or not ours to read
        }
    }

    // A process that has already gone makes kill fail with ESRCH, which is the outcome wanted anyway.
    private static void SendSignal(int pid, int signal) => _ = KillNative(pid, signal);

    [LibraryImport("libc", EntryPoint = "kill")]
    private static partial int KillNative(int pid, int signal);
}
