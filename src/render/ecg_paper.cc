#include "render/ecg_paper.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "base/error.h"
#include "base/strings.h"
#include "preprocess/ecg_signal.h"
#include "render/glyphs.h"

#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBI_WRITE_NO_STDIO
#define STB_IMAGE_WRITE_STATIC
#include <stb/stb_image_write.h>

namespace ecgr1 {
namespace {

const char* const kStandard[12] = {"I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"};

// Paper colours: minor and major grid lines, trace.
constexpr uint8_t kMinor[3] = {255, 204, 204}, kMajor[3] = {236, 112, 112}, kInk[3] = {0, 0, 0};

struct Canvas {
  RgbImage& im;
  double px_per_mm;
  void Put(int x, int y, const uint8_t c[3]) {
    if (x < 0 || y < 0 || x >= im.width || y >= im.height) return;
    uint8_t* p = &im.rgb[(static_cast<size_t>(y) * static_cast<size_t>(im.width) + static_cast<size_t>(x)) * 3];
    p[0] = c[0];
    p[1] = c[1];
    p[2] = c[2];
  }
  // A square pen of `w` pixels centred on (x, y) in pixels.
  void Dot(double x, double y, int w, const uint8_t c[3]) {
    const int x0 = static_cast<int>(std::lround(x - 0.5 * (w - 1))), y0 = static_cast<int>(std::lround(y - 0.5 * (w - 1)));
    for (int dy = 0; dy < w; ++dy)
      for (int dx = 0; dx < w; ++dx) Put(x0 + dx, y0 + dy, c);
  }
  // A line from (x0, y0) to (x1, y1) in millimetres, `w` pixels wide.
  void Line(double x0, double y0, double x1, double y1, int w, const uint8_t c[3]) {
    x0 *= px_per_mm, y0 *= px_per_mm, x1 *= px_per_mm, y1 *= px_per_mm;
    const double len = std::max(std::fabs(x1 - x0), std::fabs(y1 - y0));
    const int steps = std::max(1, static_cast<int>(std::ceil(len * 2)));
    for (int i = 0; i <= steps; ++i) {
      const double f = static_cast<double>(i) / steps;
      Dot(x0 + f * (x1 - x0), y0 + f * (y1 - y0), w, c);
    }
  }
  // Text with its top-left corner at (x, y) mm, glyph pixels `scale` pixels wide.
  void Text(const std::string& s, double x, double y, int scale) {
    int px = static_cast<int>(std::lround(x * px_per_mm)), py = static_cast<int>(std::lround(y * px_per_mm));
    for (char ch : s) {
      if (const uint8_t* g = Glyph(ch))
        for (int r = 0; r < kGlyphHeight; ++r)
          for (int col = 0; col < kGlyphWidth; ++col)
            if (g[r] & (0x10 >> col))
              for (int dy = 0; dy < scale; ++dy)
                for (int dx = 0; dx < scale; ++dx) Put(px + col * scale + dx, py + r * scale + dy, kInk);
      px += (kGlyphWidth + 1) * scale;
    }
  }
};

// The record's lead for each standard name, or -1.
std::vector<int> StandardLeads(const EcgRecord& rec) {
  std::vector<int> idx(12, -1);
  for (size_t l = 0; l < rec.leads.size(); ++l) {
    const std::string c = CanonicalLeadName(rec.leads[l]);
    for (int k = 0; k < 12; ++k)
      if (c == kStandard[k] && idx[static_cast<size_t>(k)] < 0) idx[static_cast<size_t>(k)] = static_cast<int>(l);
  }
  return idx;
}

// The calibration pulse of a row whose baseline is at y (mm), as a polyline.
std::vector<std::pair<double, double>> PulseMm(double y) {
  const double x = kLeftMarginMm, h = kMmPerMillivolt;
  return {{x, y}, {x + 1, y}, {x + 1, y - h}, {x + 6, y - h}, {x + 6, y}, {x + 7, y}};
}

// The samples [a, b) of lead `p.lead` that strip p shows.
std::pair<int64_t, int64_t> StripRange(const EcgRecord& rec, const PaperPanel& p) {
  const int64_t a = std::max<int64_t>(0, static_cast<int64_t>(std::ceil(p.t0 * rec.fs)));
  const int64_t b = std::min<int64_t>(static_cast<int64_t>(rec.signal[p.lead].size()),
                                      static_cast<int64_t>(std::ceil(p.t1 * rec.fs)));
  return {a, b};
}

// The level drawn as 0 mV for a strip: the median of its samples (a record's
// DC offset or slow drift would otherwise push the trace off its row, which
// a cart's baseline filter prevents).
double StripBaseline(const std::vector<double>& x, int64_t a, int64_t b) {
  std::vector<double> v;
  for (int64_t i = a; i < b; ++i)
    if (std::isfinite(x[static_cast<size_t>(i)])) v.push_back(x[static_cast<size_t>(i)]);
  if (v.empty()) return 0.0;
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2), v.end());
  return v[v.size() / 2];
}

}  // namespace

