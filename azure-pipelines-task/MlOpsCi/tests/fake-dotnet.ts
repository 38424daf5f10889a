// A stand-in for `dotnet tool install`: prints its arguments, then installs the fake mlops into --tool-path, or
// fails as NuGet does when the package cannot be found (FAKE_DOTNET_BEHAVIOUR=fail).
import * as fs from 'fs';
import * as path from 'path';
import { writeLauncher } from './launchers';

const argv = process.argv.slice(2);
console.log(`fake-dotnet args ${JSON.stringify(argv)}`);
if (process.env['FAKE_DOTNET_BEHAVIOUR'] === 'fail') {
    console.error(`error NU1101: Unable to find package ${argv[2]}. No packages exist with this id in source(s): nuget.org`);
    console.error('Tool \'mlops.ci.cli\' failed to install.');
    process.exit(1);
}
const toolPath = argv[argv.indexOf('--tool-path') + 1];
fs.mkdirSync(toolPath, { recursive: true });
writeLauncher(path.join(toolPath, 'mlops'), path.join(__dirname, 'fake-mlops.js'));
console.log(`You can invoke the tool using the following command: mlops`);
