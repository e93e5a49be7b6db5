#pragma once
// `pbxbench uac` with method loads (docs/uac.md "Method loads"): the runner beside the calls,
// or the loads alone when no calls are asked for.
#include <memory>

#include <boost/asio/io_context.hpp>

#include "base/error.hpp"
#include "uac/method_load_runner.hpp"
#include "uac/method_loads.hpp"
#include "uac/uac_args.hpp"

namespace pbxbench::cli {

// The plan of `args`, or a usage error (exit 2) naming what to fix.
uac::MethodLoadPlan method_load_plan(const uac::UacArgs& args);

// A runner with every load of `plan` opened on `io`; null when the plan has none.
std::unique_ptr<uac::MethodLoadRunner> open_method_loads(boost::asio::io_context& io,
                                                         const uac::UacArgs& args,
                                                         const uac::MethodLoadPlan& plan);

// Runs only the loads (no calls): progress lines, then a summary with `methods`.
ExitCode run_method_loads_only(const uac::UacArgs& args, const uac::MethodLoadPlan& plan);

}  // namespace pbxbench::cli
