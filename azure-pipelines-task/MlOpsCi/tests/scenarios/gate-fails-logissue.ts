import { runScenario } from '../scenario';

runScenario({ inputs: { command: 'report', package: 'churn.mlpkg' }, mlopsOnPath: true, env: { FAKE_MLOPS_BEHAVIOUR: 'fail-gate-logissue', TF_BUILD: 'True' } });
