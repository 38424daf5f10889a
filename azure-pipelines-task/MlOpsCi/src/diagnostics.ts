import { TaskCommand, commandFromString } from 'azure-pipelines-task-lib/taskcommand';

// The task's own failures. Each code is documented, with what to do, in docs/diagnostics.md and listed in
// src/MlOps.Ci.Core/Diagnostics/DiagnosticCodes.cs (81xx: Azure DevOps). Codes are stable: never renumber one.
export const DiagnosticCodes = {
    TaskToolPathNotFound: 'MLOPS8150',
    TaskToolInstallFailed: 'MLOPS8151',
    TaskCommandUnknown: 'MLOPS8152',
    TaskInputMissing: 'MLOPS8153',
    TaskToolFailedWithoutDiagnostic: 'MLOPS8154',
    TaskToolNotStarted: 'MLOPS8155',
} as const;

export type DiagnosticCode = (typeof DiagnosticCodes)[keyof typeof DiagnosticCodes];

/** A failure the user can fix, reported as "MLOPSxxxx: message" and never with a stack trace. */
export class TaskFailure extends Error {
    constructor(public readonly code: string, message: string) {
        super(message);
        this.name = 'TaskFailure';
    }

    override toString(): string {
        return `${this.code}: ${this.message}`;
    }
}

// The CLI's own diagnostics, in either form it prints them: the canonical MSBuild-style line
// ("file(line,col): error MLOPS3002: text") or, under TF_BUILD, an Azure DevOps logging command
// ("##vso[task.logissue type=error;…;code=MLOPS3002]text"), read with the task library's own parser so that its
// escaping (%0A, %3B, %AZP25) is undone exactly as the agent does.
const canonicalError = /(?:^|\s|:)error (MLOPS\d{4}): (.*)$/;
const codePattern = /^MLOPS\d{4}$/;
const leadingCode = /^(MLOPS\d{4}): ?([\s\S]*)$/;

/** The code and message of an error diagnostic the CLI printed on this line, if it is one. */
export function parseCliError(line: string): { code: string; message: string } | undefined {
    const marker = line.indexOf('##vso[');
    if (marker >= 0) {
        let command: TaskCommand;
        try {
            command = commandFromString(line.slice(marker));
        } catch {
            return undefined;
        }
        if (!/^task\.(log)?issue$/i.test(command.command) || command.properties['type'] !== 'error') return undefined;
        const text = command.message.trim();
        const coded = leadingCode.exec(text);
        if (coded) return { code: coded[1], message: coded[2] };
        const code = command.properties['code'];
        return code && codePattern.test(code) ? { code, message: text } : undefined;
    }
    const canonical = canonicalError.exec(line.trim());
    return canonical ? { code: canonical[1], message: canonical[2].trim() } : undefined;
}
