#include "harness/run_metadata.hpp"

#include <sys/utsname.h>
#include <unistd.h>

#include <ctime>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

#include <openssl/evp.h>

namespace pbxbench::harness {

Result<std::string> sha256_file(const std::filesystem::path& file) {
    std::ifstream in(file, std::ios::binary);
    if (!in) return fail("cannot read " + file.string());
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    if (!ctx || EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) != 1)
        return fail("sha256: OpenSSL init failed");
    char buf[8192];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        EVP_DigestUpdate(ctx.get(), buf, static_cast<std::size_t>(in.gcount()));
        if (!in) break;
    }
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx.get(), digest, &len);
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        out.push_back(hex[digest[i] >> 4]);
        out.push_back(hex[digest[i] & 15]);
    }
    return out;
}

std::string cpu_model_from_cpuinfo(const std::string& text) {
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (line.rfind("model name", 0) != 0) continue;
        auto colon = line.find(':');
        if (colon == std::string::npos) continue;
        auto start = line.find_first_not_of(" \t", colon + 1);
        return start == std::string::npos ? "unknown" : line.substr(start);
    }
    return "unknown";
}

nlohmann::json collect_run_metadata(const std::string& profile_name,
                                    const std::filesystem::path& profile_file,
                                    const std::string& sut_version, nlohmann::json pinning,
                                    nlohmann::json attach) {
    char host[256] = {};
    ::gethostname(host, sizeof host - 1);
    std::ifstream cpuinfo("/proc/cpuinfo");
    std::string cpuinfo_text((std::istreambuf_iterator<char>(cpuinfo)), {});
    utsname u{};
    ::uname(&u);
    auto sha = sha256_file(profile_file);
    long cores = ::sysconf(_SC_NPROCESSORS_ONLN);
    return {{"pbxbench_version", PBXBENCH_VERSION},
            {"profile", profile_name},
            {"profile_file", profile_file.string()},
            {"profile_sha256", sha ? nlohmann::json(*sha) : nlohmann::json(nullptr)},
            {"sut_version",
             sut_version.empty() ? nlohmann::json(nullptr) : nlohmann::json(sut_version)},
            {"hostname", std::string(host)},
            {"cpu_model", cpu_model_from_cpuinfo(cpuinfo_text)},
            {"cores", cores > 0 ? cores : 1},
            {"kernel", std::string(u.sysname) + " " + u.release + " " + u.machine},
            {"pinning", std::move(pinning)},
            {"attach", std::move(attach)},
            {"started_at", utc_timestamp_now()}};
}

}  // namespace pbxbench::harness
