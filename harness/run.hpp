#pragma once
// `pbxbench run`: every selected scenario at every level, results appended as each level ends.
#include "base/error.hpp"
#include "harness/run_options.hpp"

namespace pbxbench::harness {

// Runs the benchmark. Throws Fatal(usage) for profile and usage errors before anything starts.
// Returns interrupted (after stopping every child and writing what was measured) on
// SIGINT/SIGTERM, failed if any level failed or any call failed, success otherwise.
ExitCode run_benchmark(const RunOptions& options);

}  // namespace pbxbench::harness