PaperLayout LayoutPaper(const EcgRecord& rec, const PaperOptions& opt) {
  if (rec.signal.empty() || rec.length() == 0) Fail(ExitCode::kBadInput, "%s: no samples to draw", rec.source.c_str());
  if (!(rec.fs > 0)) Fail(ExitCode::kBadInput, "%s: no sampling rate", rec.source.c_str());
  const double dur = static_cast<double>(rec.length()) / rec.fs;
  if (!(opt.start_s >= 0) || opt.start_s >= dur)
    Fail(ExitCode::kUsage, "--start %g s is outside the record (%.1f s long)", opt.start_s, dur);
  const double t0 = opt.start_s;
  PaperLayout L;
  L.width_mm = kTraceStartMm + kWindowS * kMmPerSecond + kRightMarginMm;
  auto baseline = [](size_t row) { return kTopMarginMm + kRowPitchMm * static_cast<double>(row) + kBaselineInRowMm; };
  const std::vector<int> std_idx = StandardLeads(rec);
  const bool twelve = std::none_of(std_idx.begin(), std_idx.end(), [](int i) { return i < 0; });
  auto add = [&](int k, size_t row, size_t col, size_t cols) {
    const double span = kWindowS / static_cast<double>(cols);
    PaperPanel p;
    p.lead = static_cast<size_t>(std_idx[static_cast<size_t>(k)]);
    p.label = kStandard[k];
    p.t0 = t0 + span * static_cast<double>(col);
    p.t1 = p.t0 + span;
    p.x0_mm = kTraceStartMm + span * kMmPerSecond * static_cast<double>(col);
    p.y_mm = baseline(row);
    L.panels.push_back(p);
  };
  const std::string& lay = opt.layout;
  if (!twelve || lay == "12x1") {
    // One row per lead: the 12 in standard order, or the record's own leads.
    if (!twelve && rec.signal.size() > kMaxRows)
      Fail(ExitCode::kBadInput, "%s: %zu leads are more than a printout draws (at most %zu without the standard 12)",
           rec.source.c_str(), rec.signal.size(), kMaxRows);
    L.rows = twelve ? 12 : rec.signal.size();
    for (size_t r = 0; r < L.rows; ++r) {
      if (twelve) {
        add(static_cast<int>(r), r, 0, 1);
        continue;
      }
      PaperPanel p;
      p.lead = r;
      p.label = CanonicalLeadName(rec.leads[r]).empty() ? rec.leads[r] : CanonicalLeadName(rec.leads[r]);
      p.t0 = t0;
      p.t1 = t0 + kWindowS;
      p.x0_mm = kTraceStartMm;
      p.y_mm = baseline(r);
      L.panels.push_back(p);
    }
  } else if (lay == "3x4" || lay == "3x4+II") {
    L.rows = lay == "3x4" ? 3 : 4;
    for (int k = 0; k < 12; ++k) add(k, static_cast<size_t>(k % 3), static_cast<size_t>(k / 3), 4);
    if (L.rows == 4) add(1, 3, 0, 1);
  } else if (lay == "6x2") {
    L.rows = 6;
    for (int k = 0; k < 12; ++k) add(k, static_cast<size_t>(k % 6), static_cast<size_t>(k / 6), 2);
  } else {
    Fail(ExitCode::kUsage, "unknown layout %s (3x4, 3x4+II, 6x2 or 12x1)", lay.c_str());
  }
  for (size_t r = 0; r < L.rows; ++r) L.row_baselines_mm.push_back(baseline(r));
  L.height_mm = kTopMarginMm + kRowPitchMm * static_cast<double>(L.rows) + kBottomMarginMm;
  return L;
}

