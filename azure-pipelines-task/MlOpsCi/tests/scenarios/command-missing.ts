import { runScenario } from '../scenario';

runScenario({ inputs: { project: 'samples/churn/churn.mlproj' }, mlopsOnPath: true });
