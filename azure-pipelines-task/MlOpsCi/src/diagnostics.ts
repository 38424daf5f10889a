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
// ("file(line,col): error MLOPS3002: text") or, under TF_BUILD, an Azure DevOps logging command.
const canonicalError = /(?:^|\s|:)error (MLOPS\d{4}): (.*)$/;
const logIssueError = /##vso\[task\.(?:log)?issue\s+([^\]]*)\](.*)$/;
const leadingCode = /^(MLOPS\d{4}): ?(.*)$/;

/** The code and message of an error diagnostic the CLI printed on this line, if it is one. */
export function parseCliError(line: string): { code: string; message: string } | undefined {
    const issue = logIssueError.exec(line);
    if (issue) {
        const properties = new Map(issue[1].split(';').filter(p => p.includes('=')).map(p => {
            const at = p.indexOf('=');
            return [p.slice(0, at).trim().toLowerCase(), p.slice(at + 1).trim()] as [string, string];
        }));
        if (properties.get('type') !== 'error') return undefined;
        const text = issue[2].trim();
        const coded = leadingCode.exec(text);
        if (coded) return { code: coded[1], message: coded[2] };
        const code = properties.get('code');
        return code && /^MLOPS\d{4}$/.test(code) ? { code, message: text } : undefined;
    }
    const canonical = canonicalError.exec(line.trim());
    return canonical ? { code: canonical[1], message: canonical[2].trim() } : undefined;
}
