// Runs the real handler (the real task library, no mocked exec) in the process MockTestRunner starts, with a PATH
// that holds only the fakes a scenario asks for, so nothing on the test machine (an installed mlops or dotnet) is seen.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as mr from 'azure-pipelines-task-lib/mock-run';
import { writeLauncher } from './launchers';

export interface Scenario {
    inputs: { [name: string]: string };
    /** Pipeline variables; secrets arrive as SECRET_* as the agent passes them. */
    variables?: { [name: string]: string };
    secrets?: { [name: string]: string };
    /** Which fakes are on PATH. */
    mlopsOnPath?: boolean;
    dotnetOnPath?: boolean;
    /** Keep the machine's PATH after the fakes (for the real dotnet). */
    keepPath?: boolean;
    /** Environment for the fakes (FAKE_MLOPS_BEHAVIOUR, FAKE_DOTNET_BEHAVIOUR). */
    env?: { [name: string]: string };
}

export const fakeMlopsScript = path.join(__dirname, 'fake-mlops.js');

/** A folder the test runner removes afterwards (it sets MLOPS_TASK_TEST_ROOT), else the OS temp folder. */
export function scratch(prefix: string): string {
    const root = process.env['MLOPS_TASK_TEST_ROOT'] || os.tmpdir();
    return fs.mkdtempSync(path.join(root, prefix));
}

export function runScenario(scenario: Scenario): void {
    const bin = scratch('bin-');
    if (scenario.mlopsOnPath) writeLauncher(path.join(bin, 'mlops'), fakeMlopsScript);
    if (scenario.dotnetOnPath) writeLauncher(path.join(bin, 'dotnet'), path.join(__dirname, 'fake-dotnet.js'));
    process.env['PATH'] = scenario.keepPath ? `${bin}${path.delimiter}${process.env['PATH']}` : bin;
    for (const [name, value] of Object.entries(scenario.env ?? {})) process.env[name] = value;

    const runner = new mr.TaskMockRunner(path.join(__dirname, '..', 'src', 'index.js'));
    for (const [name, value] of Object.entries(scenario.inputs)) runner.setInput(name, value);
    // Public variables reach a task as plain environment variables (Agent.TempDirectory as AGENT_TEMPDIRECTORY).
    const variables = { 'Agent.TempDirectory': scratch('agent-temp-'), ...scenario.variables };
    for (const [name, value] of Object.entries(variables)) process.env[name.replace(/\./g, '_').toUpperCase()] = value;
    for (const [name, value] of Object.entries(scenario.secrets ?? {})) runner.setVariableName(name, value, true);
    runner.run(true);
}
