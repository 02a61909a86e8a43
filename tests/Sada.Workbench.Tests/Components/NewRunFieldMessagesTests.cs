using AngleSharp.Dom;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using Sada.Core.Algorithms;
using Sada.Workbench.Accounts;
using Sada.Workbench.Components.Pages;
using Sada.Workbench.Runs;
using Sada.Workbench.Tests.Api;

namespace Sada.Workbench.Tests.Components;

/// <summary>
/// Every value the new-run form refuses shows its message under its own field (the API's rules,
/// <see cref="AlgorithmConfig.Validate"/>), and text that is not a number is refused as such, never read as 0.
/// </summary>
public class NewRunFieldMessagesTests : IClassFixture<ApiFixture>, IAsyncLifetime
{
    readonly BunitContext _ctx = PageContext.Create();

    public NewRunFieldMessagesTests(ApiFixture api)
    {
        _ctx.Services.AddSingleton(api.Factory.Services.GetRequiredService<NewRunPages>());
        _ctx.SignInAs(WorkbenchRoles.Researcher);
    }

    public Task InitializeAsync() => Task.CompletedTask;
    public async Task DisposeAsync() => await _ctx.DisposeAsync();

    IRenderedComponent<NewRun> Render()
    {
        _ctx.Services.GetRequiredService<NavigationManager>().NavigateTo("runs/new");
        var page = _ctx.Render<NewRun>();
        page.WaitForElement("[data-testid=submit]");
        return page;
    }

    static IElement Input(IRenderedComponent<NewRun> page, string field) => page.Find($"input[data-testid={field}]");

    /// <summary>The line under the field: its message when it has one, else its helper (the default).</summary>
    static string MessageOf(IRenderedComponent<NewRun> page, string field) =>
        Input(page, field).Closest(".mud-input-control")!.QuerySelector(".mud-input-helper-text")!.TextContent.Trim();

    [Theory]
    [InlineData(nameof(AlgorithmConfig.K), "0", "must be between 1 and 16")]
    [InlineData(nameof(AlgorithmConfig.K), "17", "must be between 1 and 16")]
    [InlineData(nameof(AlgorithmConfig.SnmfIterations), "0", "must be at least 1")]
    [InlineData(nameof(AlgorithmConfig.Stage1Steps), "9000", "must be at least 0 and below Steps")]
    public void A_refused_value_shows_the_APIs_message_under_its_field(string field, string value, string message)
    {
        var page = Render();
        Input(page, field).Change(value);
        page.WaitForAssertion(() => Assert.Equal(message, MessageOf(page, field)));
        Assert.True(page.Find("[data-testid=submit]").HasAttribute("disabled"));
    }

    [Fact]
    public void Steps_lowered_below_the_stage_1_steps_show_the_message_under_stage_1_steps_until_fixed()
    {
        var page = Render();
        Input(page, nameof(AlgorithmConfig.Stage1Steps)).Change("150");
        Input(page, nameof(AlgorithmConfig.Steps)).Change("100");
        page.WaitForAssertion(() => Assert.Equal("must be at least 0 and below Steps", MessageOf(page, nameof(AlgorithmConfig.Stage1Steps))));
        Assert.True(page.Find("[data-testid=submit]").HasAttribute("disabled"));
        Input(page, nameof(AlgorithmConfig.Stage1Steps)).Change("50");
        page.WaitForAssertion(() => Assert.StartsWith("default", MessageOf(page, nameof(AlgorithmConfig.Stage1Steps))));
        Assert.False(page.Find("[data-testid=submit]").HasAttribute("disabled"));
    }

    [Theory]
    [InlineData(nameof(AlgorithmConfig.K), "abc")]
    [InlineData(nameof(AlgorithmConfig.Steps), "12x")]
    [InlineData(nameof(AlgorithmConfig.LearningRate), "fast")]
    public void Text_that_is_not_a_number_stays_in_the_field_with_a_message_and_blocks_the_queue(string field, string text)
    {
        var page = Render();
        Input(page, field).Change(text);
        page.WaitForAssertion(() => Assert.Equal($"'{text}' is not a number", MessageOf(page, field)));
        Assert.Equal(text, Input(page, field).GetAttribute("value"));
        Assert.True(page.Find("[data-testid=submit]").HasAttribute("disabled"));

        // Typing a number again clears it.
        Input(page, field).Change(field switch { nameof(AlgorithmConfig.LearningRate) => "0.0001", nameof(AlgorithmConfig.Steps) => "9000", _ => "4" });
        page.WaitForAssertion(() => Assert.StartsWith("default", MessageOf(page, field)));
        Assert.False(page.Find("[data-testid=submit]").HasAttribute("disabled"));
    }

    [Fact]
    public void A_whole_number_field_refuses_a_fraction()
    {
        var page = Render();
        Input(page, nameof(AlgorithmConfig.K)).Change("2.5");
        page.WaitForAssertion(() => Assert.Equal("'2.5' is not a whole number", MessageOf(page, nameof(AlgorithmConfig.K))));
        Assert.True(page.Find("[data-testid=submit]").HasAttribute("disabled"));
    }
}
