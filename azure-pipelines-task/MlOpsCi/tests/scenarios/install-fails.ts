import { runScenario } from '../scenario';

runScenario({ inputs: { command: 'build' }, dotnetOnPath: true, env: { FAKE_DOTNET_BEHAVIOUR: 'fail' } });
