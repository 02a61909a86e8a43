// Loaded by build/LibTorchSharpPatch.targets as an inline MSBuild task (RoslynCodeTaskFactory),
// and compiled into tests/Sada.Core.Tests, which check the patch on a copy of the real library.
//
// Why: TorchSharp 0.107's libLibTorchSharp.so was linked by GCC 13 and lists GLIBCXX_3.4.32 in its
// version needs, for one symbol (_ZSt21ios_base_library_initv) that <iostream> emits as a bare
// reference and that is never called. Debian 12's libstdc++ stops at GLIBCXX_3.4.30, so the
// dynamic loader refuses the whole library. Setting VER_FLG_WEAK on that one version need makes
// glibc treat a missing version as non-fatal. Nothing else in the file changes.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

namespace Sada.Build
{
    /// <summary>One entry of an ELF file's .gnu.version_r section: a version a library needs.</summary>
    public sealed class ElfVersionNeed
    {
        public string File { get; set; } = "";
        public string Version { get; set; } = "";
        public ushort Flags { get; set; }
        /// <summary>Byte offset of vna_flags in the file, so a caller can rewrite it.</summary>
        public long FlagsOffset { get; set; }
        public bool IsWeak { get { return (Flags & ElfVersionNeeds.VerFlgWeak) != 0; } }
    }

    /// <summary>Reads and patches the version needs (SHT_GNU_verneed) of a 64-bit little-endian ELF file.</summary>
    public static class ElfVersionNeeds
    {
        public const ushort VerFlgWeak = 0x2;
        const uint ShtGnuVerneed = 0x6ffffffe;

        public static List<ElfVersionNeed> Read(byte[] elf)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
                throw new InvalidDataException("not an ELF file");
            if (elf[4] != 2 || elf[5] != 1)
                throw new InvalidDataException("only 64-bit little-endian ELF files are supported");

            long shoff = (long)BitConverter.ToUInt64(elf, 0x28);
            int shentsize = BitConverter.ToUInt16(elf, 0x3A);
            int shnum = BitConverter.ToUInt16(elf, 0x3C);
            var needs = new List<ElfVersionNeed>();
            for (int i = 0; i < shnum; i++)
            {
                long sh = shoff + (long)i * shentsize;
                if (BitConverter.ToUInt32(elf, (int)sh + 4) != ShtGnuVerneed) continue;
                long offset = (long)BitConverter.ToUInt64(elf, (int)sh + 24);
                uint link = BitConverter.ToUInt32(elf, (int)sh + 40);
                uint count = BitConverter.ToUInt32(elf, (int)sh + 44);
                long strtab = (long)BitConverter.ToUInt64(elf, (int)(shoff + link * shentsize) + 24);

                long vn = offset;
                for (uint n = 0; n < count; n++)
                {
                    ushort auxCount = BitConverter.ToUInt16(elf, (int)vn + 2);
                    string file = CString(elf, strtab + BitConverter.ToUInt32(elf, (int)vn + 4));
                    long aux = vn + BitConverter.ToUInt32(elf, (int)vn + 8);
                    for (int a = 0; a < auxCount; a++)
                    {
                        needs.Add(new ElfVersionNeed
                        {
                            File = file,
                            Flags = BitConverter.ToUInt16(elf, (int)aux + 4),
                            FlagsOffset = aux + 4,
                            Version = CString(elf, strtab + BitConverter.ToUInt32(elf, (int)aux + 8)),
                        });
                        aux += BitConverter.ToUInt32(elf, (int)aux + 12);
                    }
                    vn += BitConverter.ToUInt32(elf, (int)vn + 12);
                }
            }
            return needs;
        }

        /// <summary>Marks the named version need weak. Returns true when the file changed (false when it was already weak).</summary>
        public static bool MarkWeak(byte[] elf, string version)
        {
            bool found = false, changed = false;
            foreach (var need in Read(elf))
            {
                if (need.Version != version) continue;
                found = true;
                if (need.IsWeak) continue;
                ushort flags = (ushort)(need.Flags | VerFlgWeak);
                elf[need.FlagsOffset] = (byte)(flags & 0xff);
                elf[need.FlagsOffset + 1] = (byte)(flags >> 8);
                changed = true;
            }
            if (!found) throw new InvalidDataException("the library does not need " + version);
            return changed;
        }

        /// <summary>True when a libstdc++ on this host defines the version (its name is in the file's string table).</summary>
        public static bool HostLibStdCxxHas(string version, IEnumerable<string> candidates)
        {
            byte[] needle = Encoding.ASCII.GetBytes(version + "\0");
            foreach (var path in candidates)
            {
                if (!File.Exists(path)) continue;
                if (IndexOf(File.ReadAllBytes(path), needle) >= 0) return true;
            }
            return false;
        }

        public static readonly string[] LibStdCxxPaths =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6",
            "/usr/lib/libstdc++.so.6",
            "/lib/x86_64-linux-gnu/libstdc++.so.6",
        };

        static string CString(byte[] b, long at)
        {
            int end = (int)at;
            while (b[end] != 0) end++;
            return Encoding.ASCII.GetString(b, (int)at, end - (int)at);
        }

        static int IndexOf(byte[] hay, byte[] needle)
        {
            for (int i = 0; i <= hay.Length - needle.Length; i++)
            {
                int j = 0;
                while (j < needle.Length && hay[i + j] == needle[j]) j++;
                if (j == needle.Length) return i;
            }
            return -1;
        }
    }

    /// <summary>
    /// MSBuild task: marks GLIBCXX_3.4.32 weak in every libLibTorchSharp.so under Directory, when this
    /// host's libstdc++ lacks that version. Idempotent; never touches a file shared with the NuGet cache.
    /// </summary>
    public class PatchLibTorchSharp : Microsoft.Build.Utilities.Task
    {
        [Required] public string Directory { get; set; } = "";
        public string Version { get; set; } = "GLIBCXX_3.4.32";

        public override bool Execute()
        {
            if (!System.IO.Directory.Exists(Directory)) return true;
            var libs = System.IO.Directory.GetFiles(Directory, "libLibTorchSharp.so", SearchOption.AllDirectories);
            if (libs.Length == 0) return true;
            if (ElfVersionNeeds.HostLibStdCxxHas(Version, ElfVersionNeeds.LibStdCxxPaths))
            {
                Log.LogMessage(MessageImportance.Low, "libstdc++ here defines " + Version + "; libLibTorchSharp.so left as shipped.");
                return true;
            }
            foreach (var lib in libs)
            {
                try
                {
                    byte[] bytes = File.ReadAllBytes(lib);
                    if (!ElfVersionNeeds.MarkWeak(bytes, Version)) continue;
                    // Write a new file, unlink the old one, rename: if the build hard-linked the library to the
                    // package cache, this drops the link instead of editing the cache's copy.
                    string tmp = lib + ".patching";
                    File.WriteAllBytes(tmp, bytes);
                    File.Delete(lib);
                    File.Move(tmp, lib);
                    Log.LogMessage(MessageImportance.Normal, "Marked " + Version + " weak in " + lib);
                }
                catch (Exception e)
                {
                    Log.LogWarning("Could not patch {0}: {1}. TorchSharp may fail to load on this host.", lib, e.Message);
                }
            }
            return true;
        }
    }
}
