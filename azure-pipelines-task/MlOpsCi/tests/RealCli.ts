import * as assert from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { MockTestRunner } from 'azure-pipelines-task-lib/mock-test';

// The task against the real mlops tool, packed by `build/build.sh pack` (or `test`) into artifacts/packages/ (or the
// folder in MLOPS_TASK_TEST_PACKAGES). Skipped, with the reason, where there is no package or no dotnet.
const repositoryRoot = path.resolve(__dirname, '..', '..', '..', '..');
const feed = process.env['MLOPS_TASK_TEST_PACKAGES'] || path.join(repositoryRoot, 'artifacts', 'packages');

function packedVersion(): string | undefined {
    const packages = fs.existsSync(feed) ? fs.readdirSync(feed).filter(f => /^MlOps\.Ci\.Cli\.\d.*\.nupkg$/.test(f)) : [];
    return packages.length === 1 ? packages[0].slice('MlOps.Ci.Cli.'.length, -'.nupkg'.length) : undefined;
}

function onPath(executable: string): boolean {
    return (process.env['PATH'] ?? '').split(path.delimiter).some(folder => fs.existsSync(path.join(folder, executable)));
}

describe('The MlOpsCi task with the real mlops tool (needs a packed MlOps.Ci.Cli and dotnet)', function () {
    this.timeout(180000);
    let root: string;
    before(function () {
        if (!packedVersion()) this.skip();
        if (!onPath('dotnet')) this.skip();
        root = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-task-real-'));
    });
    after(() => { if (root) fs.rmSync(root, { recursive: true, force: true }); });

    it('installs the packed tool with dotnet and fails with the tool\'s own code, reported as an Azure DevOps issue', async () => {
        const missing = path.join(root, 'sources', 'models', 'missing.mlpkg');
        Object.assign(process.env, {
            MLOPS_TASK_TEST_ROOT: root,
            REAL_CLI_PACKAGE: missing,
            REAL_CLI_VERSION: packedVersion(),
            REAL_CLI_FEED: feed,
            REAL_CLI_SOURCES: path.join(root, 'sources'),
            // Its own package folder: an older copy of the same version in the user's cache must not be installed.
            REAL_CLI_NUGET_PACKAGES: path.join(root, 'nuget-packages'),
        });
        const tr = new MockTestRunner(path.join(__dirname, 'scenarios', 'real-cli.js'), path.join(__dirname, '..', '..', 'task.json'));
        tr.nodePath = process.execPath;
        await tr.runAsync();

        assert.ok(tr.stdout.includes(`tool install MlOps.Ci.Cli --tool-path`), tr.stdout);
        assert.ok(tr.failed, tr.stdout);
        assert.strictEqual(tr.errorIssues.length, 1, tr.stdout);
        assert.ok(tr.errorIssues[0].startsWith(`MLOPS4002: Model package '${missing}' does not exist.`), tr.errorIssues[0]);
        // Under TF_BUILD the tool itself speaks Azure DevOps: its issue carries the code and the file, relative to
        // the sources directory.
        assert.match(tr.stdout, /##vso\[task\.logissue type=error;sourcepath=models\/missing\.mlpkg;code=MLOPS4002\]/);
    });
});
