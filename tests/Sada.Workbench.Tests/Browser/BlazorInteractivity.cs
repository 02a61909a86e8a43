using Microsoft.Playwright;

namespace Sada.Workbench.Tests.Browser;

/// <summary>
/// Blazor Server pages arrive prerendered and become interactive only once their circuit has rendered them again over
/// the WebSocket. The browser acknowledges every render batch it has applied by sending the hub message
/// "OnRenderCompleted"; a script added to every page counts those acknowledgements, so a test waits for the first one
/// instead of sleeping. After that, the page's event handlers are attached.
/// </summary>
public static class BlazorInteractivity
{
    /// <summary>Runs in every document before its own scripts (BrowserContext.AddInitScriptAsync).</summary>
    public const string InitScript = """
        (() => {
          const state = window.__sadaBlazor = { socket: false, renders: 0 };
          const decoder = new TextDecoder();
          const send = WebSocket.prototype.send;
          WebSocket.prototype.send = function (data) {
            if (typeof this.url === 'string' && this.url.includes('/_blazor')) {
              state.socket = true;
              const text = typeof data === 'string' ? data
                : decoder.decode(data instanceof ArrayBuffer ? new Uint8Array(data) : ArrayBuffer.isView(data) ? data : new Uint8Array());
              if (text.includes('OnRenderCompleted')) state.renders++;
            }
            return send.call(this, data);
          };
        })();
        """;

    /// <summary>Waits until this document's circuit has applied its first render batch.</summary>
    public static async Task WaitAsync(IPage page, float timeoutMs = 20_000)
    {
        try
        {
            await page.WaitForFunctionAsync("() => (window.__sadaBlazor?.renders ?? 0) > 0", null,
                new PageWaitForFunctionOptions { Timeout = timeoutMs });
        }
        catch (TimeoutException e)
        {
            var socket = await page.EvaluateAsync<bool?>("() => window.__sadaBlazor?.socket ?? null");
            throw new TimeoutException(
                $"{page.Url} did not become interactive within {timeoutMs / 1000} s: " +
                (socket switch
                {
                    null => "the interactivity script is missing (open pages through BrowserSession).",
                    false => "no Blazor WebSocket was opened (did blazor.web.js load? did it fall back from WebSockets?).",
                    true => "the circuit's WebSocket is open but no render batch was acknowledged.",
                }), e);
        }
    }
}
