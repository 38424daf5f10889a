using System.Runtime.CompilerServices;

// bench/MlOps.Ci.Benchmarks times the scorer's phases (reading, Run, formatting) one by one on the real types.
[assembly: InternalsVisibleTo("MlOps.Ci.Benchmarks")]
