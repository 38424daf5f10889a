import { runScenario } from '../scenario';

runScenario({
    inputs: { command: 'report', package: 'churn.mlpkg' },
    secrets: { 'System.AccessToken': 'ado-token-3f9c1b7e5d' },
    mlopsOnPath: true,
});
