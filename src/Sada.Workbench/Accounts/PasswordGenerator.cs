using System.Security.Cryptography;

namespace Sada.Workbench.Accounts;

/// <summary>Random passwords that meet the workbench's password rules (every character class, 16 characters).</summary>
public static class PasswordGenerator
{
    const string Lower = "abcdefghijkmnopqrstuvwxyz", Upper = "ABCDEFGHJKLMNPQRSTUVWXYZ", Digits = "23456789", Symbols = "-_.!@#%+=";

    public static string Generate(int length = 16)
    {
        // One of each class guaranteed, the rest from all; ambiguous glyphs (l, I, O, 0, 1) left out because people retype these.
        var chars = new List<char>
        {
            RandomNumberGenerator.GetItems<char>(Lower, 1)[0], RandomNumberGenerator.GetItems<char>(Upper, 1)[0],
            RandomNumberGenerator.GetItems<char>(Digits, 1)[0], RandomNumberGenerator.GetItems<char>(Symbols, 1)[0],
        };
        chars.AddRange(RandomNumberGenerator.GetItems<char>(Lower + Upper + Digits + Symbols, length - chars.Count));
        var shuffled = chars.ToArray();
        RandomNumberGenerator.Shuffle<char>(shuffled);
        return new string(shuffled);
    }
}
