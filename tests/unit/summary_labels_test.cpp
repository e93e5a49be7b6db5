// summary.md for people: labels from the metric and run-field tables (never a JSON key), and the
// SUT version once.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harness/run_report.hpp"
#include "report/metrics.hpp"
#include "report/run_fields.hpp"
#include "tests/unit/support/results_fixture.hpp"

namespace pbxbench::harness {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(SummaryLabels, NoMetricIdOrRunFieldKeyAndTheSutVersionOnce) {
    nlohmann::json run = test::run_metadata();
    run["sut_version"] = "version: kamailio 5.6.3 (x86_64/linux)";
    nlohmann::json cut = test::level_row("a", 50);
    cut["state"] = "interrupted";
    const std::vector<nlohmann::json> rows = {test::level_row("a", 20), cut};
    const std::string md = render_summary_md(rows, run);
    // snake_case ids: a plain word ("mos") is also English ("almost").
    for (const report::Metric& m : report::metrics())
        if (m.id.find('_') != std::string_view::npos) {
            EXPECT_THAT(md, Not(HasSubstr(std::string(m.id)))) << "metric id " << m.id;
        }
    for (const report::RunField& f : report::run_fields())
        if (f.id.find('_') != std::string_view::npos) {
            EXPECT_THAT(md, Not(HasSubstr(std::string(f.id)))) << "run field " << f.id;
        }
    EXPECT_THAT(md, HasSubstr("| SUT version | kamailio 5.6.3 (x86_64/linux) |"));
    EXPECT_THAT(md, Not(HasSubstr("version: kamailio")));
    EXPECT_THAT(md, HasSubstr("Memory peak"));
}

}  // namespace
}  // namespace pbxbench::harness
