namespace Sada.Core.Synthetic;

/// <summary>
/// Draws one white blood cell with its neighbouring red cells as two stain-concentration maps (a nuclear,
/// hematoxylin/azure-like stain and an eosin-like stain), size x size, row-major. Shapes only: colour comes
/// later from a <see cref="CenterStyle"/>, so a class looks the same in every center up to stain and camera.
/// </summary>
internal sealed class CellPainter
{
    readonly int size;
    readonly Random random;
    public readonly float[] Nuclear;
    public readonly float[] Eosin;

    public CellPainter(int size, Random random)
    {
        this.size = size;
        this.random = random;
        Nuclear = new float[size * size];
        Eosin = new float[size * size];
    }

    double U(double lo, double hi) => lo + (hi - lo) * random.NextDouble();

    /// <summary>A blob of the nucleus: an ellipse with a wobbly outline.</summary>
    sealed record Lobe(double X, double Y, double A, double B, double Angle, double[] Wobble, double[] Phase);

    /// <summary>A thin chromatin strand joining two lobes.</summary>
    sealed record Strand(double X0, double Y0, double X1, double Y1, double HalfWidth);

    public void Paint(string cellClass)
    {
        double s = size;
        double cx = s / 2 + U(-0.05, 0.05) * s, cy = s / 2 + U(-0.05, 0.05) * s;
        double angle = U(0, 2 * Math.PI);
        var cls = cellClass;
        double radius = cls switch
        {
            "lymphocyte" => U(0.19, 0.24),
            "neutrophil" => U(0.29, 0.34),
            "monocyte" => U(0.35, 0.41),
            "eosinophil" => U(0.30, 0.35),
            "basophil" => U(0.26, 0.31),
            _ => U(0.25, 0.35),
        } * s;

        PaintRedCells(cx, cy, radius);
        PaintPlatelets(cx, cy, radius);

        var lobes = new List<Lobe>();
        var strands = new List<Strand>();
        (double X, double Y, double R)? notch = null;
        double nucH, nucE, cytoH, cytoE, chromatinScale, chromatinContrast, wobble = 0.03;
        switch (cls)
        {
            case "neutrophil":
            {
                // 3 to 5 lobes along a C- or S-shaped arc, joined by thin strands.
                int n = random.NextDouble() switch { < 0.35 => 3, < 0.8 => 4, _ => 5 };
                double arcR = radius * U(0.36, 0.46), start = U(0, 2 * Math.PI), span = U(3.4, 4.6) * (random.Next(2) == 0 ? 1 : -1);
                double bend = U(-0.25, 0.25);
                for (int i = 0; i < n; i++)
                {
                    double t = n == 1 ? 0 : (double)i / (n - 1);
                    double a = start + span * (t - 0.5) * (n / 5.0 + 0.2);
                    double rr = arcR * (1 + bend * Math.Sin(2 * Math.PI * t)) * U(0.9, 1.1);
                    double lx = rr * Math.Cos(a), ly = rr * Math.Sin(a);
                    double la = radius * U(0.22, 0.28);
                    lobes.Add(NewLobe(lx, ly, la, la * U(0.7, 0.9), a + Math.PI / 2 + U(-0.4, 0.4), 0.08));
                }
                for (int i = 0; i + 1 < n; i++)
                    strands.Add(new Strand(lobes[i].X, lobes[i].Y, lobes[i + 1].X, lobes[i + 1].Y, radius * U(0.035, 0.06)));
                (nucH, nucE, cytoH, cytoE) = (1.15, 0.12, 0.10, 0.30);
                (chromatinScale, chromatinContrast) = (0.22, 0.35);
                break;
            }
            case "lymphocyte":
            {
                // A large round dense nucleus filling most of a small cell, a thin rim of blue cytoplasm.
                double a = radius * U(0.78, 0.87);
                double off = radius * U(0.0, 0.1), dir = U(0, 2 * Math.PI);
                lobes.Add(NewLobe(off * Math.Cos(dir), off * Math.Sin(dir), a, a * U(0.88, 1.0), U(0, Math.PI), 0.04));
                (nucH, nucE, cytoH, cytoE) = (1.45, 0.10, 0.45, 0.04);
                (chromatinScale, chromatinContrast) = (0.25, 0.35);
                break;
            }
            case "monocyte":
            {
                // A kidney or folded nucleus: an ellipse indented by a notch; grey-blue, often vacuolated cytoplasm.
                double a = radius * U(0.58, 0.68), b = a * U(0.62, 0.75);
                double off = radius * U(0.05, 0.15);
                double nAngle = U(0, 2 * Math.PI);
                var lobe = NewLobe(off * Math.Cos(nAngle), off * Math.Sin(nAngle), a, b, nAngle + Math.PI / 2, 0.07);
                lobes.Add(lobe);
                double nr = b * U(0.55, 0.8), nd = b * U(1.05, 1.3);
                notch = (lobe.X + nd * Math.Cos(nAngle + Math.PI), lobe.Y + nd * Math.Sin(nAngle + Math.PI), nr);
                if (random.NextDouble() < 0.35)
                    lobes.Add(NewLobe(lobe.X + a * 0.5 * Math.Cos(lobe.Angle), lobe.Y + a * 0.5 * Math.Sin(lobe.Angle), b * 0.6, b * 0.5, lobe.Angle + 0.8, 0.08));
                (nucH, nucE, cytoH, cytoE) = (0.85, 0.12, 0.27, 0.15);
                (chromatinScale, chromatinContrast) = (0.12, 0.3);
                wobble = 0.05;
                break;
            }
            case "eosinophil":
            {
                // Two (spectacle) lobes; the cytoplasm packed with coarse eosin granules.
                double d = radius * U(0.3, 0.4), dir = U(0, 2 * Math.PI);
                for (int side = -1; side <= 1; side += 2)
                {
                    double la = radius * U(0.26, 0.31);
                    lobes.Add(NewLobe(side * d * Math.Cos(dir), side * d * Math.Sin(dir), la, la * U(0.7, 0.85), dir + Math.PI / 2 + U(-0.3, 0.3), 0.06));
                }
                strands.Add(new Strand(lobes[0].X, lobes[0].Y, lobes[1].X, lobes[1].Y, radius * U(0.05, 0.08)));
                (nucH, nucE, cytoH, cytoE) = (1.05, 0.12, 0.06, 0.28);
                (chromatinScale, chromatinContrast) = (0.2, 0.3);
                break;
            }
            case "basophil":
            {
                // An irregular nucleus almost hidden under dark purple granules.
                double d = radius * U(0.15, 0.3), dir = U(0, 2 * Math.PI);
                for (int side = -1; side <= 1; side += 2)
                {
                    double la = radius * U(0.3, 0.4);
                    lobes.Add(NewLobe(side * d * Math.Cos(dir), side * d * Math.Sin(dir), la, la * U(0.7, 0.9), U(0, Math.PI), 0.1));
                }
                (nucH, nucE, cytoH, cytoE) = (0.9, 0.1, 0.22, 0.14);
                (chromatinScale, chromatinContrast) = (0.2, 0.2);
                break;
            }
            default:
            {
                double a = radius * U(0.45, 0.6);
                lobes.Add(NewLobe(0, 0, a, a * U(0.7, 1.0), U(0, Math.PI), 0.06));
                (nucH, nucE, cytoH, cytoE) = (1.0, 0.1, 0.2, 0.2);
                (chromatinScale, chromatinContrast) = (0.2, 0.3);
                break;
            }
        }

        var membrane = Harmonics(wobble);
        var chromatin = new ValueNoise(random, 12);
        var cytoTexture = new ValueNoise(random, 24);
        var cell = new float[size * size];
        var nucleus = new float[size * size];
        double cos = Math.Cos(angle), sin = Math.Sin(angle);
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                double dx = x + 0.5 - cx, dy = y + 0.5 - cy;
                double u = cos * dx + sin * dy, v = -sin * dx + cos * dy;
                double r = Math.Sqrt(u * u + v * v), phi = Math.Atan2(v, u);
                double edge = radius * (1 + membrane.At(phi));
                double cellCov = Coverage(r - edge, 1.0);
                if (cellCov <= 0) continue;
                double dn = double.MaxValue;
                foreach (var l in lobes) dn = Math.Min(dn, LobeDistance(l, u, v));
                foreach (var st in strands) dn = Math.Min(dn, SegmentDistance(u, v, st) - st.HalfWidth);
                if (notch is { } nt) dn = Math.Max(dn, nt.R - Math.Sqrt((u - nt.X) * (u - nt.X) + (v - nt.Y) * (v - nt.Y)));
                double nucCov = Coverage(dn, 0.9) * cellCov;
                int i = y * size + x;
                cell[i] = (float)cellCov;
                nucleus[i] = (float)nucCov;
                double clump = 1 + chromatinContrast * (2 * chromatin.At(u / (chromatinScale * s) + 7, v / (chromatinScale * s) + 3) - 1);
                // Cytoplasm a little denser towards the membrane, as in a smear.
                double rim = 0.85 + 0.3 * Math.Clamp(r / edge, 0, 1);
                double fine = 0.85 + 0.3 * cytoTexture.At(u / (0.06 * s) + 11, v / (0.06 * s) + 5);
                double cH = cytoH * rim * fine, cE = cytoE * rim * fine;
                double wH = (1 - nucCov / cellCov) * cH + (nucCov / cellCov) * nucH * clump;
                double wE = (1 - nucCov / cellCov) * cE + (nucCov / cellCov) * nucE;
                // The white cell lies over the red cells.
                Nuclear[i] = (float)(cellCov * wH + (1 - cellCov) * Nuclear[i]);
                Eosin[i] = (float)(cellCov * wE + (1 - cellCov) * Eosin[i]);
            }

