#include "report/svg_chart.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <sstream>

namespace pbxbench::report {

namespace {

// Colour-blind-friendly (Okabe-Ito).
constexpr std::array<const char*, 8> palette = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                                "#E69F00", "#56B4E9", "#000000", "#F0E442"};

const char* color(std::size_t i) {
    return palette[i % palette.size()];
}

std::string num(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", v);
    return buf;
}

struct Frame {
    double left = 64, right = 16, top = 0, bottom = 42;
    double width = 0, height = 0;
    double x_lo = 0, x_hi = 1, y_lo = 0, y_hi = 1;
    double px(double x) const { return left + (x - x_lo) / (x_hi - x_lo) * (width - left - right); }
    double py(double y) const {
        return height - bottom - (y - y_lo) / (y_hi - y_lo) * (height - top - bottom);
    }
};

// Legend entries wrapped into lines of the chart's width; returns the SVG and its height.
std::pair<std::string, double> legend(const std::vector<std::string>& names, double width) {
    std::ostringstream out;
    double x = 64, y = 36;
    for (std::size_t i = 0; i < names.size(); ++i) {
        const double w = 22 + 6.2 * static_cast<double>(names[i].size()) + 14;
        if (x + w > width && x > 64) {
            x = 64;
            y += 16;
        }
        out << "<rect x=\"" << num(x) << "\" y=\"" << num(y - 9)
            << "\" width=\"14\" height=\"4\" fill=\"" << color(i) << "\"/><text x=\"" << num(x + 20)
            << "\" y=\"" << num(y - 4) << "\" class=\"legend\">" << escape_html(names[i])
            << "</text>";
        x += w;
    }
    return {out.str(), names.empty() ? 24.0 : y + 4};
}

std::string open_svg(int w, int h, const std::string& title) {
    std::ostringstream out;
    out << "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"" << w
        << "\" height=\"" << h << "\" viewBox=\"0 0 " << w << " " << h << "\" role=\"img\">"
        << "<title>" << escape_html(title) << "</title>"
        << "<text x=\"8\" y=\"16\" class=\"title\">" << escape_html(title) << "</text>";
    return out.str();
}

std::string axes(const Frame& f, const std::vector<double>& xt, const std::vector<double>& yt,
                 const std::string& x_label, const std::string& y_label) {
    std::ostringstream out;
    const double x0 = f.left, x1 = f.width - f.right, y0 = f.height - f.bottom, y1 = f.top;
    for (double t : yt) {
        out << "<line class=\"grid\" x1=\"" << num(x0) << "\" x2=\"" << num(x1) << "\" y1=\""
            << num(f.py(t)) << "\" y2=\"" << num(f.py(t)) << "\"/>"
            << "<text class=\"tick\" text-anchor=\"end\" x=\"" << num(x0 - 4) << "\" y=\""
            << num(f.py(t) + 4) << "\">" << short_number(t) << "</text>";
    }
    for (double t : xt) {
        out << "<line class=\"axis\" x1=\"" << num(f.px(t)) << "\" x2=\"" << num(f.px(t))
            << "\" y1=\"" << num(y0) << "\" y2=\"" << num(y0 + 4) << "\"/>"
            << "<text class=\"tick\" text-anchor=\"middle\" x=\"" << num(f.px(t)) << "\" y=\""
            << num(y0 + 16) << "\">" << short_number(t) << "</text>";
    }
    out << "<line class=\"axis\" x1=\"" << num(x0) << "\" x2=\"" << num(x1) << "\" y1=\"" << num(y0)
        << "\" y2=\"" << num(y0) << "\"/><line class=\"axis\" x1=\"" << num(x0) << "\" x2=\""
        << num(x0) << "\" y1=\"" << num(y1) << "\" y2=\"" << num(y0) << "\"/>"
        << "<text class=\"label\" text-anchor=\"middle\" x=\"" << num((x0 + x1) / 2) << "\" y=\""
        << num(f.height - 6) << "\">" << escape_html(x_label) << "</text>"
        << "<text class=\"label\" text-anchor=\"middle\" transform=\"translate(12 "
        << num((y0 + y1) / 2) << ") rotate(-90)\">" << escape_html(y_label) << "</text>";
    return out.str();
}

std::string series_open(const Series& s, std::size_t drawn) {
    std::ostringstream out;
    out << "<g class=\"series\" data-name=\"" << escape_html(s.name) << "\" data-points=\"" << drawn
        << "\"";
    if (!s.source.empty()) out << " data-source=\"" << escape_html(s.source) << "\"";
    if (s.samples) out << " data-samples=\"" << *s.samples << "\"";
    out << ">";
    return out.str();
}

}  // namespace

