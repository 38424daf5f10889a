import { runScenario } from '../scenario';

runScenario({ inputs: { command: 'build', toolPath: '/nonexistent/tools/mlops' }, mlopsOnPath: true });
