import * as fs from 'fs';

/** An executable that runs a compiled script with this Node, so a test's PATH needs nothing else. */
export function writeLauncher(file: string, script: string): void {
    fs.writeFileSync(file, `#!/bin/sh\nexec '${process.execPath}' '${script}' "$@"\n`, { mode: 0o755 });
}
