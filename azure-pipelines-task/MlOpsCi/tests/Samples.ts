import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { commandLine } from '../src/commands';

// task.json, the handler and the sample pipelines users copy describe the same task: these tests keep them in step.
const taskFolder = path.resolve(__dirname, '..', '..');
const repositoryRoot = path.resolve(taskFolder, '..', '..');
const samplesFolder = path.join(repositoryRoot, 'samples', 'azure-pipelines');
const taskJson = JSON.parse(fs.readFileSync(path.join(taskFolder, 'task.json'), 'utf8'));
const inputNames = new Set<string>(taskJson.inputs.map((i: { name: string }) => i.name));
const outputNames = new Set<string>(taskJson.OutputVariables.map((o: { name: string }) => o.name));

type Node = unknown;
/** Every mapping in a YAML document, depth first. */
function* mappings(node: Node): Generator<Record<string, unknown>> {
    if (Array.isArray(node)) for (const item of node) yield* mappings(item);
    else if (node && typeof node === 'object') {
        yield node as Record<string, unknown>;
        for (const value of Object.values(node)) yield* mappings(value);
    }
}

describe('The task definition', () => {
    it('offers only commands the handler runs', () => {
        const options = Object.keys(taskJson.inputs.find((i: { name: string }) => i.name === 'command').options);
        assert.ok(options.length >= 9);
        for (const option of options) assert.doesNotThrow(() => commandLine(option), `pickList option '${option}'`);
    });

    it('declares the output variables the CLI sets', () => {
        assert.deepStrictEqual([...outputNames].sort(),
            ['drifted', 'fingerprint', 'gatePassed', 'image', 'metricsJson', 'modelVersion', 'packagePath', 'reportPath', 'retrain']);
    });

    it('runs on the Node 20 and Node 24 handlers, on agents that have at least Node 20', () => {
        assert.deepStrictEqual(Object.keys(taskJson.execution).sort(), ['Node20_1', 'Node24']);
        for (const handler of Object.values(taskJson.execution) as { target: string }[]) {
            assert.ok(fs.existsSync(path.join(taskFolder, handler.target)), `${handler.target} is compiled`);
        }
        assert.strictEqual(taskJson.minimumAgentVersion, '3.232.1');
    });
});

describe('The sample pipelines', () => {
    const samples = fs.readdirSync(samplesFolder).filter(f => f.endsWith('.yml'));

    it('are the PR validation, release and drift-check pipelines', () => {
        assert.deepStrictEqual(samples.sort(), ['drift-check.yml', 'pr-validation.yml', 'release.yml']);
    });

    for (const sample of ['drift-check.yml', 'pr-validation.yml', 'release.yml']) {
        it(`${sample} uses the task with declared inputs, known commands and declared output variables`, () => {
            const text = fs.readFileSync(path.join(samplesFolder, sample), 'utf8');
            const document = yaml.load(text);
            const steps = [...mappings(document)].filter(m => typeof m['task'] === 'string' && (m['task'] as string).startsWith('MlOpsCi@'));
            assert.ok(steps.length >= 2, `${sample} runs the task`);
            for (const step of steps) {
                assert.strictEqual(step['task'], `MlOpsCi@${taskJson.version.Major}`);
                const inputs = step['inputs'] as Record<string, string>;
                for (const name of Object.keys(inputs)) assert.ok(inputNames.has(name), `${sample}: input '${name}' is not in task.json`);
                assert.doesNotThrow(() => commandLine(inputs['command']), `${sample}: command '${inputs['command']}'`);
            }
            // $(step.variable), outputs['step.variable'] and variables['step.variable'] (conditions in the same job)
            // may only name output variables the task declares.
            const stepNames = new Set(steps.map(s => s['name']).filter(Boolean) as string[]);
            const references = [...text.matchAll(/\$\((\w+)\.(\w+)\)|(?:outputs|variables)\['(\w+)\.(\w+)'\]/g)]
                .map(m => [m[1] ?? m[3], m[2] ?? m[4]])
                .filter(([step]) => stepNames.has(step));
            assert.ok(references.length > 0, `${sample} uses the task's outputs`);
            for (const [step, variable] of references) assert.ok(outputNames.has(variable), `${sample}: ${step}.${variable} is not an output variable`);
        });
    }

    it('pr-validation.yml runs on pull requests to main only, and hands the report the access token', () => {
        const pipeline = yaml.load(fs.readFileSync(path.join(samplesFolder, 'pr-validation.yml'), 'utf8')) as Record<string, any>;
        assert.strictEqual(pipeline['trigger'], 'none');
        assert.deepStrictEqual(pipeline['pr'].branches.include, ['main']);
        const report = [...mappings(pipeline)].find(m => (m['inputs'] as any)?.command === 'report') as any;
        assert.strictEqual(report.env.SYSTEM_ACCESSTOKEN, '$(System.AccessToken)');
    });

    it('drift-check.yml runs on its schedule only and queues retraining from the drift step, which may fail without failing the run', () => {
        const pipeline = yaml.load(fs.readFileSync(path.join(samplesFolder, 'drift-check.yml'), 'utf8')) as Record<string, any>;
        assert.strictEqual(pipeline['trigger'], 'none');
        assert.strictEqual(pipeline['pr'], 'none');
        assert.ok(pipeline['schedules'][0].cron, 'a schedule');
        const drift = [...mappings(pipeline)].find(m => (m['inputs'] as any)?.command === 'drift') as any;
        assert.strictEqual(drift.name, 'drift');
        assert.strictEqual(drift.continueOnError, true, 'exit 1 (retraining advised) must not fail the run');
        assert.match(drift.inputs.arguments, /--retrain-pipeline-id \$\(trainingPipelineId\)/);
        assert.match(drift.inputs.arguments, /--input \$\(requestLog\)/);
    });

    it('release.yml goes package → image → environments, deploying through environments that hold the approvals', () => {
        const pipeline = yaml.load(fs.readFileSync(path.join(samplesFolder, 'release.yml'), 'utf8')) as Record<string, any>;
        const stages = pipeline['stages'] as any[];
        assert.deepStrictEqual(stages.map(s => s.stage), ['Package', 'Image', 'Staging', 'Production']);
        const deployments = stages.slice(2).map(s => s.jobs[0]);
        assert.deepStrictEqual(deployments.map(j => j.environment), ['mlops-staging', 'mlops-production']);
        assert.ok(stages[3].dependsOn.includes('Staging'), 'production comes after staging');
        const imageStep = [...mappings(stages[1])].find(m => (m['inputs'] as any)?.command === 'image');
        assert.ok(imageStep, 'the Image stage builds the image with the task');
    });
});
