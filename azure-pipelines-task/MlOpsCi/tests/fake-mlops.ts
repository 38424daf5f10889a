// A stand-in for the mlops CLI, run by the task as a real process. It reports what it received (arguments, MLOPS_*
// variables, whether a token arrived) and then behaves like the CLI in the scenario named by FAKE_MLOPS_BEHAVIOUR.
const argv = process.argv.slice(2);
console.log(`fake-mlops args ${JSON.stringify(argv)}`);
for (const name of ['MLOPS_PROJECT', 'MLOPS_PACKAGE', 'MLOPS_BASELINE', 'MLOPS_ENVIRONMENT', 'MLOPS_REGISTRY', 'MLOPS_IMAGE']) {
    if (process.env[name] !== undefined) console.log(`fake-mlops env ${name}=${process.env[name]}`);
}
const token = process.env['SYSTEM_ACCESSTOKEN'];
console.log(token ? `fake-mlops token received (${token.length} characters)` : 'fake-mlops no token');

switch (process.env['FAKE_MLOPS_BEHAVIOUR'] ?? 'succeed') {
    case 'succeed':
        // What MlOps.Ci.AzureDevOps prints under TF_BUILD: output variables for later jobs.
        console.log('##vso[task.setvariable variable=modelVersion;isOutput=true]1.4.0');
        console.log('##vso[task.setvariable variable=fingerprint;isOutput=true]sha256:9f2c');
        console.log('##vso[task.setvariable variable=packagePath;isOutput=true]samples/churn/bin/Release/churn.1.4.0.mlpkg');
        console.log('##vso[task.setvariable variable=gatePassed;isOutput=true]true');
        process.exit(0);
    case 'fail-gate':
        console.log('Evaluating churn 1.4.0 on 2,000 rows');
        console.error('samples/churn/churn.mlproj(12,5): error MLOPS3002: Quality gate failed: Auc 0.81 is below the minimum 0.85.');
        process.exit(1);
    case 'fail-gate-logissue':
        console.error('##vso[task.logissue type=warning;code=MLOPS3010]No baseline found; gating on absolute bounds only.');
        // Escaped as MlOps.Ci.AzureDevOps's LoggingCommand writes it: % as %AZP25, a line break as %0A.
        console.error('##vso[task.logissue type=error;sourcepath=samples/churn/churn.mlproj;linenumber=12;code=MLOPS3002]Quality gate failed: Auc 0.81 is below the minimum 0.85 (-4.5%AZP25).%0ARaise the model or lower the gate.');
        console.log('##vso[task.complete result=Failed]Quality gate failed');
        process.exit(1);
    case 'crash':
        console.error('Segmentation fault');
        process.exit(139);
    case 'smuggle':
        // Output the CLI passes through from a training script: only the CLI's own commands may reach the agent.
        console.log('##vso[task.prependpath]/opt/untrusted/bin');
        console.log('##vso[task.setvariable variable=gatePassed;isOutput=true]true');
        process.exit(0);
    default:
        console.error(`fake-mlops: unknown behaviour ${process.env['FAKE_MLOPS_BEHAVIOUR']}`);
        process.exit(2);
}
