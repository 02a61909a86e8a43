using System.Buffers.Binary;
using BitMiracle.LibTiff.Classic;

namespace Sada.Core.Tests.Imaging;

/// <summary>
/// Valid cells in the four import formats and ways to make their headers lie: rewritten PNG IHDR (with a valid CRC, so
/// the codec reads it), BMP dimensions, TIFF tags and JPEG SOF fields.
/// </summary>
public static class HostileImages
{
    /// <summary>A 24-bit bottom-up BMP with a gradient.</summary>
    public static byte[] Bmp(int width = 32, int height = 32)
    {
        int row = (width * 3 + 3) & ~3;
        var bytes = new byte[54 + row * height];
        "BM"u8.CopyTo(bytes);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(2), bytes.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(22), height);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(28), 24);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(34), row * height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int o = 54 + y * row + x * 3;
                (bytes[o], bytes[o + 1], bytes[o + 2]) = ((byte)(x * 7), (byte)(y * 5), 150);
            }
        return bytes;
    }

    /// <summary>An uncompressed RGB TIFF written by LibTiff.Net, one strip unless told.</summary>
    public static byte[] Tiff(int width = 32, int height = 32, int? rowsPerStrip = null)
    {
        var stream = new MemoryStream();
        using (var tiff = BitMiracle.LibTiff.Classic.Tiff.ClientOpen("t", "w", stream, new TiffStream()))
        {
            tiff.SetField(TiffTag.IMAGEWIDTH, width);
            tiff.SetField(TiffTag.IMAGELENGTH, height);
            tiff.SetField(TiffTag.SAMPLESPERPIXEL, 3);
            tiff.SetField(TiffTag.BITSPERSAMPLE, 8);
            tiff.SetField(TiffTag.PHOTOMETRIC, Photometric.RGB);
            tiff.SetField(TiffTag.PLANARCONFIG, PlanarConfig.CONTIG);
            tiff.SetField(TiffTag.ROWSPERSTRIP, rowsPerStrip ?? height);
            var row = new byte[width * 3];
            for (int y = 0; y < height; y++)
            {
                for (int i = 0; i < row.Length; i++) row[i] = (byte)(i + 3 * y);
                tiff.WriteScanline(row, y);
            }
            tiff.Flush();
        }
        return stream.ToArray();
    }

    /// <summary>The PNG with its IHDR width and height replaced and the chunk's CRC recomputed.</summary>
    public static byte[] WithPngSize(byte[] png, uint width, uint height)
    {
        var bytes = (byte[])png.Clone();
        // Signature (8), length (4), "IHDR" (4), then width and height; the CRC covers type and data (4 + 13 bytes).
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(16), width);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(20), height);
        BinaryPrimitives.WriteUInt32BigEndian(bytes.AsSpan(29), Crc32(bytes.AsSpan(12, 17)));
        return bytes;
    }

    /// <summary>The smallest lying PNG: a header declaring <paramref name="width"/> x <paramref name="height"/> gray pixels, an IDAT of a few bytes, IEND.</summary>
    public static byte[] LyingPng(uint width, uint height)
    {
        var bytes = new List<byte>([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        var ihdr = new byte[13];
        BinaryPrimitives.WriteUInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteUInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = 8; // 8-bit gray
        Chunk(bytes, "IHDR", ihdr);
        Chunk(bytes, "IDAT", [0x78, 0x9C, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01]); // a deflated zero byte
        Chunk(bytes, "IEND", []);
        return bytes.ToArray();
    }

    static void Chunk(List<byte> to, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        to.AddRange(length);
        var typed = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        to.AddRange(typed);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32(typed));
        to.AddRange(crc);
    }

    /// <summary>The BMP with its info header's width and height replaced.</summary>
    public static byte[] WithBmpSize(byte[] bmp, int width, int height)
    {
        var bytes = (byte[])bmp.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(22), height);
        return bytes;
    }

    /// <summary>The JPEG with the height and width of its first SOF segment replaced.</summary>
    public static byte[] WithJpegSize(byte[] jpeg, ushort width, ushort height)
    {
        var bytes = (byte[])jpeg.Clone();
        int sof = JpegSof(bytes);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(sof + 5), height);
        BinaryPrimitives.WriteUInt16BigEndian(bytes.AsSpan(sof + 7), width);
        return bytes;
    }

    /// <summary>Where the first SOF0..SOF15 marker (not DHT, JPG or DAC) starts.</summary>
    public static int JpegSof(byte[] jpeg)
    {
        int i = 2;
        while (i + 4 < jpeg.Length)
        {
            if (jpeg[i] != 0xFF) throw new InvalidDataException($"no marker at {i}");
            byte marker = jpeg[i + 1];
            if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC) return i;
            i += 2 + BinaryPrimitives.ReadUInt16BigEndian(jpeg.AsSpan(i + 2));
        }
        throw new InvalidDataException("no SOF marker");
    }

    /// <summary>
    /// The classic little-endian TIFF with the value of <paramref name="tag"/> in its first IFD replaced (one value; a SHORT
    /// field keeps only the low 16 bits of <paramref name="value"/>).
    /// </summary>
    public static byte[] WithTiffTag(byte[] tiff, TiffTag tag, uint value)
    {
        var bytes = (byte[])tiff.Clone();
        foreach (var (entry, type) in TiffEntries(bytes))
        {
            if (BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(entry)) != (ushort)tag) continue;
            if (type == 3) BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(entry + 8), (ushort)value);
            else BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(entry + 8), value);
            return bytes;
        }
        throw new InvalidDataException($"no {tag} tag");
    }

    /// <summary>Offsets of the 12-byte entries of the first IFD, with their field types.</summary>
    public static IEnumerable<(int Offset, int Type)> TiffEntries(byte[] tiff)
    {
        int ifd = (int)BinaryPrimitives.ReadUInt32LittleEndian(tiff.AsSpan(4));
        int count = BinaryPrimitives.ReadUInt16LittleEndian(tiff.AsSpan(ifd));
        for (int k = 0; k < count; k++)
        {
            int entry = ifd + 2 + 12 * k;
            yield return (entry, BinaryPrimitives.ReadUInt16LittleEndian(tiff.AsSpan(entry + 2)));
        }
    }

    static uint Crc32(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0xEDB88320 : crc >> 1;
        }
        return ~crc;
    }
}
