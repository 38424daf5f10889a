import { runScenario } from '../scenario';

runScenario({ inputs: { command: 'score', package: 'churn.mlpkg' }, mlopsOnPath: true, env: { FAKE_MLOPS_BEHAVIOUR: 'crash' } });
