#pragma once
// Where and with what a run was measured: copied into every results row as `run`.
#include <filesystem>
#include <string>

#include <nlohmann/json.hpp>

#include "base/error.hpp"
#include "base/utc_time.hpp"  // utc_timestamp_now(), for the rows' times

namespace pbxbench::harness {

// SHA-256 of the file's bytes as lowercase hex (OpenSSL EVP); an error if it cannot be read.
Result<std::string> sha256_file(const std::filesystem::path& file);

// The `model name` of the first CPU in /proc/cpuinfo text; "unknown" if absent.
std::string cpu_model_from_cpuinfo(const std::string& cpuinfo_text);

// pbxbench version, profile name, file and sha256, hostname, CPU model, cores, kernel,
// `pinning` (pinning_json), `attach` (attach_json) and the run's start time. `sut_version` may
// be empty.
nlohmann::json collect_run_metadata(const std::string& profile_name,
                                    const std::filesystem::path& profile_file,
                                    const std::string& sut_version, nlohmann::json pinning,
                                    nlohmann::json attach);

}  // namespace pbxbench::harness
