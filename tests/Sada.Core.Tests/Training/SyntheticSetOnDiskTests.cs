using System.Security.Cryptography;
using Sada.Core.Benchmarks;

namespace Sada.Core.Tests.Training;

public class SyntheticSetOnDiskTests
{
    [Fact]
    public void A_large_set_draws_few_cells_copies_the_rest_per_class_and_is_reused()
    {
        var folder = Path.Combine(Path.GetTempPath(), "sada-set-" + Guid.NewGuid().ToString("N"));
        try
        {
            var (data, seconds) = SyntheticSetOnDisk.Ensure(folder, images: 60, centers: 2, size: 32, seed: 1, distinct: 15);
            Assert.Equal(60, data.Samples.Count);
            Assert.True(seconds > 0);
            Assert.All(data.Samples, s => Assert.True(File.Exists(s.Path)));
            // Copies never cross a center or a class: each (center, class) holds only its own drawn cells' bytes.
            var contents = data.Samples.GroupBy(s => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(s.Path)))).ToList();
            int drawn = data.Samples.GroupBy(s => (s.Center, s.Label)).Sum(g => (int)Math.Ceiling(g.Count() * 15 / 60.0));
            Assert.Equal(drawn, contents.Count);   // ceil(n x 15/60) drawn per (center, class), each different
            Assert.All(contents, g => Assert.Single(g.Select(s => (s.Center, s.Label)).Distinct()));

            var (again, reusedSeconds) = SyntheticSetOnDisk.Ensure(folder, images: 60, centers: 2, size: 32, seed: 1, distinct: 15);
            Assert.Equal(0, reusedSeconds);
            Assert.Equal(data.Samples.Select(s => s.Path), again.Samples.Select(s => s.Path));
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }
}
