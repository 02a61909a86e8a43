using System.Reflection;

namespace Sada.Core.Models.ImageNet;

/// <summary>
/// Where the ML.NET featurizer's ImageNet ResNet lives: the NuGet package Microsoft.ML.DnnImageFeaturizer.ResNet18,
/// an ordinary package reference of Sada.Core, so `dotnet restore` brings it into the NuGet package folder. The build
/// records that folder in the assembly (no 64 MB copy into every build output); nothing is downloaded at run time.
/// </summary>
public static class MlNetResNetPackage
{
    public const string PackageId = "Microsoft.ML.DnnImageFeaturizer.ResNet18";
    public const string PackageVersion = "0.23.1";
    /// <summary>Overrides where the two ONNX files are looked for: a folder holding the package's tools/DnnImageModels.</summary>
    public const string EnvironmentVariable = "SADA_IMAGENET_MODELS";

    const string NetworkFile = "ResNet18Onnx/ResNet18.onnx";
    const string PreprocessFile = "ResNetPrepOnnx/ResNetPreprocess.onnx";

    /// <summary>The two files, or null with <see cref="Problem"/> saying why.</summary>
    public sealed record Files(string Network, string Preprocess);

    /// <summary>The folders searched, in order, each holding ResNet18Onnx/ and ResNetPrepOnnx/.</summary>
    public static IReadOnlyList<string> Candidates()
    {
        var list = new List<string>();
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } env) list.Add(env);
        // Next to the program, where a publish that copies the package's content puts them.
        list.Add(Path.Combine(AppContext.BaseDirectory, "DnnImageModels"));
        // The package folder this build restored into.
        var built = typeof(MlNetResNetPackage).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "MlNetResNetPackageRoot")?.Value;
        if (!string.IsNullOrEmpty(built)) list.Add(Path.Combine(built, "tools", "DnnImageModels"));
        // The NuGet package folder of whoever runs it (NUGET_PACKAGES, else ~/.nuget/packages).
        var root = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } p
            ? p : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        list.Add(Path.Combine(root, PackageId.ToLowerInvariant(), PackageVersion, "tools", "DnnImageModels"));
        return list.Distinct().ToArray();
    }

    /// <summary>The first folder that has both files; null when none has.</summary>
    public static Files? TryFind() =>
        Candidates()
            .Select(dir => new Files(Path.Combine(dir, NetworkFile), Path.Combine(dir, PreprocessFile)))
            .FirstOrDefault(f => File.Exists(f.Network) && File.Exists(f.Preprocess));

    /// <exception cref="FileNotFoundException">Neither file was found; the message names the package and what to do.</exception>
    public static Files Find() => TryFind() ?? throw new FileNotFoundException(MissingMessage);

    public static string MissingMessage =>
        $"The ImageNet weights of the resnet18-imagenet backbone were not found: they come from the NuGet package {PackageId} {PackageVersion} " +
        $"(tools/DnnImageModels/{NetworkFile} and {PreprocessFile}). Run `dotnet restore` on the workbench so NuGet brings the package, " +
        $"or set {EnvironmentVariable} to a folder holding {NetworkFile} and {PreprocessFile}; or train from scratch. Looked in: " +
        string.Join(", ", Candidates());
}
