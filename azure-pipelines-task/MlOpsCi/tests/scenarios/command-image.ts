import { runScenario } from '../scenario';

runScenario({ inputs: { command: 'image', package: 'churn.mlpkg', image: 'registry.invalid/churn:1.4.0' }, mlopsOnPath: true });