RgbImage RenderPaper(const EcgRecord& rec, const PaperLayout& L, double dpi) {
  if (!(dpi >= 50 && dpi <= 600)) Fail(ExitCode::kUsage, "--dpi %g: want 50 to 600", dpi);
  const double ppm = dpi / 25.4;
  RgbImage im;
  im.width = static_cast<int>(std::ceil(L.width_mm * ppm));
  im.height = static_cast<int>(std::ceil(L.height_mm * ppm));
  if (static_cast<double>(im.width) * im.height > static_cast<double>(kMaxImagePixels))
    Fail(ExitCode::kUsage, "a %d x %d pixel picture is too large: lower --dpi", im.width, im.height);
  im.rgb.assign(static_cast<size_t>(im.width) * static_cast<size_t>(im.height) * 3, 255);
  Canvas c{im, ppm};
  // Grid: every millimetre, every 5 mm darker and (above 150 dpi) wider.
  const int major_w = std::max(1, static_cast<int>(std::lround(dpi / 150)));
  for (int pass = 0; pass < 2; ++pass)
    for (int mm = 0; mm <= static_cast<int>(std::max(L.width_mm, L.height_mm)); ++mm) {
      const bool major = mm % 5 == 0;
      if (major != (pass == 1)) continue;
      const uint8_t* col = major ? kMajor : kMinor;
      const int w = major ? major_w : 1;
      const int p = static_cast<int>(std::lround(mm * ppm));
      for (int d = 0; d < w; ++d) {
        if (mm <= L.width_mm)
          for (int y = 0; y < im.height; ++y) c.Put(p + d, y, col);
        if (mm <= L.height_mm)
          for (int x = 0; x < im.width; ++x) c.Put(x, p + d, col);
      }
    }
  const int pen = std::max(1, static_cast<int>(std::lround(dpi / 100)));
  const int text_scale = std::max(1, static_cast<int>(std::lround(dpi / 75)));
  for (double y : L.row_baselines_mm) {
    const auto pulse = PulseMm(y);
    for (size_t i = 1; i < pulse.size(); ++i)
      c.Line(pulse[i - 1].first, pulse[i - 1].second, pulse[i].first, pulse[i].second, pen, kInk);
  }
  for (const PaperPanel& p : L.panels) {
    const std::vector<double>& x = rec.signal[p.lead];
    const auto [a, b] = StripRange(rec, p);
    const double base = StripBaseline(x, a, b);
    bool have = false;
    double px = 0, py = 0;
    for (int64_t i = a; i < b; ++i) {
      const double v = x[static_cast<size_t>(i)] - base;
      if (!std::isfinite(v)) {
        have = false;
        continue;
      }
      const double xm = p.x0_mm + (static_cast<double>(i) / rec.fs - p.t0) * kMmPerSecond;
      const double ym = p.y_mm - std::clamp(v, -100.0, 100.0) * kMmPerMillivolt;
      if (have) c.Line(px, py, xm, ym, pen, kInk);
      else c.Line(xm, ym, xm, ym, pen, kInk);
      px = xm;
      py = ym;
      have = true;
    }
    // Label above the start of the strip; a tick where a column begins.
    c.Text(p.label, p.x0_mm + 1, p.y_mm - 12, text_scale);
    if (p.x0_mm > kTraceStartMm) c.Line(p.x0_mm, p.y_mm - 3, p.x0_mm, p.y_mm + 3, pen, kInk);
  }
  c.Text("25 mm/s  10 mm/mV", kTraceStartMm, 3, text_scale);
  return im;
}

