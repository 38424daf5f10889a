import { runScenario } from '../scenario';

// mlops is on PATH, but a pinned version is installed and run instead.
runScenario({
    inputs: { command: 'status', toolVersion: '1.2.3', feed: 'https://feeds.invalid/nuget/v3/index.json' },
    mlopsOnPath: true,
    dotnetOnPath: true,
});
