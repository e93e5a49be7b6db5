#pragma once
// The MESSAGE load's options from `pbxbench uac`'s: the same callers, callees, next hop and
// credentials as the calls (a population, or the single target with --user/--password).
#include "base/error.hpp"
#include "uac/batch_options.hpp"
#include "uac/message_load.hpp"
#include "uac/uac_args.hpp"

namespace pbxbench::uac {

// `batch` is to_options(a). Errors name the option to fix.
Result<MessageLoadOptions> message_load_options(const UacArgs& a, const BatchOptions& batch);

}  // namespace pbxbench::uac