std::string RenderPaperSvg(const EcgRecord& rec, const PaperLayout& L, const std::vector<PaperMark>& marks) {
  std::string s;
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%.1fmm\" height=\"%.1fmm\" viewBox=\"0 0 %.1f %.1f\">\n",
                L.width_mm, L.height_mm, L.width_mm, L.height_mm);
  s += buf;
  s += "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>\n<g stroke=\"#ffcccc\" stroke-width=\"0.1\">\n";
  std::string major;
  for (int mm = 0; mm <= static_cast<int>(L.width_mm); ++mm) {
    std::snprintf(buf, sizeof buf, "<line x1=\"%d\" y1=\"0\" x2=\"%d\" y2=\"%.1f\"/>\n", mm, mm, L.height_mm);
    (mm % 5 == 0 ? major : s) += buf;
  }
  for (int mm = 0; mm <= static_cast<int>(L.height_mm); ++mm) {
    std::snprintf(buf, sizeof buf, "<line x1=\"0\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>\n", mm, L.width_mm, mm);
    (mm % 5 == 0 ? major : s) += buf;
  }
  s += "</g>\n<g stroke=\"#ec7070\" stroke-width=\"0.2\">\n" + major + "</g>\n";
  s += "<g fill=\"none\" stroke=\"#000\" stroke-width=\"0.25\" stroke-linejoin=\"round\">\n";
  for (double y : L.row_baselines_mm) {
    s += "<polyline class=\"calibration\" points=\"";
    for (const auto& pt : PulseMm(y)) {
      std::snprintf(buf, sizeof buf, "%.2f,%.2f ", pt.first, pt.second);
      s += buf;
    }
    s += "\"/>\n";
  }
  for (const PaperPanel& p : L.panels) {
    s += "<polyline class=\"lead\" data-lead=\"" + XmlEscape(p.label) + "\" points=\"";
    const std::vector<double>& x = rec.signal[p.lead];
    const auto [a, b] = StripRange(rec, p);
    const double base = StripBaseline(x, a, b);
    for (int64_t i = a; i < b; ++i) {
      const double v = x[static_cast<size_t>(i)] - base;
      if (!std::isfinite(v)) continue;
      std::snprintf(buf, sizeof buf, "%.2f,%.2f ", p.x0_mm + (static_cast<double>(i) / rec.fs - p.t0) * kMmPerSecond,
                    p.y_mm - std::clamp(v, -100.0, 100.0) * kMmPerMillivolt);
      s += buf;
    }
    s += "\"/>\n";
  }
  s += "</g>\n";
  if (!marks.empty()) {
    s += "<g class=\"marks\" stroke-width=\"0.3\">\n";
    for (const PaperPanel& p : L.panels)
      for (const PaperMark& m : marks) {
        if (!(m.t_s >= p.t0 && m.t_s < p.t1)) continue;
        const double x = p.x0_mm + (m.t_s - p.t0) * kMmPerSecond;
        std::snprintf(buf, sizeof buf, "<line class=\"%s\" x1=\"%.2f\" y1=\"%.2f\" x2=\"%.2f\" y2=\"%.2f\"/>\n",
                      XmlEscape(m.cls).c_str(), x, p.y_mm - 11, x, p.y_mm + 8);
        s += buf;
      }
    s += "</g>\n";
  }
  s += "<g font-family=\"sans-serif\" font-size=\"3\" fill=\"#000\">\n";
  for (const PaperPanel& p : L.panels) {
    std::snprintf(buf, sizeof buf, "<text x=\"%.2f\" y=\"%.2f\">", p.x0_mm + 1, p.y_mm - 9);
    s += buf + XmlEscape(p.label) + "</text>\n";
  }
  std::snprintf(buf, sizeof buf, "<text x=\"%.1f\" y=\"6\">25 mm/s  10 mm/mV</text>\n", kTraceStartMm);
  s += buf;
  s += "</g>\n</svg>\n";
  return s;
}

std::string EncodePng(const RgbImage& im) {
  std::string out;
  auto sink = [](void* ctx, void* data, int size) {
    static_cast<std::string*>(ctx)->append(static_cast<const char*>(data), static_cast<size_t>(size));
  };
  if (!stbi_write_png_to_func(sink, &out, im.width, im.height, 3, im.rgb.data(), im.width * 3))
    Fail(ExitCode::kInternal, "PNG encoding failed");
  return out;
}

}  // namespace ecgr1
