import { runScenario, scratch } from '../scenario';

// The agent passes an empty filePath input as the sources directory, not as ''.
const sources = scratch('sources-');
runScenario({
    inputs: { command: 'build', project: 'samples/churn/churn.mlproj', package: sources, toolPath: sources },
    variables: { 'Build.SourcesDirectory': sources },
    mlopsOnPath: true,
});
