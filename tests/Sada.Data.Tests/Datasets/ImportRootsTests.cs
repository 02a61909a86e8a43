using Sada.Data.Datasets;

namespace Sada.Data.Tests.Datasets;

public sealed class ImportRootsTests : IDisposable
{
    /// <summary>top/allowed/cells (inside the root), top/secret (outside), and links between them.</summary>
    readonly string top = Path.Combine(Path.GetTempPath(), "sada-roots-" + Guid.NewGuid().ToString("N"));
    string Allowed => Path.Combine(top, "allowed");

    public ImportRootsTests()
    {
        Directory.CreateDirectory(Path.Combine(Allowed, "cells", "h1"));
        Directory.CreateDirectory(Path.Combine(top, "secret"));
    }

    public void Dispose()
    {
        try { Directory.Delete(top, recursive: true); } catch (IOException) { }
    }

    [Fact]
    public void A_folder_inside_a_root_resolves_to_its_real_path()
    {
        var roots = new ImportRoots(["", Allowed]);
        Assert.True(roots.Enabled);
        Assert.Equal(Path.Combine(Allowed, "cells"), roots.Resolve(Path.Combine(Allowed, "cells")));
        Assert.Equal(Path.Combine(Allowed, "cells"), roots.Resolve(Path.Combine(Allowed, "cells", "h1", "..", ".")));
        Assert.Equal(Allowed, roots.Resolve(Allowed + "/"));
    }

    [Fact]
    public void Dot_dot_out_of_the_root_is_refused_naming_the_folder_and_the_roots()
    {
        var roots = new ImportRoots([Allowed]);
        var escape = Path.Combine(Allowed, "cells", "..", "..", "secret");

        var e = Assert.Throws<DatasetException>(() => roots.Resolve(escape));

        Assert.Equal($"the folder '{escape}' is outside the allowed import roots: '{Allowed}'", e.Message);
    }

    [Fact]
    public void A_root_name_as_a_prefix_is_not_inside_it()
    {
        Directory.CreateDirectory(Allowed + "-not");
        var e = Assert.Throws<DatasetException>(() => new ImportRoots([Allowed]).Resolve(Allowed + "-not"));
        Assert.Contains("outside the allowed import roots", e.Message);
    }

    [Fact]
    public void A_symlink_inside_the_root_pointing_out_is_refused_with_where_it_leads()
    {
        var link = Path.Combine(Allowed, "cells", "shortcut");
        Directory.CreateSymbolicLink(link, Path.Combine(top, "secret"));
        var roots = new ImportRoots([Allowed]);

        var e = Assert.Throws<DatasetException>(() => roots.Resolve(link));

        Assert.Equal($"the folder '{link}' (resolved: '{Path.Combine(top, "secret")}') is outside the allowed import roots: '{Allowed}'", e.Message);
        // Through the link and back up: ".." climbs from the link's target (top/secret), as the kernel does, to top.
        Assert.Throws<DatasetException>(() => roots.Resolve(Path.Combine(link, "..", "allowed", "..", "secret")));
    }

    [Fact]
    public void A_symlinked_root_and_a_relative_link_staying_inside_are_accepted()
    {
        var rootLink = Path.Combine(top, "root-link");
        Directory.CreateSymbolicLink(rootLink, Allowed);
        Directory.CreateSymbolicLink(Path.Combine(Allowed, "again"), "cells/h1");
        var roots = new ImportRoots([rootLink]);

        Assert.Equal(Path.Combine(Allowed, "cells", "h1"), roots.Resolve(Path.Combine(rootLink, "again")));
        Assert.Equal(Path.Combine(Allowed, "cells"), roots.Resolve(Path.Combine(Allowed, "cells")));
    }

    [Fact]
    public void Without_roots_server_folders_are_off_and_a_missing_folder_is_named()
    {
        var off = new ImportRoots([]);
        Assert.False(off.Enabled);
        Assert.Equal("importing from a server folder is off: no allowed import root is configured",
            Assert.Throws<DatasetException>(() => off.Resolve(Allowed)).Message);

        var missing = Path.Combine(Allowed, "nope");
        Assert.Equal($"no folder '{missing}' on the server", Assert.Throws<DatasetException>(() => new ImportRoots([Allowed]).Resolve(missing)).Message);
    }

    [Fact]
    public void A_cycle_of_links_fails_instead_of_looping()
    {
        Directory.CreateSymbolicLink(Path.Combine(Allowed, "a"), Path.Combine(Allowed, "b"));
        Directory.CreateSymbolicLink(Path.Combine(Allowed, "b"), Path.Combine(Allowed, "a"));
        Assert.Contains("too many symbolic links", Assert.Throws<DatasetException>(() => new ImportRoots([Allowed]).Resolve(Path.Combine(Allowed, "a"))).Message);
    }
}
