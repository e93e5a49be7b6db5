#pragma once
// The options of non-INVITE method loads on `pbxbench uac` (docs/uac.md "Method loads"), kept
// apart from UacArgs's own list so that list only gains one line. Same ArgSpec scheme: each
// option is defined once for CLI11, the JSON config file and its strict reading.
#include <cstdint>
#include <string>

#include "base/arg_spec.hpp"

namespace pbxbench::uac {

struct MethodLoadArgs {
    std::string mix;  // "invite=70,register=20,options=10": shares of --rate
    double rate = 0;  // total requests/s the mix divides
    double register_rate = 0;
    std::uint64_t register_users = 0;  // 0: every user not calling or called
    int register_expires_s = 3600;
    double refresh_at = 0;  // fraction of the granted expiry; 0: 80% (5 s early at most)
    double options_rate = 0;
    std::string options_to = "both";  // pbx, users or both
    double load_duration_s = 0;
};

template <class Args, class Visit>
void for_each_method_load_arg(Args& a, Visit&& v) {
    using args::ArgSpec;
    v(ArgSpec{"--mix",
              "Workload mix as METHOD=SHARE,... of --rate, e.g. invite=70,register=20,options=10 "
              "(invite sets --cps; methods: invite, register, options, message)"},
      a.mix);
    v(ArgSpec{"--rate", "Total requests per second that --mix divides", 0.0, 1e6}, a.rate);
    v(ArgSpec{"--register-rate", "REGISTER load: first registrations per second (0: none)", 0.0,
              1e6},
      a.register_rate);
    v(ArgSpec{"--register-users",
              "REGISTER load: how many users register (0: every user of the population not "
              "calling or called)",
              0, 10'000'000},
      a.register_users);
    v(ArgSpec{.names = "--register-expires",
              .help = "REGISTER load: requested expiry",
              .min = 1,
              .max = 86400,
              .duration = args::Unit::seconds},
      a.register_expires_s);
    v(ArgSpec{"--refresh-at",
              "REGISTER load: refresh at this fraction of the granted expiry (0: at 80%)", 0.0,
              0.95},
      a.refresh_at);
    v(ArgSpec{"--options-rate", "OPTIONS load: pings per second (0: none)", 0.0, 1e6},
      a.options_rate);
    v(ArgSpec{"--options-to",
              "OPTIONS load: ping the PBX itself (pbx), users through it (users), or both in turn"},
      a.options_to);
    v(ArgSpec{.names = "--load-duration",
              .help = "How long the method loads run at least; they also run until the calls "
                      "end and every registering user has had an answer",
              .min = 0,
              .max = 86400,
              .duration = args::Unit::seconds},
      a.load_duration_s);
}

}  // namespace pbxbench::uac
