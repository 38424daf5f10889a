import { DiagnosticCodes, TaskFailure } from './diagnostics';

// The task's `command` input and the mlops arguments each value runs. Only names are mapped here: what a command
// does, and which of MLOPS_* it needs, is the CLI's business.
const commandLines: Readonly<Record<string, readonly string[]>> = {
    build: ['build'],
    run: ['run'],
    validate: ['validate'],
    train: ['train'],
    evaluate: ['evaluate'],
    package: ['package'],
    status: ['status'],
    inspect: ['inspect'],
    report: ['report'],
    push: ['push'],
    pull: ['pull'],
    score: ['score'],
    // The release pipeline's image step publishes; `image build` is there to try an image without pushing it.
    image: ['image', 'push'],
    'image build': ['image', 'build'],
    'image push': ['image', 'push'],
    promote: ['promote'],
    rollback: ['rollback'],
    drift: ['drift'],
    retrain: ['retrain'],
};

export const knownCommands: readonly string[] = Object.keys(commandLines);

/** The mlops arguments for a `command` input ("Image  Build" reads as "image build"). */
export function commandLine(command: string | undefined): readonly string[] {
    const name = (command ?? '').trim().replace(/\s+/g, ' ').toLowerCase();
    if (name === '') {
        throw new TaskFailure(DiagnosticCodes.TaskInputMissing,
            `The task input 'command' is required. Set it to one of: ${knownCommands.join(', ')}.`);
    }
    // Own keys only: 'constructor' and friends are not commands.
    const line = Object.prototype.hasOwnProperty.call(commandLines, name) ? commandLines[name] : undefined;
    if (!line) {
        throw new TaskFailure(DiagnosticCodes.TaskCommandUnknown,
            `'${command}' is not a command of the MlOpsCi task. Use one of: ${knownCommands.join(', ')} ` +
            `(further mlops options go in 'arguments').`);
    }
    return line;
}
