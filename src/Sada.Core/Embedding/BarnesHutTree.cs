using System.Collections.Concurrent;

namespace Sada.Core.Embedding;

/// <summary>
/// Barnes-Hut repulsion for 2-D t-SNE (van der Maaten 2014): a quadtree over the points, and for each point a walk
/// that treats a cell as one point at its centre of mass when width / distance &lt; θ. Plain arrays and Parallel.For:
/// the walk is branchy, pointer-chasing work that tensors cannot express, and it is O(N log N) whatever the
/// embedding's span (the FFT grid grows with the span², which made it slower here; see <see cref="Tsne"/>).
/// </summary>
internal sealed class BarnesHutTree
{
    const int MaxDepth = 48;
    readonly double _theta2;
    readonly int _threads;
    // Nodes as parallel arrays: cell centre and half width, mass and position sums, first of four children (-1: leaf).
    double[] _cx = [], _cy = [], _half = [], _mass = [], _sx = [], _sy = [];
    int[] _child = [];
    int _count;
    // What the walk reads, packed per node so one cache line serves a visit (centre of mass, mass, width², children),
    // with empty quadrants dropped: they were a third of the visits.
    WalkNode[] _walk = [];
    int[] _queue = [];

    struct WalkNode
    {
        public double X, Y, Mass, Width2;
        public int Child, Children;
    }

    public BarnesHutTree(double theta = 0.5, int threads = 2)
    {
        if (theta <= 0 || theta > 0.7) throw new ArgumentOutOfRangeException(nameof(theta), "θ in (0, 0.7] keeps a point's own cell from being summarised.");
        _theta2 = theta * theta;
        _threads = Math.Max(1, threads);
    }

    /// <summary>Σ_j w_ij² (y_i−y_j) into <paramref name="numerator"/> (row-major N×2) and returns Z = Σ_{i≠j} w_ij.</summary>
    public double Repulsion(ReadOnlySpan<double> y, double[] numerator)
    {
        int n = y.Length / 2;
        Build(y);
        Pack();
        var zPerPoint = new double[n];
        var points = y.ToArray();
        var options = new ParallelOptions { MaxDegreeOfParallelism = _threads };
        Parallel.ForEach(Partitioner.Create(0, n, Math.Max(64, n / (8 * _threads))), options, range =>
        {
            Span<int> stack = stackalloc int[4 * MaxDepth + 8];
            for (int i = range.Item1; i < range.Item2; i++)
                zPerPoint[i] = Walk(points[2 * i], points[2 * i + 1], stack, out numerator[2 * i], out numerator[2 * i + 1]);
        });
        // Summed in index order, so the result does not depend on the thread schedule.
        double z = 0;
        foreach (var v in zPerPoint) z += v;
        return z;
    }

    void Pack()
    {
        if (_walk.Length < _count) { _walk = new WalkNode[_cx.Length]; _queue = new int[_cx.Length]; }
        // Breadth first, so each node's non-empty children sit next to each other.
        int packed = 0, head = 0;
        _walk[packed] = Packed(0);
        _queue[packed++] = 0;
        while (head < packed)
        {
            int at = head, node = _queue[head++];
            if (_child[node] < 0) continue;
            int first = packed;
            for (int q = 0; q < 4; q++)
            {
                int c = _child[node] + q;
                if (_mass[c] == 0) continue;
                _walk[packed] = Packed(c);
                _queue[packed++] = c;
            }
            _walk[at].Child = first;
            _walk[at].Children = packed - first;
        }
    }

    WalkNode Packed(int i) => new()
    {
        X = _sx[i] / _mass[i],
        Y = _sy[i] / _mass[i],
        Mass = _mass[i],
        Width2 = 4 * _half[i] * _half[i],
        Child = -1,
    };

