import { runScenario } from '../scenario';

runScenario({
    inputs: {
        command: 'build',
        project: 'samples/churn/churn.mlproj',
        registry: 'oci://registry.invalid/models/churn',
        baseline: 'production',
        arguments: '--verbose --property "Configuration=Release Candidate"',
    },
    mlopsOnPath: true,
});
