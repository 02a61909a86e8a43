namespace Sada.Cli;

// An explicit entry point in the tool's namespace: a top-level Program would be public in the global namespace (the
// ASP.NET Core framework, referenced for `sada worker`, makes it so) and clash with the web app's in the tests.
internal static class Program
{
    static int Main(string[] args) => SadaCli.Run(args);
}
