// The MlOpsCi task: find the mlops tool and run one command. Everything the step does, its output variables,
// issues, summary and result included, comes from the CLI (it speaks Azure DevOps logging commands when TF_BUILD is
// set); this handler only maps task inputs to the CLI's environment defaults and reports failures with their code.
import { Writable } from 'stream';
import * as tl from 'azure-pipelines-task-lib/task';
import { commandLine } from './commands';
import { DiagnosticCodes, TaskFailure, parseCliError } from './diagnostics';
import { locateTool } from './tool';

// Task inputs the CLI reads as defaults for its options, by environment variable.
const inputVariables: ReadonlyArray<[input: string, variable: string, isPath: boolean]> = [
    ['project', 'MLOPS_PROJECT', true],
    ['package', 'MLOPS_PACKAGE', true],
    ['baseline', 'MLOPS_BASELINE', false],
    ['environment', 'MLOPS_ENVIRONMENT', false],
    ['registry', 'MLOPS_REGISTRY', false],
    ['image', 'MLOPS_IMAGE', false],
];

// The logging commands the CLI prints. Anything else that looks like one (from a training script the CLI runs,
// say) is neutralized by the task library instead of reaching the agent.
const cliLoggingCommands = [
    'task.setvariable', 'task.logissue', 'task.issue', 'task.uploadsummary', 'task.complete', 'task.setsecret',
    'task.debug', 'task.setprogress',
];

async function run(): Promise<void> {
    const command = commandLine(tl.getInput('command', false));
    const mlops = await locateTool({
        toolPath: pathInput('toolPath'),
        toolVersion: tl.getInput('toolVersion', false)?.trim() || undefined,
        feed: tl.getInput('feed', false)?.trim() || undefined,
    });

    const env: { [name: string]: string | undefined } = { ...process.env };
    for (const [input, variable, isPath] of inputVariables) {
        const value = isPath ? pathInput(input) : tl.getInput(input, false)?.trim();
        if (value) env[variable] = value;
    }
    const token = accessToken();
    if (token) {
        // Masked before anything could print it; it reaches the CLI only through its environment.
        tl.setSecret(token);
        env['SYSTEM_ACCESSTOKEN'] = token;
    }

    const cli = tl.tool(mlops).arg([...command]);
    const extra = tl.getInput('arguments', false);
    if (extra) cli.line(extra);

    let lastError: { code: string; message: string } | undefined;
    const scan = (line: string) => { lastError = parseCliError(line) ?? lastError; };
    cli.on('stdline', scan);
    cli.on('errline', scan);

    let exitCode: number;
    try {
        exitCode = await cli.execAsync({
            env,
            ignoreReturnCode: true,
            externalOutput: { source: 'childProcess', enableVsoCommands: true, allowedVsoCommands: cliLoggingCommands },
        });
    } catch (error) {
        throw new TaskFailure(DiagnosticCodes.TaskToolNotStarted,
            `mlops at '${mlops}' could not be started (${messageOf(error)}). Check that it is an executable for this ` +
            `agent's platform.`);
    }
    // On success the result is left to the agent, so a SucceededWithIssues the CLI reported stands.
    if (exitCode === 0) return;
    if (lastError) throw new TaskFailure(lastError.code, lastError.message);
    throw new TaskFailure(DiagnosticCodes.TaskToolFailedWithoutDiagnostic,
        `mlops ${command.join(' ')} exited with code ${exitCode} without an MLOPS error. Its output is above; ` +
        `run again with 'arguments: --verbose' for more.`);
}

/** A filePath input, or undefined when left empty: the agent then passes the repository root instead of ''. */
function pathInput(name: string): string | undefined {
    return tl.filePathSupplied(name) ? tl.getPathInput(name, false)?.trim() || undefined : undefined;
}

/** System.AccessToken where the pipeline maps it, else the job's own OAuth token (SystemVssConnection). */
function accessToken(): string | undefined {
    // The task library debug-logs every value it reads, secrets included. The agent would mask the token, but the
    // raw line is not written at all: its output goes nowhere while the token is read.
    tl.setStdStream(new Writable({ write: (_chunk, _encoding, done) => done() }));
    try {
        return tl.getVariable('System.AccessToken')
            || tl.getEndpointAuthorizationParameter('SystemVssConnection', 'AccessToken', true)
            || undefined;
    } finally {
        tl.setStdStream(process.stdout);
    }
}

function messageOf(error: unknown): string {
    return error instanceof Error ? error.message : String(error);
}

run().catch((error: unknown) => {
    // Never a stack trace: a failure the user can fix carries its code; anything else is a bug, reported as one.
    const message = error instanceof TaskFailure
        ? error.toString()
        : `MLOPS9001: the MlOpsCi task failed unexpectedly: ${messageOf(error)}. Report it with this log.`;
    tl.setResult(tl.TaskResult.Failed, message);
});
