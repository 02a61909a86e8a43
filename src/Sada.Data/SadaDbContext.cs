using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Sada.Data.Entities;

namespace Sada.Data;

/// <summary>
/// The workbench's database. Everything here is provider-neutral EF Core: the SQLite specifics live in
/// <see cref="SadaDataServices"/>, so that a shared PostgreSQL database can replace the file later.
/// Accounts (ASP.NET Core Identity's users and roles) live in the same database, so one file holds everything.
/// </summary>
public class SadaDbContext(DbContextOptions<SadaDbContext> options) : IdentityDbContext<IdentityUser>(options)
{
    public DbSet<Dataset> Datasets => Set<Dataset>();
    public DbSet<Center> Centers => Set<Center>();
    public DbSet<StoredFile> StoredFiles => Set<StoredFile>();
    public DbSet<CellImage> CellImages => Set<CellImage>();
    public DbSet<Run> Runs => Set<Run>();
    public DbSet<RunMetric> RunMetrics => Set<RunMetric>();
    public DbSet<RunLogLine> RunLogLines => Set<RunLogLine>();
    public DbSet<TsneEmbedding> TsneEmbeddings => Set<TsneEmbedding>();
    public DbSet<Study> Studies => Set<Study>();
    public DbSet<RunTag> RunTags => Set<RunTag>();
    public DbSet<RunStepLosses> RunStepLosses => Set<RunStepLosses>();
    public DbSet<UserSettings> UserSettings => Set<UserSettings>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.Entity<Dataset>(e =>
        {
            e.Property(x => x.Name).HasMaxLength(200);
            e.HasIndex(x => x.Name).IsUnique();
            e.HasMany(x => x.Centers).WithOne(x => x.Dataset).HasForeignKey(x => x.DatasetId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<Center>(e =>
        {
            e.Property(x => x.Name).HasMaxLength(200);
            e.HasIndex(x => new { x.DatasetId, x.Name }).IsUnique();
            e.HasMany(x => x.Images).WithOne(x => x.Center).HasForeignKey(x => x.CenterId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<StoredFile>(e =>
        {
            e.HasKey(x => x.Hash);
            e.Property(x => x.Hash).HasMaxLength(64);
            e.Property(x => x.Extension).HasMaxLength(16);
        });
        builder.Entity<CellImage>(e =>
        {
            e.Property(x => x.ClassName).HasMaxLength(100);
            e.Property(x => x.OriginalName).HasMaxLength(400);
            e.HasIndex(x => new { x.CenterId, x.Hash }).IsUnique();
            e.HasIndex(x => x.Hash);
            e.HasOne(x => x.File).WithMany().HasForeignKey(x => x.Hash).OnDelete(DeleteBehavior.Restrict);
        });
        builder.Entity<Study>(e =>
        {
            e.Property(x => x.Name).HasMaxLength(200);
            e.HasOne(x => x.Dataset).WithMany().HasForeignKey(x => x.DatasetId).OnDelete(DeleteBehavior.Restrict);
            e.HasMany(x => x.Runs).WithOne(x => x.Study).HasForeignKey(x => x.StudyId).OnDelete(DeleteBehavior.SetNull);
            // The studies list, newest first.
            e.HasIndex(x => new { x.CreatedAt, x.Id });
        });
        builder.Entity<Run>(e =>
        {
            e.Property(x => x.Status).HasConversion<string>().HasMaxLength(16);
            e.Property(x => x.HoldoutCenter).HasMaxLength(200);
            e.Property(x => x.Algorithm).HasMaxLength(50);
            // Deleting a dataset that runs used is refused (by the service, with a message; Restrict backs it up).
            e.HasOne(x => x.Dataset).WithMany().HasForeignKey(x => x.DatasetId).OnDelete(DeleteBehavior.Restrict);
            e.HasMany(x => x.Metrics).WithOne().HasForeignKey(x => x.RunId).OnDelete(DeleteBehavior.Cascade);
            // The worker's claim looks for the oldest queued run.
            e.HasIndex(x => new { x.Status, x.Id });
            // The runs list, newest first: alone, and filtered by status, dataset or study (RunCatalog.ListAsync).
            e.HasIndex(x => new { x.CreatedAt, x.Id });
            e.HasIndex(x => new { x.Status, x.CreatedAt, x.Id });
            e.HasIndex(x => new { x.DatasetId, x.CreatedAt, x.Id });
            e.HasIndex(x => new { x.StudyId, x.CreatedAt, x.Id });
            e.Property(x => x.Name).HasMaxLength(RunTextLimits.Name);
            e.Property(x => x.Notes).HasMaxLength(RunTextLimits.Notes);
            e.HasMany(x => x.Tags).WithOne().HasForeignKey(x => x.RunId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<RunTag>(e =>
        {
            e.HasKey(x => new { x.RunId, x.Name });
            e.Property(x => x.Name).HasMaxLength(RunTextLimits.Tag);
            // The runs table's tag filter.
            e.HasIndex(x => x.Name);
        });
        builder.Entity<RunStepLosses>(e =>
        {
            e.HasIndex(x => new { x.RunId, x.Step }).IsUnique();
            e.HasOne<Run>().WithMany().HasForeignKey(x => x.RunId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<UserSettings>(e =>
        {
            e.HasKey(x => x.UserId);
            e.Property(x => x.UserId).HasMaxLength(450);
        });
        builder.Entity<RunMetric>(e => e.HasIndex(x => new { x.RunId, x.Step }).IsUnique());
        builder.Entity<RunLogLine>(e =>
        {
            e.HasIndex(x => x.RunId);
            e.HasOne<Run>().WithMany().HasForeignKey(x => x.RunId).OnDelete(DeleteBehavior.Cascade);
        });
        builder.Entity<TsneEmbedding>(e =>
        {
            e.HasIndex(x => x.RunId);
            e.HasOne<Run>().WithMany().HasForeignKey(x => x.RunId).OnDelete(DeleteBehavior.Cascade);
        });
    }
}
