#include "monitor/duration.hpp"

#include <cmath>
#include <cstdlib>
#include <string>

namespace pbxbench::monitor {

Result<std::chrono::milliseconds> parse_duration(std::string_view text) {
    const std::string s(text);
    char* end = nullptr;
    const double value = std::strtod(s.c_str(), &end);
    const std::string_view unit(end, static_cast<std::size_t>(s.c_str() + s.size() - end));
    double ms_per_unit = 0;
    if (unit == "ms")
        ms_per_unit = 1;
    else if (unit == "s")
        ms_per_unit = 1000;
    else if (unit == "m")
        ms_per_unit = 60'000;
    else if (unit == "h")
        ms_per_unit = 3'600'000;
    if (end == s.c_str() || ms_per_unit == 0 || !std::isfinite(value) || value < 0)
        return fail("'" + s + "' is not a duration: write it like 100ms, 1s, 60s or 2m");
    return std::chrono::milliseconds(std::llround(value * ms_per_unit));
}

}  // namespace pbxbench::monitor
