// The ceipal-sync command line: parses a command and its options, wires the
// engine together, and is the only place that decides where output goes
// (stdout for results, stderr for logs and progress). Exit codes follow
// DESIGN.md section 6.
#ifndef CEIPAL_ENGINE_CLI_H_
#define CEIPAL_ENGINE_CLI_H_

namespace ceipal::engine {

// 0 success; 1 usage or config error; 2 partial (some resources failed,
// progress kept) or drift found by verify; 3 authentication failed; 4
// another run holds the lock.
int RunCli(int argc, char** argv);

}  // namespace ceipal::engine

#endif  // CEIPAL_ENGINE_CLI_H_
