import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tl from 'azure-pipelines-task-lib/task';
import { DiagnosticCodes, TaskFailure } from './diagnostics';

/** Where the tool comes from, in order: the toolPath input, `mlops` on PATH, a `dotnet tool install`. */
export interface ToolRequest {
    toolPath?: string;
    toolVersion?: string;
    feed?: string;
}

export const toolPackageId = 'MlOps.Ci.Cli';
const executableName = process.platform === 'win32' ? 'mlops.exe' : 'mlops';

export async function locateTool(request: ToolRequest): Promise<string> {
    if (request.toolPath) {
        if (!isFile(request.toolPath)) {
            throw new TaskFailure(DiagnosticCodes.TaskToolPathNotFound,
                `The task input 'toolPath' names '${request.toolPath}', which is not a file. ` +
                `Point it at an mlops executable, or leave it empty to use mlops from PATH or install ${toolPackageId}.`);
        }
        return request.toolPath;
    }
    // A pinned version is a request to install that version, whatever PATH holds.
    if (!request.toolVersion) {
        const onPath = tl.which('mlops', false);
        if (onPath) {
            tl.debug(`Using mlops from PATH: ${onPath}`);
            return onPath;
        }
    }
    return installTool(request);
}

async function installTool(request: ToolRequest): Promise<string> {
    // One folder per version, so a second step in the same job reuses the install instead of failing on
    // "already installed", and a pinned version never runs an earlier step's other version.
    const root = tl.getVariable('Agent.TempDirectory') || os.tmpdir();
    const toolDirectory = path.join(root, 'mlops', request.toolVersion || 'latest');
    const installed = path.join(toolDirectory, executableName);
    if (isFile(installed)) return installed;

    const dotnet = tl.which('dotnet', false);
    if (!dotnet) {
        throw new TaskFailure(DiagnosticCodes.TaskToolInstallFailed,
            `mlops is not on PATH and there is no dotnet to install ${toolPackageId} with. Add a UseDotNet@2 step ` +
            `(.NET 10 SDK) before this task, or set 'toolPath' to an mlops executable.`);
    }
    const install = tl.tool(dotnet).arg(['tool', 'install', toolPackageId, '--tool-path', toolDirectory]);
    if (request.toolVersion) install.arg(['--version', request.toolVersion]);
    if (request.feed) install.arg(['--add-source', request.feed]);

    let lastLine = '';
    const remember = (line: string) => { if (line.trim()) lastLine = line.trim(); };
    install.on('stdline', remember);
    install.on('errline', remember);
    const exitCode = await install.execAsync({ ignoreReturnCode: true });
    if (exitCode !== 0 || !isFile(installed)) {
        const version = request.toolVersion ? ` ${request.toolVersion}` : '';
        const source = request.feed ? ` from '${request.feed}' or the configured NuGet sources` : ' from the configured NuGet sources';
        throw new TaskFailure(DiagnosticCodes.TaskToolInstallFailed,
            `mlops is not on PATH and installing ${toolPackageId}${version}${source} failed` +
            (lastLine ? `: ${lastLine}` : ` (dotnet exited with ${exitCode})`) +
            `. Check 'toolVersion' and 'feed' (an Azure Artifacts feed needs a NuGetAuthenticate@1 step), or set 'toolPath'.`);
    }
    return installed;
}

function isFile(candidate: string): boolean {
    try {
        return fs.statSync(candidate).isFile();
    } catch {
        return false;
    }
}
