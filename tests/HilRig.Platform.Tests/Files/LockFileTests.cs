using HilRig.Platform.Files;
using Xunit;

namespace HilRig.Platform.Tests.Files;

/// <summary>A lock a stranger cannot hijack: planted symlinks are refused or replaced, never followed.</summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
[Collection(LockCollection.Name)]
public sealed class LockFileTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("hilrig-lockfile-").FullName;
    private readonly string _victim;

    public LockFileTests()
    {
        _victim = Path.Combine(Directory.CreateTempSubdirectory("hilrig-victim-").FullName, "precious.conf");
        File.WriteAllText(_victim, "precious contents\n");
    }

    public void Dispose()
    {
        Directory.Delete(_directory, recursive: true);
        Directory.Delete(Path.GetDirectoryName(_victim)!, recursive: true);
    }

    [Fact]
    public void One_holder_at_a_time_and_the_next_comer_reads_who()
    {
        var path = Path.Combine(_directory, "bench.lock");
        using (var first = LockFile.TryAcquire(path, "pid 1 (hilrig run)"))
        {
            Assert.NotNull(first);
            Assert.Null(LockFile.TryAcquire(path, "pid 2 (hilrig serve)"));
            Assert.Equal("pid 1 (hilrig run)", LockFile.Holder(path));
        }
        using var second = LockFile.TryAcquire(path, "pid 2 (hilrig serve)");
        Assert.NotNull(second);
    }

    [Fact]
    public void A_symlink_where_the_lock_goes_is_refused_and_its_target_untouched()
    {
        var path = Path.Combine(_directory, "bench.lock");
        File.CreateSymbolicLink(path, _victim);

        var error = Assert.Throws<IOException>(() => LockFile.TryAcquire(path, "pid 1 (hilrig run)"));

        Assert.Contains($"{path} is a symbolic link", error.Message, StringComparison.Ordinal);
        Assert.Contains("refusing to follow it", error.Message, StringComparison.Ordinal);
        Assert.Equal("precious contents\n", File.ReadAllText(_victim));
    }

    [Fact]
    public void A_symlink_where_the_owner_record_goes_is_replaced_and_its_target_untouched()
    {
        var path = Path.Combine(_directory, "bench.lock");
        File.CreateSymbolicLink(path + ".owner", _victim);

        using var held = LockFile.TryAcquire(path, "pid 1 (hilrig run)");

        Assert.NotNull(held);
        Assert.Equal("precious contents\n", File.ReadAllText(_victim));
        Assert.Null(new FileInfo(path + ".owner").LinkTarget);
        Assert.Equal("pid 1 (hilrig run)", File.ReadAllText(path + ".owner"));
    }

    [Fact]
    public void The_lock_file_is_writable_by_the_group_whatever_the_umask()
    {
        var path = Path.Combine(_directory, "bench.lock");
        using var held = LockFile.TryAcquire(path, "pid 1 (hilrig run)");
        var mode = File.GetUnixFileMode(path);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, mode);
    }

    [Fact]
    public void A_directory_every_user_may_write_without_the_sticky_bit_is_refused()
    {
        File.SetUnixFileMode(_directory, (UnixFileMode)0x1FF); // 0777
        var error = Assert.Throws<IOException>(() => SharedDirectory.CheckShared(_directory));
        Assert.Contains("writable by every user and not sticky (mode 777)", error.Message, StringComparison.Ordinal);

        File.SetUnixFileMode(_directory, (UnixFileMode)0x3FF); // 1777, like /tmp
        Assert.Equal(_directory, SharedDirectory.CheckShared(_directory));
    }

    [Fact]
    public void A_symlink_in_place_of_a_private_directory_is_refused()
    {
        var link = Path.Combine(_directory, "runtime");
        Directory.CreateSymbolicLink(link, Path.GetDirectoryName(_victim)!);
        var error = Assert.Throws<IOException>(() => SharedDirectory.EnsurePrivate(link));
        Assert.Contains("is a symbolic link, not a directory", error.Message, StringComparison.Ordinal);
    }
}

/// <summary>
/// Lock tests run alone in their assembly: an flock belongs to the open file, and a process another test forks
/// in parallel holds a copy of every open file until it executes its program (the lock file is close-on-exec, so
/// only for that instant). A lock released and taken again at once can meet that copy and find itself taken.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LockCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "bench locks, run alone";
}