        switch (cls)
        {
            case "neutrophil":
                Granules(cx, cy, radius, cell, nucleus, count: (int)(radius * radius * 0.35), granuleRadius: 0.025 * radius + 0.35,
                    h: 0.10, e: 0.18, overNucleus: 0.0);
                break;
            case "eosinophil":
                Granules(cx, cy, radius, cell, nucleus, count: (int)(radius * radius * 0.22), granuleRadius: 0.065 * radius + 0.4,
                    h: 0.02, e: 0.75, overNucleus: 0.25);
                break;
            case "basophil":
                Granules(cx, cy, radius, cell, nucleus, count: (int)(radius * radius * 0.16), granuleRadius: 0.075 * radius + 0.4,
                    h: 1.3, e: 0.12, overNucleus: 1.0);
                break;
            case "monocyte":
                Vacuoles(cx, cy, radius, cell, nucleus, random.Next(0, 6));
                break;
        }
    }

    Lobe NewLobe(double x, double y, double a, double b, double angle, double wobble)
    {
        var w = new double[4];
        var p = new double[4];
        for (int k = 0; k < 4; k++) { w[k] = wobble * U(0.2, 1.0) / (k + 1); p[k] = U(0, 2 * Math.PI); }
        return new Lobe(x, y, a, b, angle, w, p);
    }

    static double LobeDistance(Lobe l, double u, double v)
    {
        double dx = u - l.X, dy = v - l.Y;
        double c = Math.Cos(l.Angle), s = Math.Sin(l.Angle);
        double lu = c * dx + s * dy, lv = -s * dx + c * dy;
        double q = Math.Sqrt(lu * lu / (l.A * l.A) + lv * lv / (l.B * l.B));
        double phi = Math.Atan2(lv, lu), w = 0;
        for (int k = 0; k < l.Wobble.Length; k++) w += l.Wobble[k] * Math.Cos((k + 2) * phi + l.Phase[k]);
        // Normalised radius to an approximate distance in pixels.
        return (q - 1 - w) * Math.Min(l.A, l.B);
    }

    static double SegmentDistance(double u, double v, Strand s)
    {
        double ex = s.X1 - s.X0, ey = s.Y1 - s.Y0;
        double t = Math.Clamp(((u - s.X0) * ex + (v - s.Y0) * ey) / Math.Max(1e-9, ex * ex + ey * ey), 0, 1);
        double px = s.X0 + t * ex - u, py = s.Y0 + t * ey - v;
        return Math.Sqrt(px * px + py * py);
    }

    /// <summary>Anti-aliased inside-ness of a signed distance (negative inside), over about one pixel.</summary>
    static double Coverage(double distance, double width) => Math.Clamp(0.5 - distance / width, 0, 1);

    sealed class Harmonic(double[] amplitude, double[] phase)
    {
        public double At(double phi)
        {
            double w = 0;
            for (int k = 0; k < amplitude.Length; k++) w += amplitude[k] * Math.Cos((k + 2) * phi + phase[k]);
            return w;
        }
    }

    Harmonic Harmonics(double amount)
    {
        var a = new double[3];
        var p = new double[3];
        for (int k = 0; k < 3; k++) { a[k] = amount * U(0.2, 1.0) / (k + 1); p[k] = U(0, 2 * Math.PI); }
        return new Harmonic(a, p);
    }

    void PaintRedCells(double cx, double cy, double wbcRadius)
    {
        double s = size;
        int count = random.Next(2, 8);
        for (int n = 0; n < count; n++)
        {
            double rr = s * U(0.16, 0.2);
            double x0 = 0, y0 = 0;
            // Around the white cell, often cut by the crop's edge, as in real crops.
            for (int attempt = 0; attempt < 10; attempt++)
            {
                x0 = U(-0.1, 1.1) * s; y0 = U(-0.1, 1.1) * s;
                if (Math.Sqrt((x0 - cx) * (x0 - cx) + (y0 - cy) * (y0 - cy)) > wbcRadius * 0.9 + rr * 0.5) break;
            }
            double conc = U(0.42, 0.6), pallor = U(0.3, 0.55), squash = U(0.85, 1.0), tilt = U(0, Math.PI);
            double c = Math.Cos(tilt), si = Math.Sin(tilt);
            int x1 = Math.Max(0, (int)(x0 - rr - 2)), x2 = Math.Min(size - 1, (int)(x0 + rr + 2));
            int y1 = Math.Max(0, (int)(y0 - rr - 2)), y2 = Math.Min(size - 1, (int)(y0 + rr + 2));
            for (int y = y1; y <= y2; y++)
                for (int x = x1; x <= x2; x++)
                {
                    double dx = x + 0.5 - x0, dy = y + 0.5 - y0;
                    double u = c * dx + si * dy, v = (-si * dx + c * dy) / squash;
                    double r = Math.Sqrt(u * u + v * v);
                    double cov = Coverage(r - rr, 1.2);
                    if (cov <= 0) continue;
                    // Biconcave disc: thicker at the rim, a pale centre.
                    double t = r / rr;
                    double profile = 1 - pallor * Math.Exp(-t * t / 0.25) + 0.12 * Math.Exp(-(t - 0.85) * (t - 0.85) / 0.01);
                    int i = y * size + x;
                    Eosin[i] = (float)Math.Min(1.2, Eosin[i] + cov * conc * profile);
                    Nuclear[i] = (float)Math.Min(0.3, Nuclear[i] + cov * 0.03);
                }
        }
    }

    void PaintPlatelets(double cx, double cy, double wbcRadius)
    {
        if (random.NextDouble() > 0.3) return;
        int count = random.Next(1, 4);
        for (int n = 0; n < count; n++)
        {
            double x0 = U(0, size), y0 = U(0, size), pr = size * U(0.012, 0.025) + 0.6;
            if (Math.Sqrt((x0 - cx) * (x0 - cx) + (y0 - cy) * (y0 - cy)) < wbcRadius * 1.1) continue;
            Disc(x0, y0, pr, 0.75, 0.1, null, null, 0);
        }
    }

    void Granules(double cx, double cy, double radius, float[] cell, float[] nucleus, int count, double granuleRadius, double h, double e, double overNucleus)
    {
        for (int n = 0; n < count; n++)
        {
            // Uniform over the disc, kept a little inside the membrane.
            double rr = radius * 0.95 * Math.Sqrt(random.NextDouble()), a = U(0, 2 * Math.PI);
            double gr = granuleRadius * U(0.75, 1.25);
            double strength = U(0.6, 1.0);
            Disc(cx + rr * Math.Cos(a), cy + rr * Math.Sin(a), gr, h * strength, e * strength, cell, nucleus, overNucleus);
        }
    }

    void Vacuoles(double cx, double cy, double radius, float[] cell, float[] nucleus, int count)
    {
        for (int n = 0; n < count; n++)
        {
            double rr = radius * U(0.5, 0.85), a = U(0, 2 * Math.PI), vr = radius * U(0.04, 0.09) + 0.5;
            double x0 = cx + rr * Math.Cos(a), y0 = cy + rr * Math.Sin(a);
            int x1 = Math.Max(0, (int)(x0 - vr - 2)), x2 = Math.Min(size - 1, (int)(x0 + vr + 2));
            int y1 = Math.Max(0, (int)(y0 - vr - 2)), y2 = Math.Min(size - 1, (int)(y0 + vr + 2));
            for (int y = y1; y <= y2; y++)
                for (int x = x1; x <= x2; x++)
                {
                    int i = y * size + x;
                    double cov = Coverage(Math.Sqrt((x + 0.5 - x0) * (x + 0.5 - x0) + (y + 0.5 - y0) * (y + 0.5 - y0)) - vr, 1.0)
                        * cell[i] * (1 - nucleus[i]);
                    Nuclear[i] *= (float)(1 - 0.6 * cov);
                    Eosin[i] *= (float)(1 - 0.6 * cov);
                }
        }
    }

    /// <summary>Adds a small anti-aliased disc of stain, masked to the cell (and partly to the nucleus) when masks are given.</summary>
    void Disc(double x0, double y0, double radius, double h, double e, float[]? cell, float[]? nucleus, double overNucleus)
    {
        int x1 = Math.Max(0, (int)(x0 - radius - 2)), x2 = Math.Min(size - 1, (int)(x0 + radius + 2));
        int y1 = Math.Max(0, (int)(y0 - radius - 2)), y2 = Math.Min(size - 1, (int)(y0 + radius + 2));
        for (int y = y1; y <= y2; y++)
            for (int x = x1; x <= x2; x++)
            {
                double d = Math.Sqrt((x + 0.5 - x0) * (x + 0.5 - x0) + (y + 0.5 - y0) * (y + 0.5 - y0));
                double cov = Coverage(d - radius, 1.0);
                if (cov <= 0) continue;
                int i = y * size + x;
                if (cell is not null) cov *= cell[i] * (1 - (1 - overNucleus) * nucleus![i]);
                Nuclear[i] = (float)Math.Min(2.0, Nuclear[i] + cov * h);
                Eosin[i] = (float)Math.Min(2.0, Eosin[i] + cov * e);
            }
    }
}

/// <summary>Smooth lattice noise in [0, 1] from the painter's own random source.</summary>
internal sealed class ValueNoise
{
    readonly int n;
    readonly double[] values;

    public ValueNoise(Random random, int n)
    {
        this.n = n;
        values = new double[n * n];
        for (int i = 0; i < values.Length; i++) values[i] = random.NextDouble();
    }

    public double At(double x, double y)
    {
        x = ((x % n) + n) % n; y = ((y % n) + n) % n;
        int x0 = (int)x, y0 = (int)y;
        double fx = x - x0, fy = y - y0;
        fx = fx * fx * (3 - 2 * fx); fy = fy * fy * (3 - 2 * fy);
        double V(int i, int j) => values[(j % n) * n + (i % n)];
        double a = V(x0, y0) + fx * (V(x0 + 1, y0) - V(x0, y0));
        double b = V(x0, y0 + 1) + fx * (V(x0 + 1, y0 + 1) - V(x0, y0 + 1));
        return a + fy * (b - a);
    }
}
