#include "app/check_html.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "base/strings.h"
#include "render/ecg_paper.h"

namespace ecgr1 {
namespace {

std::string Esc(const std::string& in) { return XmlEscape(in); }

std::string Str(const nlohmann::json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

std::string Num(const nlohmann::json& j, const char* key, const char* unit) {
  if (!j.contains(key) || !j[key].is_number()) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4g%s%s", j[key].get<double>(), *unit ? " " : "", unit);
  return buf;
}

// What a claim's mark explains.
std::string ClaimDetail(const nlohmann::json& c) {
  std::string d = Str(c, "verdict") + " — " + Str(c, "kind");
  const std::string unit = Str(c, "unit");
  if (c.contains("claimed") && c["claimed"].is_number())
    d += "; claimed " + Num(c, "claimed", "") + (c.contains("claimed_hi") && c["claimed_hi"].is_number() ? "-" + Num(c, "claimed_hi", "") : "") +
         (unit.empty() ? "" : " " + unit);
  const std::string measured = Num(c, "measured", Str(c, "measured_unit").c_str());
  if (!measured.empty()) d += "; measured " + measured;
  if (!Str(c, "measured_text").empty()) d += "; measured " + Str(c, "measured_text");
  if (!Num(c, "tolerance", "").empty()) d += "; tolerance " + Num(c, "tolerance", "");
  if (c.contains("leads") && c["leads"].is_array() && !c["leads"].empty()) {
    d += "; leads";
    for (const nlohmann::json& l : c["leads"])
      if (l.is_string()) d += " " + l.get<std::string>();
  }
  if (!Str(c, "measurement").empty()) d += "; measurement " + Str(c, "measurement");
  if (!Str(c, "rule").empty()) d += "; rule " + Str(c, "rule");
  if (!Str(c, "reason").empty()) d += ". " + Str(c, "reason");
  return d;
}

// The global fiducials the report marks, with their CSS classes.
std::vector<std::pair<const Fiducial*, const char*>> MarkedWaves(const Delineation& d) {
  return {{&d.global.p_onset, "p-on"}, {&d.global.qrs_onset, "qrs-on"}, {&d.global.qrs_offset, "qrs-off"},
          {&d.global.t_offset, "t-end"}};
}

// The fiducials of every dominant beat, from the global median-beat
// fiducials' offsets to the R peak.
std::vector<PaperMark> BeatMarks(const EcgMeasurements& m) {
  std::vector<PaperMark> marks;
  const Delineation& d = m.delineation;
  if (!(d.fs > 0)) return marks;
  const auto waves = MarkedWaves(d);
  for (const BeatInfo& b : m.beats) {
    if (!b.in_median) continue;
    for (const auto& w : waves)
      if (w.first->found())
        marks.push_back({static_cast<double>(b.sample + w.first->index - d.r_index) / d.fs, w.second});
  }
  return marks;
}

// The median beat of each lead (at 25 mm/s, 10 mm/mV, 6 rows x 2 columns)
// with the global fiducials.
std::string MedianBeatsSvg(const EcgMeasurements& m) {
  const Delineation& d = m.delineation;
  if (!(d.fs > 0) || d.beat_length <= 1 || d.leads.empty()) return "";
  const double beat_mm = d.beat_length / d.fs * kMmPerSecond, cell_w = beat_mm + 10, cell_h = 25;
  const size_t n = d.leads.size(), rows = (n + 1) / 2;
  char buf[256];
  std::string s;
  std::snprintf(buf, sizeof buf,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"median\" viewBox=\"0 0 %.1f %.1f\" width=\"%.1fmm\" "
                "height=\"%.1fmm\" role=\"img\" aria-label=\"median beats\">\n",
                2 * cell_w, rows * cell_h, 2 * cell_w, rows * cell_h);
  s += buf;
  for (size_t l = 0; l < n; ++l) {
    const LeadDelineation& ld = d.leads[l];
    const double x0 = (l / rows) * cell_w + 5, y0 = (l % rows) * cell_h + 15;
    std::snprintf(buf, sizeof buf, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"3\">", x0, y0 - 10);
    s += buf + Esc(ld.lead) + "</text>\n";
    if (ld.median_beat.size() != static_cast<size_t>(d.beat_length)) continue;
    s += "<polyline fill=\"none\" stroke=\"#000\" stroke-width=\"0.25\" points=\"";
    for (int i = 0; i < d.beat_length; ++i) {
      const double v = ld.median_beat[static_cast<size_t>(i)];
      if (!std::isfinite(v)) continue;
      std::snprintf(buf, sizeof buf, "%.2f,%.2f ", x0 + i / d.fs * kMmPerSecond,
                    y0 - std::clamp(v, -10.0, 10.0) * kMmPerMillivolt);
      s += buf;
    }
    s += "\"/>\n";
    const auto waves = MarkedWaves(d);
    s += "<g stroke-width=\"0.3\">\n";
    for (const auto& w : waves)
      if (w.first->found()) {
        const double x = x0 + w.first->index / d.fs * kMmPerSecond;
        std::snprintf(buf, sizeof buf, "<line class=\"%s\" x1=\"%.2f\" y1=\"%.1f\" x2=\"%.2f\" y2=\"%.1f\"/>\n", w.second, x,
                      y0 - 10, x, y0 + 8);
        s += buf;
      }
    s += "</g>\n";
  }
  return s + "</svg>\n";
}

const char* const kStyle = R"(
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#111;max-width:1200px}
h1{font-size:1.4em;margin:0 0 .3em}h2{font-size:1.1em;margin:1.2em 0 .4em}
.summary span{display:inline-block;margin-right:1.2em}
svg{width:100%;height:auto;border:1px solid #ddd}svg.median{max-width:600px}
line.p-on{stroke:#1a7f37}line.qrs-on,line.qrs-off{stroke:#0550ae}line.t-end{stroke:#8250df}
.legend i{display:inline-block;width:1.2em;height:.25em;vertical-align:middle;margin:0 .3em 0 1em}
pre.output{white-space:pre-wrap;background:#fafafa;border:1px solid #ddd;padding:1em;font:13px/1.5 ui-monospace,monospace}
mark.claim{position:relative;border-radius:3px;padding:0 1px;cursor:help}
mark.supported{background:#cdeccd}mark.contradicted{background:#ffc9c9;outline:2px solid #d1242f}
mark.unverifiable{background:#ececec}
mark.claim .tip{display:none;position:absolute;left:0;top:1.6em;z-index:2;width:28em;background:#fff;border:1px solid #888;
 padding:.4em .6em;font:12px/1.4 system-ui,sans-serif;white-space:normal;box-shadow:0 2px 6px rgba(0,0,0,.2)}
mark.claim:hover .tip,mark.claim:focus .tip{display:block}
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left;vertical-align:top}
tr.contradicted td{background:#fff0f0}
@media print{@page{size:landscape;margin:8mm}body{margin:0;font-size:9px;max-width:none}#claims,.tip{display:none}
 pre.output{font-size:8px;padding:.3em}svg{border:none}h2{margin:.3em 0}}
)";

}  // namespace

std::string CheckReportHtml(const nlohmann::json& report, const std::string& text, const EcgRecord* rec,
                            const EcgMeasurements* m) {
  std::string h = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>ecgr1 check";
  const std::string record = report.contains("record") && report["record"].is_string() ? report["record"].get<std::string>() : "";
  if (!record.empty()) h += " — " + Esc(record);
  h += "</title>\n<style>" + std::string(kStyle) + "</style>\n</head>\n<body>\n<h1>Evidence check";
  if (!record.empty()) h += " of " + Esc(record);
  h += "</h1>\n";
  const nlohmann::json& sum = report.contains("summary") ? report["summary"] : nlohmann::json::object();
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "<p class=\"summary\"><span>%d claims</span><span>%d supported</span><span><b>%d contradicted</b></span>"
                "<span>%d unverifiable</span>",
                sum.value("claims", 0), sum.value("supported", 0), sum.value("contradicted", 0), sum.value("unverifiable", 0));
  h += buf;
  if (report.contains("rewards") && report["rewards"].is_object())
    for (auto it = report["rewards"].begin(); it != report["rewards"].end(); ++it)
      if (it.value().is_number()) {
        std::snprintf(buf, sizeof buf, "<span>%s reward %.3f</span>", Esc(it.key()).c_str(), it.value().get<double>());
        h += buf;
      }
  h += "</p>\n";

  if (rec != nullptr && m != nullptr) {
    h += "<section id=\"trace\">\n<h2>Record</h2>\n<p class=\"legend\">25 mm/s, 10 mm/mV. Fiducials of the dominant beats "
         "from the median beats:<i style=\"background:#1a7f37\"></i>P onset<i style=\"background:#0550ae\"></i>QRS onset "
         "and offset<i style=\"background:#8250df\"></i>T end</p>\n";
    h += RenderPaperSvg(*rec, LayoutPaper(*rec, PaperOptions{}), BeatMarks(*m));
    h += "</section>\n<section id=\"median\">\n<h2>Median beats</h2>\n" + MedianBeatsSvg(*m) + "</section>\n";
  }

  // The text with one mark per claim: around its span, or, when it overlaps
  // an earlier claim's span, as a numbered mark after that span.
  const nlohmann::json claims = report.contains("claims") && report["claims"].is_array() ? report["claims"] : nlohmann::json::array();
  std::vector<size_t> order(claims.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  auto start_of = [&](size_t i) { return claims[i].value("byte_start", size_t{0}); };
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return start_of(a) < start_of(b); });
  auto mark = [&](size_t i, const std::string& inner) {
    const nlohmann::json& c = claims[i];
    std::snprintf(buf, sizeof buf, "<mark class=\"claim %s\" tabindex=\"0\" id=\"claim-%zu\" aria-describedby=\"tip-%zu\">",
                  Esc(Str(c, "verdict")).c_str(), i + 1, i + 1);
    std::string s = buf + inner;
    std::snprintf(buf, sizeof buf, "<span class=\"tip\" role=\"tooltip\" id=\"tip-%zu\">", i + 1);
    return s + buf + Esc(ClaimDetail(c)) + "</span></mark>";
  };
  h += "<section id=\"text\">\n<h2>Model output</h2>\n<pre class=\"output\">";
  size_t at = 0;
  for (size_t k = 0; k < order.size(); ++k) {
    const size_t i = order[k];
    size_t a = std::min(claims[i].value("byte_start", size_t{0}), text.size());
    size_t b = std::min(std::max(claims[i].value("byte_end", a), a), text.size());
    if (a < at) {  // overlaps the previous mark: a numbered mark of its own
      h += mark(i, "[" + std::to_string(i + 1) + "]");
      continue;
    }
    h += Esc(text.substr(at, a - at)) + mark(i, Esc(text.substr(a, b - a)));
    at = b;
  }
  h += Esc(text.substr(std::min(at, text.size()))) + "</pre>\n</section>\n";

  h += "<section id=\"claims\">\n<h2>Claims</h2>\n<table>\n<tr><th>#</th><th>text</th><th>verdict</th><th>claimed</th>"
       "<th>measured</th><th>rule and reason</th></tr>\n";
  for (size_t i = 0; i < claims.size(); ++i) {
    const nlohmann::json& c = claims[i];
    std::snprintf(buf, sizeof buf, "<tr class=\"%s\"><td><a href=\"#claim-%zu\">%zu</a></td>", Esc(Str(c, "verdict")).c_str(),
                  i + 1, i + 1);
    h += buf;
    h += "<td>" + Esc(Str(c, "text")) + "</td><td>" + Esc(Str(c, "verdict")) + "</td><td>" + Esc(Num(c, "claimed", Str(c, "unit").c_str())) +
         "</td><td>" + Esc(Num(c, "measured", Str(c, "measured_unit").c_str()) + Str(c, "measured_text")) + "</td><td>" +
         Esc(Str(c, "rule")) + (Str(c, "reason").empty() ? "" : "<br>" + Esc(Str(c, "reason"))) + "</td></tr>\n";
  }
  h += "</table>\n</section>\n";

  if (m != nullptr) {
    const EcgIntervals& iv = m->delineation.intervals;
    h += "<section id=\"measurements\">\n<h2>Measurements</h2>\n<table>\n";
    auto row = [&](const char* name, double v, const char* unit) {
      if (!std::isfinite(v)) return;
      std::snprintf(buf, sizeof buf, "<tr><th>%s</th><td>%.0f %s</td></tr>\n", name, v, unit);
      h += buf;
    };
    row("heart rate", m->rr.heart_rate_bpm, "bpm");
    row("PR", iv.pr_ms, "ms");
    row("QRS", iv.qrs_ms, "ms");
    row("QT", iv.qt_ms, "ms");
    row("QTc (Bazett)", iv.qtc_bazett_ms, "ms");
    row("QRS axis", m->axes.qrs_deg, "deg");
    if (!m->rhythm.label.empty()) h += "<tr><th>rhythm</th><td>" + Esc(m->rhythm.label) + "</td></tr>\n";
    h += "</table>\n</section>\n";
  }
  if (report.contains("warnings") && report["warnings"].is_array() && !report["warnings"].empty()) {
    h += "<section id=\"warnings\">\n<h2>Warnings</h2>\n<ul>\n";
    for (const nlohmann::json& w : report["warnings"])
      if (w.is_string()) h += "<li>" + Esc(w.get<std::string>()) + "</li>\n";
    h += "</ul>\n</section>\n";
  }
  return h + "</body>\n</html>\n";
}

}  // namespace ecgr1
