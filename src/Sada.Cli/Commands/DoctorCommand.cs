using System.CommandLine;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Sada.Core.Models.ImageNet;
using Sada.Core.Runtime;
using Sada.Data;

namespace Sada.Cli.Commands;

/// <summary>`sada doctor`: what this installation would run on, and what to do when it cannot.</summary>
public static class DoctorCommand
{
    public static Command Create()
    {
        var command = new Command("doctor", "Check the torch backend, device, database, data directory and the built-in ImageNet weights.");
        command.SetAction(result => Run(result.InvocationConfiguration.Output, result.InvocationConfiguration.Error));
        return command;
    }

    static int Run(TextWriter output, TextWriter error)
    {
        var options = CliSettings.Load();
        var torch = TorchRuntime.Initialize(options.Device, options.ResolveTorchThreads());

        output.WriteLine($"torchsharp:      {torch.TorchSharpVersion}");
        output.WriteLine($"libtorch:        {torch.LibTorchVersion ?? "unknown"}");
        output.WriteLine($"native library:  {torch.NativeLibrary ?? "not found"}");
        output.WriteLine($"backend loaded:  {(torch.Loaded ? "yes" : "no")}");
        output.WriteLine($"device:          {torch.Device}");
        output.WriteLine($"cuda available:  {(torch.CudaAvailable ? "yes" : "no")}");
        output.WriteLine($"threads:         {torch.Threads}");
        output.WriteLine($"data directory:  {options.ResolveDataDirectory()}");
        var database = CliSettings.LoadDatabase();
        output.WriteLine($"database:        {database.Describe(options.ResolveDatabasePath())}");
        output.WriteLine($"migration:       {DescribeMigrations(database, options.ResolveDatabasePath())}");
        var imagenet = MlNetResNetPackage.TryFind();
        output.WriteLine($"imagenet:        {(imagenet is null ? "NOT FOUND (resnet18-imagenet cannot start from ImageNet)" : $"found, {imagenet.Network}")}");

        if (!torch.Loaded)
        {
            error.WriteLine($"error: {torch.Error}");
            return 2;
        }
        if (imagenet is null)
        {
            error.WriteLine($"error: {MlNetResNetPackage.MissingMessage}");
            return 3;
        }
        return 0;
    }

    static string DescribeMigrations(SadaDatabaseOptions database, string databasePath)
    {
        if (!database.IsPostgres && !File.Exists(databasePath))
            return "database not created yet (the workbench creates it at its first start)";
        try
        {
            using var db = SadaDataServices.CreateContext(database, databasePath);
            var applied = db.Database.GetAppliedMigrations().LastOrDefault() ?? "none";
            var pending = db.Database.GetPendingMigrations().Count();
            return pending == 0 ? applied : $"{applied} ({pending} pending, applied at the next start)";
        }
        catch (Exception e) when (e is SqliteException or Npgsql.NpgsqlException)
        {
            return $"cannot read the database: {e.Message}";
        }
    }
}
