#pragma once
// Levenshtein distance between two short words: what "did you mean" hints for misspelt profile
// keys and command-line options are ranked by. Written here because it is a dozen lines and
// no library we already use offers it.
#include <algorithm>
#include <cstddef>
#include <string_view>
#include <vector>

namespace pbxbench {

inline std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = up;
        }
    }
    return row[b.size()];
}

}  // namespace pbxbench
