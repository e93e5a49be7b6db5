#pragma once
// Reading results rows and child summaries: the value at a path of object keys, or null when
// any step is missing or not an object, so a summary without a field renders "n/a" instead of
// throwing.
#include <initializer_list>

#include <nlohmann/json.hpp>

namespace pbxbench::harness {

inline const nlohmann::json& json_at(const nlohmann::json& j,
                                     std::initializer_list<const char*> path) {
    static const nlohmann::json null_value;
    const nlohmann::json* cur = &j;
    for (const char* k : path) {
        if (!cur->is_object()) return null_value;
        auto it = cur->find(k);
        if (it == cur->end()) return null_value;
        cur = &*it;
    }
    return *cur;
}

}  // namespace pbxbench::harness
