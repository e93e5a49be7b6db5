#pragma once
// Options that several subcommands share (`run`, `capacity`, `uac`, `uas`), declared once so
// their names, units and ranges cannot drift apart; tests/unit/vocabulary_test.cpp checks
// that every visible option of every subcommand keeps to one vocabulary.
#include "base/arg_spec.hpp"

namespace pbxbench::args::common {

inline constexpr ArgSpec total{"-n,--total", "Number of calls", 0, 100'000'000};
inline constexpr ArgSpec cps{"-r,--cps", "Calls started per second", 0.001, 1e6};
inline constexpr ArgSpec hold{.names = "--hold",
                              .help = "How long each call is held, from answer to BYE",
                              .min = 0,
                              .max = 86400,
                              .duration = Unit::seconds};
// A hold inside every call (re-INVITE a=sendonly, then a=sendrecv), within --hold.
inline constexpr ArgSpec hold_at{.names = "--hold-at",
                                 .help =
                                     "Put each call on hold (re-INVITE with a=sendonly) this "
                                     "long after the answer; needs --hold-for",
                                 .min = 0,
                                 .max = 86400,
                                 .duration = Unit::seconds};
inline constexpr ArgSpec hold_for{.names = "--hold-for",
                                  .help =
                                      "Take the call off hold (re-INVITE with a=sendrecv) "
                                      "this long after putting it on hold; --hold-at + "
                                      "--hold-for must end before --hold (0: no hold)",
                                  .min = 0,
                                  .max = 86400,
                                  .duration = Unit::seconds};
inline constexpr ArgSpec threads{"--threads",
                                 "Split the calls over this many UAC threads, each with its own "
                                 "SIP socket and media engine (one schedule). On 2 cores, 1 is "
                                 "usually best",
                                 1, 64};
inline constexpr ArgSpec cooldown{.names = "--cooldown",
                                  .help = "Idle time between levels (or trials)",
                                  .min = 0,
                                  .max = 3600,
                                  .duration = Unit::seconds};
inline constexpr ArgSpec expires{.names = "--expires",
                                 .help = "Requested registration lifetime",
                                 .min = 10,
                                 .max = 86400,
                                 .duration = Unit::seconds};
inline constexpr ArgSpec messages{"--messages",
                                  "MESSAGEs (RFC 3428 page mode) from the callers to the callees "
                                  "through the SUT, beside the calls",
                                  0, 100'000'000};
inline constexpr ArgSpec message_rate{"--message-rate", "MESSAGEs started per second", 0.001, 1e6};
inline constexpr ArgSpec message_bytes{"--message-bytes", "Size of each MESSAGE body in bytes", 0,
                                       60'000};
// Default RTP port ranges, the same whether `run` starts uac and uas or you start them
// yourself: clear of each other, of the default profile's rtpengine (30000-40000) and of the
// Asterisk profile's (10000-15999), so a standalone uac or uas never fights a relay for a port.
inline constexpr const char* uac_rtp_ports = "16000-25999";
inline constexpr const char* uas_rtp_ports = "42000-51999";
inline constexpr double max_users = 10'000'000;
inline constexpr double max_endpoints = 10'000;

}  // namespace pbxbench::args::common
