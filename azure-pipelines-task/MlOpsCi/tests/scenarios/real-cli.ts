import { runScenario } from '../scenario';

// The real thing: the task installs the packed MlOps.Ci.Cli with the real dotnet and runs it as the agent would.
runScenario({
    inputs: {
        command: 'inspect',
        arguments: process.env['REAL_CLI_PACKAGE']!,
        toolVersion: process.env['REAL_CLI_VERSION']!,
        feed: process.env['REAL_CLI_FEED']!,
    },
    variables: { 'Build.SourcesDirectory': process.env['REAL_CLI_SOURCES']! },
    env: { TF_BUILD: 'True', NUGET_PACKAGES: process.env['REAL_CLI_NUGET_PACKAGES']! },
    keepPath: true,
});
