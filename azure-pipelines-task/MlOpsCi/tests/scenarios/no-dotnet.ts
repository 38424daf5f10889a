import { runScenario } from '../scenario';

runScenario({ inputs: { command: 'build' } });
