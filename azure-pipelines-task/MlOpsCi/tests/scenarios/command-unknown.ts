import { runScenario } from '../scenario';

runScenario({ inputs: { command: 'deploy-everything' }, mlopsOnPath: true });
