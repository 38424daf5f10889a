import { runScenario } from '../scenario';

runScenario({ inputs: { command: 'build' }, mlopsOnPath: true, env: { FAKE_MLOPS_BEHAVIOUR: 'smuggle' } });
