import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MockTestRunner } from 'azure-pipelines-task-lib/mock-test';

// Each scenario runs the compiled handler in its own Node process against fake mlops/dotnet executables.
async function run(scenario: string): Promise<MockTestRunner> {
    const runner = new MockTestRunner(path.join(__dirname, 'scenarios', `${scenario}.js`), path.join(__dirname, '..', '..', 'task.json'));
    // This Node, not one MockTestRunner would download for the task.json handler (there is no network here).
    runner.nodePath = process.execPath;
    await runner.runAsync();
    return runner;
}

function assertNoStackTrace(runner: MockTestRunner): void {
    assert.doesNotMatch(runner.stdout + runner.stderr, /^\s+at .+\(.*:\d+:\d+\)$/m, 'a stack trace was printed');
}

describe('The MlOpsCi task', function () {
    this.timeout(30000);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-task-tests-'));
    before(() => { process.env['MLOPS_TASK_TEST_ROOT'] = root; });
    after(() => {
        delete process.env['MLOPS_TASK_TEST_ROOT'];
        fs.rmSync(root, { recursive: true, force: true });
    });

    it('runs the command with the inputs as MLOPS_* defaults and lets the CLI set the output variables', async () => {
        const tr = await run('build-succeeds');

        assert.ok(tr.succeeded, tr.stdout);
        assert.deepStrictEqual(tr.errorIssues, []);
        assert.ok(tr.stdout.includes('fake-mlops args ["build","--verbose","--property","Configuration=Release Candidate"]'), tr.stdout);
        assert.ok(tr.stdout.includes('fake-mlops env MLOPS_PROJECT=samples/churn/churn.mlproj'), tr.stdout);
        assert.ok(tr.stdout.includes('fake-mlops env MLOPS_REGISTRY=oci://registry.invalid/models/churn'), tr.stdout);
        assert.ok(tr.stdout.includes('fake-mlops env MLOPS_BASELINE=production'), tr.stdout);
        assert.ok(!tr.stdout.includes('fake-mlops env MLOPS_PACKAGE='), 'an empty input must not become a default');
        for (const line of [
            '##vso[task.setvariable variable=modelVersion;isOutput=true]1.4.0',
            '##vso[task.setvariable variable=fingerprint;isOutput=true]sha256:9f2c',
            '##vso[task.setvariable variable=gatePassed;isOutput=true]true',
        ]) {
            assert.ok(tr.stdout.split(/\r?\n/).includes(line), `the agent must see "${line}" on a line of its own`);
        }
    });

    it('fails with the CLI\'s own code and message when a quality gate fails', async () => {
        const tr = await run('gate-fails');

        assert.ok(tr.failed);
        assert.deepStrictEqual(tr.errorIssues, ['MLOPS3002: Quality gate failed: Auc 0.81 is below the minimum 0.85.']);
        assertNoStackTrace(tr);
    });

    it('reads the failing gate from the logging command the CLI prints under TF_BUILD', async () => {
        const tr = await run('gate-fails-logissue');

        assert.ok(tr.failed);
        assert.deepStrictEqual(tr.errorIssues,
            ['MLOPS3002: Quality gate failed: Auc 0.81 is below the minimum 0.85 (-4.5%).\nRaise the model or lower the gate.']);
        assert.ok(tr.stdout.includes('##vso[task.logissue type=error;sourcepath=samples/churn/churn.mlproj;linenumber=12;code=MLOPS3002]'),
            'the CLI\'s issue with its file and line reaches the agent');
    });

    it('fails with MLOPS8154 when the CLI exits non-zero without an MLOPS error', async () => {
        const tr = await run('cli-crashes');

        assert.ok(tr.failed);
        assert.strictEqual(tr.errorIssues.length, 1);
        assert.match(tr.errorIssues[0], /^MLOPS8154: mlops score exited with code 139 without an MLOPS error/);
    });

    it('fails with MLOPS8153 when the command input is missing, before running anything', async () => {
        const tr = await run('command-missing');

        assert.ok(tr.failed);
        assert.strictEqual(tr.errorIssues.length, 1);
        assert.match(tr.errorIssues[0], /^MLOPS8153: The task input 'command' is required\. Set it to one of: build, /);
        assert.ok(!tr.stdout.includes('fake-mlops'), 'mlops must not run');
        assertNoStackTrace(tr);
    });

    it('fails with MLOPS8152 naming the valid commands when the command is unknown', async () => {
        const tr = await run('command-unknown');

        assert.ok(tr.failed);
        assert.strictEqual(tr.errorIssues.length, 1);
        assert.match(tr.errorIssues[0], /^MLOPS8152: 'deploy-everything' is not a command of the MlOpsCi task\. Use one of: .*promote/);
        assert.ok(!tr.stdout.includes('fake-mlops'), 'mlops must not run');
    });

    it('runs image as mlops image push, with the image input as MLOPS_IMAGE', async () => {
        const tr = await run('command-image');

        assert.ok(tr.succeeded, tr.stdout);
        assert.ok(tr.stdout.includes('fake-mlops args ["image","push"]'), tr.stdout);
        assert.ok(tr.stdout.includes('fake-mlops env MLOPS_IMAGE=registry.invalid/churn:1.4.0'), tr.stdout);
        assert.ok(tr.stdout.includes('fake-mlops env MLOPS_PACKAGE=churn.mlpkg'), tr.stdout);
    });

    it('fails with MLOPS8151 and NuGet\'s reason when mlops is not on PATH and cannot be installed', async () => {
        const tr = await run('install-fails');

        assert.ok(tr.failed);
        assert.strictEqual(tr.errorIssues.length, 1);
        assert.match(tr.errorIssues[0], /^MLOPS8151: mlops is not on PATH and installing MlOps\.Ci\.Cli from the configured NuGet sources failed: /);
        assert.ok(tr.errorIssues[0].includes('failed to install'), tr.errorIssues[0]);
        assertNoStackTrace(tr);
    });

    it('fails with MLOPS8151 saying how to get dotnet when neither mlops nor dotnet is on PATH', async () => {
        const tr = await run('no-dotnet');

        assert.ok(tr.failed);
        assert.strictEqual(tr.errorIssues.length, 1);
        assert.match(tr.errorIssues[0], /^MLOPS8151: mlops is not on PATH and there is no dotnet .* Add a UseDotNet@2 step/);
    });

    it('fails with MLOPS8150 when toolPath names no file, without falling back to PATH', async () => {
        const tr = await run('tool-path-missing');

        assert.ok(tr.failed);
        assert.strictEqual(tr.errorIssues.length, 1);
        assert.ok(tr.errorIssues[0].startsWith("MLOPS8150: The task input 'toolPath' names '/nonexistent/tools/mlops', which is not a file."), tr.errorIssues[0]);
        assert.ok(!tr.stdout.includes('fake-mlops'), 'the mlops on PATH must not run');
    });

    it('treats path inputs the agent filled with the repository root as empty', async () => {
        const tr = await run('empty-path-inputs');

        assert.ok(tr.succeeded, tr.stdout);
        assert.ok(tr.stdout.includes('fake-mlops args ["build"]'), 'mlops from PATH runs, not the toolPath folder');
        assert.ok(!tr.stdout.includes('fake-mlops env MLOPS_PACKAGE='), tr.stdout);
        assert.ok(tr.stdout.includes('fake-mlops env MLOPS_PROJECT=samples/churn/churn.mlproj'), tr.stdout);
    });

    it('installs a pinned tool version from the feed into the agent\'s temp folder and runs it', async () => {
        const tr = await run('install-pinned');

        assert.ok(tr.succeeded, tr.stdout);
        const install = /fake-dotnet args (\[.*\])/.exec(tr.stdout);
        assert.ok(install, tr.stdout);
        const args: string[] = JSON.parse(install[1]);
        assert.deepStrictEqual(args.slice(0, 3), ['tool', 'install', 'MlOps.Ci.Cli']);
        assert.match(args[args.indexOf('--tool-path') + 1], /agent-temp-[^/]+\/mlops\/1\.2\.3$/);
        assert.strictEqual(args[args.indexOf('--version') + 1], '1.2.3');
        assert.strictEqual(args[args.indexOf('--add-source') + 1], 'https://feeds.invalid/nuget/v3/index.json');
        assert.ok(tr.stdout.includes('fake-mlops args ["status"]'), 'the installed tool runs');
    });

    it('passes System.AccessToken to the CLI only through its environment and never prints it', async () => {
        const token = 'ado-token-3f9c1b7e5d';
        const tr = await run('token');

        assert.ok(tr.succeeded, tr.stdout);
        assert.ok(tr.stdout.includes(`fake-mlops token received (${token.length} characters)`), tr.stdout);
        const printed = tr.stdout.split(/\r?\n/).filter(line => line.includes(token));
        // The one line allowed to hold it is the command that tells the agent to mask it everywhere.
        assert.deepStrictEqual(printed, [`##vso[task.setsecret]${token}`]);
        assert.ok(!tr.stderr.includes(token));
    });

    it('keeps logging commands other than the CLI\'s own from reaching the agent', async () => {
        const tr = await run('smuggled-commands');

        assert.ok(tr.succeeded, tr.stdout);
        assert.ok(!tr.stdout.includes('##vso[task.prependpath]'), 'a smuggled prependpath must be neutralized');
        assert.ok(tr.stdout.includes('##vso[task.setvariable variable=gatePassed;isOutput=true]true'));
    });
});
