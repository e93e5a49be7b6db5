#pragma once
// `pbxbench capacity --warm`: one SUT (with its sidecars) started as a level would start it,
// kept across every trial of a scenario, which attach to it like `--attach`. Stopped, newest
// first, when this object goes.
#include <filesystem>
#include <memory>
#include <vector>

#include "base/error.hpp"
#include "harness/attach.hpp"
#include "harness/scenario_runner.hpp"

namespace pbxbench::harness {

class WarmSut {
  public:
    // Renders, sets up, starts the sidecars and the SUT in `run_dir` and waits until ready;
    // an error (with the log tail) when any of it fails.
    static Result<std::unique_ptr<WarmSut>> start(const RunContext& ctx,
                                                  const ScenarioSpec& scenario,
                                                  const std::filesystem::path& run_dir);

    // Where trials send SIP, poll health and which process trees they monitor (SUT first).
    const AttachTarget& target() const { return target_; }
    const std::filesystem::path& log_path() const { return log_path_; }
    // False once the SUT (or a sidecar) has exited.
    bool alive();

  private:
    explicit WarmSut(ProcessLauncher& launcher) : children_(launcher) {}
    ChildSet children_;
    std::vector<Process*> watched_;
    AttachTarget target_;
    std::filesystem::path log_path_;
};

}  // namespace pbxbench::harness
