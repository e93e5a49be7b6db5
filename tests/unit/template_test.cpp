#include "harness/template.hpp"

#include <gtest/gtest.h>

namespace pbxbench::harness {
namespace {

const Variables vars = {{"SIP_PORT", "5060"}, {"RUN_DIR", "/tmp/run"}, {"A", "x"}};

TEST(Template, SubstitutesEveryReference) {
    auto r =
        render_template("listen=udp:127.0.0.1:${SIP_PORT}\nf=${RUN_DIR}/k.cfg ${A}${A}", vars, "t");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(*r, "listen=udp:127.0.0.1:5060\nf=/tmp/run/k.cfg xx");
}

TEST(Template, LeavesOtherDollarSyntaxAlone) {
    // Kamailio's own pseudo-variables and transformations must survive rendering.
    std::string cfg = "if ($rU == $null) xlog(\"$(ru{uri.user}) $hdr(CSeq) {$mt}\"); $ $";
    auto r = render_template(cfg, vars, "t");
    ASSERT_TRUE(r);
    EXPECT_EQ(*r, cfg);
}

TEST(Template, DoubleDollarEscapesALiteralReference) {
    auto r = render_template("a $${SIP_PORT} b $${NOT_DEFINED} ${SIP_PORT}", vars, "t");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(*r, "a ${SIP_PORT} b ${NOT_DEFINED} 5060");
}

TEST(Template, UnknownVariableNamesSourceLineColumnAndKnownNames) {
    auto r =
        render_template("line one\n  x=${SIP_PORT}\n  y=${SIP_PROT}\n", vars, "template k.cfg.in");
    ASSERT_FALSE(r);
    EXPECT_EQ(
        r.error().message,
        "template k.cfg.in line 3:5: unknown variable ${SIP_PROT} (known: A, RUN_DIR, SIP_PORT)");
}

TEST(Template, MalformedReferencesAreErrors) {
    for (const char* text : {"${", "${}", "${1ABC}", "${A", "${A B}"}) {
        auto r = render_template(text, vars, "f");
        ASSERT_FALSE(r) << text;
        EXPECT_NE(r.error().message.find("f line 1:1: malformed"), std::string::npos)
            << r.error().message;
    }
}

TEST(Template, ReferencedVariablesSkipsEscapes) {
    EXPECT_EQ(referenced_variables("${A} $${B} ${C}${A}"), (std::set<std::string>{"A", "C"}));
}

}  // namespace
}  // namespace pbxbench::harness
