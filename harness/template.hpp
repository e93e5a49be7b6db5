#pragma once
// ${VAR} substitution for profile strings and config templates: one syntax everywhere, so a
// profile author learns it once. `$${` writes a literal `${`; any other `$` is left alone,
// because PBX configs are full of their own `$var` syntax (Kamailio's `$rU`, `$(...)`).
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "base/error.hpp"

namespace pbxbench::harness {

// Variable name -> value; ordered so "known variables" lists are stable in error messages.
using Variables = std::map<std::string, std::string>;

// Substitutes every ${NAME} in `text` from `vars`. An unknown or malformed reference is an
// error "<what> line L:C: unknown variable ${X} (known: A, B, ...)"; `what` names the source
// (a template path or a profile field).
Result<std::string> render_template(std::string_view text, const Variables& vars, std::string_view what);

// Every ${NAME} referenced in `text` (escapes skipped); malformed references are ignored here
// and reported by render_template.
std::set<std::string> referenced_variables(std::string_view text);

}  // namespace pbxbench::harness