    double Walk(double x, double y, Span<int> stack, out double fx, out double fy)
    {
        var nodes = _walk;
        double z = 0, sumX = 0, sumY = 0;
        int top = 0;
        stack[top++] = 0;
        while (top > 0)
        {
            ref readonly var node = ref nodes[stack[--top]];
            double mass = node.Mass;
            double dx = x - node.X, dy = y - node.Y;
            double d2 = dx * dx + dy * dy;
            bool leaf = node.Child < 0;
            if (leaf && d2 == 0)
            {
                z += mass - 1; // the point itself and any exact duplicates: w = 1, no force
                continue;
            }
            if (leaf || node.Width2 < _theta2 * d2)
            {
                double w = 1 / (1 + d2);
                double mw = mass * w;
                z += mw;
                mw *= w;
                sumX += mw * dx;
                sumY += mw * dy;
            }
            else
            {
                for (int c = node.Child, end = c + node.Children; c < end; c++) stack[top++] = c;
            }
        }
        fx = sumX; fy = sumY;
        return z;
    }

    void Build(ReadOnlySpan<double> y)
    {
        int n = y.Length / 2;
        double minX = double.PositiveInfinity, minY = double.PositiveInfinity, maxX = double.NegativeInfinity, maxY = double.NegativeInfinity;
        for (int i = 0; i < n; i++)
        {
            minX = Math.Min(minX, y[2 * i]); maxX = Math.Max(maxX, y[2 * i]);
            minY = Math.Min(minY, y[2 * i + 1]); maxY = Math.Max(maxY, y[2 * i + 1]);
        }
        _count = 0;
        Ensure(4 * n + 1);
        double half = Math.Max(Math.Max(maxX - minX, maxY - minY) / 2 * (1 + 1e-6), 1e-12);
        NewNode((minX + maxX) / 2, (minY + maxY) / 2, half);
        for (int i = 0; i < n; i++) Insert(y[2 * i], y[2 * i + 1]);
    }

    void Insert(double x, double y)
    {
        int node = 0;
        for (int depth = 0; ; depth++)
        {
            if (_child[node] >= 0)
            {
                _mass[node] += 1; _sx[node] += x; _sy[node] += y;
                node = _child[node] + Quadrant(node, x, y);
                continue;
            }
            if (_mass[node] == 0)
            {
                _mass[node] = 1; _sx[node] = x; _sy[node] = y;
                return;
            }
            double m = _mass[node];
            double px = _sx[node] / m, py = _sy[node] / m;
            if ((px == x && py == y) || depth >= MaxDepth)
            {
                // Duplicates (or a cell too small to split further) share one leaf.
                _mass[node] += 1; _sx[node] += x; _sy[node] += y;
                return;
            }
            // Split the leaf: its content moves to the child quadrant it falls in, then the new point goes on down.
            Ensure(_count + 4);
            double h = _half[node] / 2;
            int first = _count;
            for (int q = 0; q < 4; q++)
                NewNode(_cx[node] + ((q & 1) == 0 ? -h : h), _cy[node] + ((q & 2) == 0 ? -h : h), h);
            int target = first + Quadrant(node, px, py);
            _mass[target] = m; _sx[target] = _sx[node]; _sy[target] = _sy[node];
            _child[node] = first;
            _mass[node] += 1; _sx[node] += x; _sy[node] += y;
            node = first + Quadrant(node, x, y);
            // The content just moved sits in a leaf; the loop continues from the new point's child.
            if (node == target) continue;
            _mass[node] = 1; _sx[node] = x; _sy[node] = y;
            return;
        }
    }

    int Quadrant(int node, double x, double y) => (x < _cx[node] ? 0 : 1) | (y < _cy[node] ? 0 : 2);

    void NewNode(double cx, double cy, double half)
    {
        int i = _count++;
        _cx[i] = cx; _cy[i] = cy; _half[i] = half;
        _mass[i] = 0; _sx[i] = 0; _sy[i] = 0; _child[i] = -1;
    }

    void Ensure(int capacity)
    {
        if (_cx.Length >= capacity) return;
        int size = Math.Max(capacity, _cx.Length * 2);
        Array.Resize(ref _cx, size); Array.Resize(ref _cy, size); Array.Resize(ref _half, size);
        Array.Resize(ref _mass, size); Array.Resize(ref _sx, size); Array.Resize(ref _sy, size);
        Array.Resize(ref _child, size);
    }
}
