using System.CommandLine;
using MlOps.Ci.Cli;

return CliApplication.Run(args);
