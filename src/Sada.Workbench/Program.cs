using Sada.Workbench.Accounts;
using Sada.Workbench.Api;
using Sada.Workbench.Components;
using Sada.Workbench.Health;
using Sada.Workbench.Hosting;
using Sada.Workbench.Runs;

var builder = WebApplication.CreateBuilder(args);
builder.AddSadaWorkbench();
builder.AddSadaAccounts();
builder.Services.AddSadaApi(builder.Configuration);
builder.AddSadaRuns();

var app = builder.Build();
app.UseSadaDatabase();
await app.UseSadaAccountsAsync();

if (!app.Environment.IsDevelopment()) app.UseExceptionHandler("/error", createScopeForErrors: true);
app.UseNotFoundPage();
app.UseSadaApi();
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();
app.MapStaticAssets();
app.MapHealthApi();
app.MapAccountEndpoints();
app.MapSadaApi();
app.MapReviewApi();
app.MapRunsHub();
app.MapRazorComponents<App>().AddInteractiveServerRenderMode();

app.Run();

public partial class Program;
