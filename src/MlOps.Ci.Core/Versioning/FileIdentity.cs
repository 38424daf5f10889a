using System.Runtime.InteropServices;

namespace MlOps.Ci.Versioning;

/// <summary>
/// What identifies a file's content without reading it: size, modification time and inode (the triple DVC and git use).
/// When all three match a cached entry the cached hash is trusted; any change means the file is hashed again.
/// </summary>
public readonly record struct FileIdentity(long Size, long ModifiedTicks, ulong Inode)
{
    public static FileIdentity? Of(string path)
    {
        if (UnixStat.TryGet(path, out var identity))
            return identity;
        var info = new FileInfo(path);
        return info.Exists ? new FileIdentity(info.Length, info.LastWriteTimeUtc.Ticks, 0) : null;
    }

    /// <summary>
    /// One stat(2) call gives all three on Linux (glibc 2.33+ exports stat; x86-64 and arm64 share the offsets used).
    /// Elsewhere, or if the call is unavailable, FileInfo supplies size and time and the inode is left out.
    /// </summary>
    private static class UnixStat
    {
        private static bool _unavailable = !OperatingSystem.IsLinux() || RuntimeInformation.ProcessArchitecture is not (Architecture.X64 or Architecture.Arm64);

        public static unsafe bool TryGet(string path, out FileIdentity identity)
        {
            identity = default;
            if (_unavailable)
                return false;
            var buffer = stackalloc byte[256];
            try
            {
                if (stat(path, buffer) != 0)
                    return false;
            }
            catch (Exception exception) when (exception is EntryPointNotFoundException or DllNotFoundException)
            {
                _unavailable = true;
                return false;
            }
            var inode = *(ulong*)(buffer + 8);
            var size = *(long*)(buffer + 48);
            var seconds = *(long*)(buffer + 88);
            var nanoseconds = *(long*)(buffer + 96);
            identity = new FileIdentity(size, DateTime.UnixEpoch.Ticks + seconds * TimeSpan.TicksPerSecond + nanoseconds / 100, inode);
            return true;
        }

        [DllImport("libc", SetLastError = true)]
        private static extern unsafe int stat([MarshalAs(UnmanagedType.LPUTF8Str)] string path, byte* buffer);
    }
}
