return Sada.Cli.SadaCli.Run(args);