std::string escape_html(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

std::vector<double> nice_ticks(double lo, double hi, int target) {
    if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return {lo};
    const double raw = (hi - lo) / std::max(target, 1);
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    double step = mag;
    for (double m : {1.0, 2.0, 5.0, 10.0}) {
        step = m * mag;
        if (step >= raw) break;
    }
    std::vector<double> ticks;
    const double first = std::floor(lo / step + 1e-9), last = std::ceil(hi / step - 1e-9);
    for (double i = first; i <= last; ++i) ticks.push_back(i == 0 ? 0.0 : i * step);
    return ticks;
}

std::string short_number(double v) {
    char buf[32];
    const double a = std::fabs(v);
    if (a >= 1e9)
        std::snprintf(buf, sizeof buf, "%gG", v / 1e9);
    else if (a >= 1e6)
        std::snprintf(buf, sizeof buf, "%gM", v / 1e6);
    else if (a >= 1e4)
        std::snprintf(buf, sizeof buf, "%gk", v / 1e3);
    else
        std::snprintf(buf, sizeof buf, "%.4g", v);
    return buf;
}

std::string render_chart(const Chart& chart) {
    std::vector<std::string> names;
    for (const Series& s : chart.series) {
        // A series with nothing to draw is named, not drawn as a line at 0.
        const bool empty = std::none_of(s.points.begin(), s.points.end(), [](const XY& p) {
            return std::isfinite(p.x) && std::isfinite(p.y);
        });
        names.push_back(empty ? s.name + " (no samples)" : s.name);
    }
    auto [legend_svg, legend_bottom] = legend(names, chart.width_px);
    Frame f;
    f.width = chart.width_px;
    f.height = chart.height_px + legend_bottom;
    f.top = legend_bottom + 8;
    bool any = false;
    double x_lo = 0, x_hi = 0, y_lo = 0, y_hi = 0;  // y from zero: CPU and memory are amounts
    for (const Series& s : chart.series)
        for (const XY& p : s.points) {
            if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
            if (!any) x_lo = x_hi = p.x;
            any = true;
            x_lo = std::min(x_lo, p.x), x_hi = std::max(x_hi, p.x);
            y_lo = std::min(y_lo, p.y), y_hi = std::max(y_hi, p.y);
        }
    for (const FitLine& l : chart.fits) {
        x_lo = std::min(x_lo, 0.0);  // show the intercept
        for (double x : {x_lo, x_hi}) {
            y_hi = std::max(y_hi, l.intercept + l.slope * x);
            if (!chart.y_nonnegative) y_lo = std::min(y_lo, l.intercept + l.slope * x);
        }
    }
    if (chart.y_nonnegative) y_lo = std::max(y_lo, 0.0);
    std::string out =
        open_svg(chart.width_px, static_cast<int>(f.height), chart.title) + legend_svg;
    if (!any) {
        out += "<text class=\"nodata\" x=\"" + num(f.width / 2) + "\" y=\"" + num(f.height / 2) +
               "\" text-anchor=\"middle\">no data</text>";
        for (const Series& s : chart.series) out += series_open(s, 0) + "</g>";
        return out + "</svg>";
    }
    if (x_hi <= x_lo) x_hi = x_lo + 1;
    if (y_hi <= y_lo) y_hi = y_lo + 1;
    const auto yt = nice_ticks(y_lo, y_hi);
    const auto xt = nice_ticks(x_lo, x_hi, 6);
    f.x_lo = x_lo, f.x_hi = x_hi, f.y_lo = std::min(y_lo, yt.front()),
    f.y_hi = std::max(y_hi, yt.back());
    out += axes(f, xt, yt, chart.x_label, chart.y_label);
    for (std::size_t i = 0; i < chart.series.size(); ++i) {
        const Series& s = chart.series[i];
        std::ostringstream path, marks;
        std::size_t drawn = 0;
        double prev_y = 0;
        for (const XY& p : s.points) {
            if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
            if (s.style == SeriesStyle::step && drawn > 0)
                path << num(f.px(p.x)) << "," << num(f.py(prev_y)) << " ";
            path << num(f.px(p.x)) << "," << num(f.py(p.y)) << " ";
            if (s.style == SeriesStyle::markers || s.points.size() <= 12)
                marks << "<circle cx=\"" << num(f.px(p.x)) << "\" cy=\"" << num(f.py(p.y))
                      << "\" r=\"3\" fill=\"" << color(i) << "\"/>";
            prev_y = p.y;
            ++drawn;
        }
        out += series_open(s, drawn);
        if (s.style != SeriesStyle::markers)
            out += "<polyline fill=\"none\" stroke-width=\"1.6\" stroke=\"" +
                   std::string(color(i)) + "\" points=\"" + path.str() + "\"/>";
        out += marks.str() + "</g>";
    }
    for (std::size_t i = 0; i < chart.fits.size(); ++i) {
        const FitLine& l = chart.fits[i];
        double xa = x_lo, xb = x_hi;
        // Clipped to the visible range [y_lo, ...]: where the line dips below the axis (a
        // negative intercept) only the part above it is drawn.
        auto y_at = [&](double x) { return l.intercept + l.slope * x; };
        if (y_at(xa) < f.y_lo && l.slope != 0) xa = std::min(xb, (f.y_lo - l.intercept) / l.slope);
        if (y_at(xb) < f.y_lo && l.slope != 0) xb = std::max(xa, (f.y_lo - l.intercept) / l.slope);
        const double ya = std::max(y_at(xa), f.y_lo), yb = std::max(y_at(xb), f.y_lo);
        out += "<g class=\"fit\" data-intercept=\"" + std::to_string(l.intercept) +
               "\" data-slope=\"" + std::to_string(l.slope) + "\"><line x1=\"" + num(f.px(xa)) +
               "\" y1=\"" + num(f.py(ya)) + "\" x2=\"" + num(f.px(xb)) + "\" y2=\"" +
               num(f.py(yb)) + "\" stroke=\"" + color(l.color_of_series) +
               "\" stroke-dasharray=\"5 3\"/><text class=\"fitlabel\" x=\"" + num(f.left + 8) +
               "\" y=\"" + num(f.top + 14 + 14 * static_cast<double>(i)) + "\" fill=\"" +
               color(l.color_of_series) + "\">" + escape_html(l.label) + "</text></g>";
    }
    return out + "</svg>";
}

std::string render_bar_chart(const BarChart& chart) {
    auto [legend_svg, legend_bottom] = legend(chart.series_names, chart.width_px);
    Frame f;
    f.width = chart.width_px;
    f.height = chart.height_px + legend_bottom;
    f.top = legend_bottom + 8;
    std::string out =
        open_svg(chart.width_px, static_cast<int>(f.height), chart.title) + legend_svg;
    double y_hi = 0;
    for (const BarGroup& g : chart.groups)
        for (const auto& v : g.values)
            if (v && std::isfinite(*v)) y_hi = std::max(y_hi, *v);
    if (y_hi <= 0) y_hi = 1;
    const auto yt = nice_ticks(0, y_hi);
    f.x_lo = 0, f.x_hi = std::max<double>(1, static_cast<double>(chart.groups.size()));
    f.y_lo = 0, f.y_hi = std::max(y_hi, yt.back());
    out += axes(f, {}, yt, "", chart.y_label);
    const double slot = f.px(1) - f.px(0);
    const double n = static_cast<double>(std::max<std::size_t>(1, chart.series_names.size()));
    const double bar = slot * 0.8 / n;
    for (std::size_t gi = 0; gi < chart.groups.size(); ++gi)
        out += "<text class=\"tick\" text-anchor=\"middle\" x=\"" +
               num(f.px(static_cast<double>(gi) + 0.5)) + "\" y=\"" +
               num(f.height - f.bottom + 16) + "\">" + escape_html(chart.groups[gi].label) +
               "</text>";
    for (std::size_t si = 0; si < chart.series_names.size(); ++si) {
        std::string bars;
        std::size_t drawn = 0;
        for (std::size_t gi = 0; gi < chart.groups.size(); ++gi) {
            const auto& values = chart.groups[gi].values;
            if (si >= values.size() || !values[si] || !std::isfinite(*values[si])) continue;
            const double x =
                f.px(static_cast<double>(gi)) + slot * 0.1 + bar * static_cast<double>(si);
            const double y = f.py(*values[si]);
            bars += "<rect x=\"" + num(x) + "\" y=\"" + num(y) + "\" width=\"" + num(bar * 0.92) +
                    "\" height=\"" + num(f.py(0) - y) + "\" fill=\"" + color(si) + "\"><title>" +
                    escape_html(chart.series_names[si] + " " + chart.groups[gi].label + ": " +
                                short_number(*values[si])) +
                    "</title></rect>";
            ++drawn;
        }
        Series s;
        s.name = chart.series_names[si];
        out += series_open(s, drawn) + bars + "</g>";
    }
    return out + "</svg>";
}

}  // namespace pbxbench::report
