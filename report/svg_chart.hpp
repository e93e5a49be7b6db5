#pragma once
// Charts as inline SVG, written by hand so a report needs no script and no network. Every
// plotted series is a <g class="series" data-points="N" ...> whose N is the number of points
// drawn, so tests can check a chart against the file it came from.
#include <optional>
#include <string>
#include <vector>

namespace pbxbench::report {

struct XY {
    double x = 0;
    double y = 0;
};

enum class SeriesStyle { line, markers, step };

struct Series {
    std::string name;    // legend text
    std::string source;  // data-source: the file the points came from (may be empty)
    std::optional<std::size_t> samples;  // data-samples: records in the source, when known
    std::vector<XY> points;
    SeriesStyle style = SeriesStyle::line;
};

// y = intercept + slope * x, drawn across the x range.
struct FitLine {
    std::string label;  // e.g. "CPU% = 1.2 + 0.05·calls (R² 0.99)"
    double intercept = 0;
    double slope = 0;
    std::size_t color_of_series = 0;  // drawn in that series' colour
};

struct Chart {
    std::string title;
    std::string x_label;
    std::string y_label;
    std::vector<Series> series;
    std::vector<FitLine> fits;
    int width_px = 620;
    int height_px = 260;
    // CPU, memory, calls and latencies cannot go below zero: the y axis starts at 0 and a fit
    // line is drawn only where it is at or above 0 (a negative intercept is not plotted).
    bool y_nonnegative = true;
};

// An <svg> element with axes, ticks, gridlines, a legend, and "no data" when empty. A series
// without a point to draw is not drawn; its legend entry says "(no samples)".
std::string render_chart(const Chart& chart);

struct BarGroup {
    std::string label;                          // category on the x axis
    std::vector<std::optional<double>> values;  // one per series; none leaves a gap
};

struct BarChart {
    std::string title;
    std::string y_label;
    std::vector<std::string> series_names;
    std::vector<BarGroup> groups;
    int width_px = 620;
    int height_px = 260;
};

// Grouped vertical bars; each series is a <g class="series" data-points="N">.
std::string render_bar_chart(const BarChart& chart);

// Escapes &, <, >, " and ' for HTML/SVG text and attributes.
std::string escape_html(const std::string& text);

// Round tick values from at or below lo to at or above hi, about `target` of them (steps of 1, 2 or
// 5 x 10^k).
std::vector<double> nice_ticks(double lo, double hi, int target = 5);

// A compact label for a tick or a value: "1.5k", "0.25", "12".
std::string short_number(double v);

}  // namespace pbxbench::report
