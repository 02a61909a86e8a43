using Sada.Core.Data;
using Sada.Core.Training;
using static TorchSharp.torch;

namespace Sada.Core.Tests.Training;

public class BatchPipelineTests
{
    static IReadOnlyList<CellSample>[] CellsOf(int step) => [[new CellSample(0, step % 3, $"cell{step}")]];

    /// <summary>A batch whose pixels say which step made it, after a pause that stands for decoding and cropping.</summary>
    static PreparedBatch Make(IReadOnlyList<CellSample>[] cells, int step, int pauseMs, Dictionary<int, int>? threads = null)
    {
        if (threads is not null) lock (threads) threads[step] = Environment.CurrentManagedThreadId;
        Thread.Sleep(pauseMs);
        using var scope = NewDisposeScope();
        var images = full(new long[] { 1, 3, 4, 4 }, step, dtype: ScalarType.Float32).DetachFromDisposeScope();
        var labels = tensor(new long[] { cells[0][0].Label }).DetachFromDisposeScope();
        return new PreparedBatch([new CenterMinibatch(0, images, labels)]);
    }

    [Fact]
    public void Every_step_gets_its_own_batch_ahead_or_not()
    {
        foreach (var depth in new[] { 0, 1, 3 })
        {
            using var pipeline = new BatchPipeline(CellsOf, (c, s) => Make(c, s, 1), endStep: 10, depth);
            for (int step = 2; step < 10; step++)
            {
                using var batch = pipeline.Take(step);
                Assert.Equal(step, batch.Centers[0].Images[0, 0, 0, 0].item<float>());
                Assert.Equal(step % 3, batch.Centers[0].Labels[0].item<long>());
            }
        }
    }

    [Fact]
    public void Batches_are_made_off_the_training_thread_while_it_works_so_the_step_does_not_wait()
    {
        var threads = new Dictionary<int, int>();
        using var made = new CountdownEvent(8);
        using var pipeline = new BatchPipeline(CellsOf, (c, s) =>
        {
            var batch = Make(c, s, 20, threads);
            made.Signal();
            return batch;
        }, endStep: 8, depth: 2);
        using (pipeline.Take(0)) { }
        var waitedForFirst = pipeline.Waited;
        for (int step = 1; step < 8; step++)
        {
            // The step's work, outside Take: the pipeline makes the next batches meanwhile, unasked. Waiting on their
            // making (not on a clock) keeps this true on a loaded machine, where a pool thread may start late.
            Assert.True(SpinWait.SpinUntil(() => made.CurrentCount <= 8 - Math.Min(step + 1, 8), TimeSpan.FromSeconds(60)), $"batch {step} was never made ahead");
            using var _ = pipeline.Take(step);
        }
        // The later batches were ready when taken. (How long the first, cold one waited depends on when the pool started it.)
        Assert.True(pipeline.Waited - waitedForFirst < TimeSpan.FromMilliseconds(60),
            $"later steps waited {(pipeline.Waited - waitedForFirst).TotalMilliseconds} ms in all");
        // The first batch may be made on the waiting thread itself (a task not yet started is run inline); the rest are not.
        lock (threads) Assert.All(threads.Where(t => t.Key > 0), t => Assert.NotEqual(Environment.CurrentManagedThreadId, t.Value));
    }

    [Fact]
    public void Without_lookahead_the_whole_making_of_the_batch_is_waiting()
    {
        using var pipeline = new BatchPipeline(CellsOf, (c, s) => Make(c, s, 20), endStep: 4, depth: 0);
        for (int step = 0; step < 4; step++) using (pipeline.Take(step)) { }
        Assert.True(pipeline.Waited >= TimeSpan.FromMilliseconds(75), $"waited {pipeline.Waited.TotalMilliseconds} ms");
    }

    [Fact]
    public void A_failure_making_a_batch_reaches_the_step_that_needs_it()
    {
        using var pipeline = new BatchPipeline(CellsOf,
            (c, s) => s == 3 ? throw new InvalidOperationException("cannot read cell3") : Make(c, s, 0), endStep: 6, depth: 2);
        for (int step = 0; step < 3; step++) using (pipeline.Take(step)) { }
        Assert.Equal("cannot read cell3", Assert.Throws<InvalidOperationException>(() => pipeline.Take(3)).Message);
    }

    [Fact]
    public void A_negative_depth_is_refused()
    {
        Assert.Contains("-1", Assert.Throws<ArgumentException>(() => new BatchPipeline(CellsOf, (c, s) => Make(c, s, 0), 4, -1)).Message);
    }
}
