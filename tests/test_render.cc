// Tests of the printout (render/ecg_paper.h), measured on the picture: the
// grid pitch in pixels, the calibration pulse's height, where a known R peak
// lands, the layouts' panels, the SVG's structure, the PNG round trip through
// our own decoder, and the refusals.
#include <catch2/catch.hpp>

#include <cmath>
#include <pugixml.hpp>

#include "io/image.h"
#include "render/ecg_paper.h"
#include "require_error.h"

namespace ecgr1::test {
namespace {

const char* const kLeads[12] = {"I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"};

// 10 s of 12 flat leads at 500 Hz with an offset of 0.7 mV (drawn about the
// strip's median: it must not show), and in lead II one 1.5 mV spike peaking
// at 3.000 s.
EcgRecord SpikeRecord() {
  EcgRecord r;
  r.source = "synthetic";
  r.fs = 500;
  for (const char* l : kLeads) {
    r.leads.push_back(l);
    r.units.push_back("mV");
    r.signal.emplace_back(5000, 0.7);
  }
  for (int i = -10; i <= 10; ++i) r.signal[1][static_cast<size_t>(1500 + i)] += 1.5 * (1.0 - std::abs(i) / 10.0);
  return r;
}

bool Is(const RgbImage& im, int x, int y, int r, int g, int b) {
  const uint8_t* p = &im.rgb[(static_cast<size_t>(y) * static_cast<size_t>(im.width) + static_cast<size_t>(x)) * 3];
  return p[0] == r && p[1] == g && p[2] == b;
}
bool Ink(const RgbImage& im, int x, int y) { return Is(im, x, y, 0, 0, 0); }

// Centres of the runs of pixels of colour (r, g, b) along row y.
std::vector<double> RunCentres(const RgbImage& im, int y, int r, int g, int b) {
  std::vector<double> c;
  for (int x = 0; x < im.width;) {
    if (!Is(im, x, y, r, g, b)) {
      ++x;
      continue;
    }
    int e = x;
    while (e < im.width && Is(im, e, y, r, g, b)) ++e;
    c.push_back(0.5 * (x + e - 1));
    x = e;
  }
  return c;
}

}  // namespace

TEST_CASE("the printout's grid, calibration pulse and an R peak are where the paper puts them", "[render]") {
  const EcgRecord rec = SpikeRecord();
  for (double dpi : {100.0, 200.0, 300.0}) {
    INFO("dpi " << dpi);
    const double ppm = dpi / 25.4;
    const PaperLayout L = LayoutPaper(rec, PaperOptions{dpi, "3x4+II", 0});
    const RgbImage im = RenderPaper(rec, L, dpi);
    CHECK(im.width == static_cast<int>(std::ceil(270 * ppm)));
    CHECK(im.height == static_cast<int>(std::ceil(115 * ppm)));
    // Major lines every 5 mm along a row of the bottom margin (no trace there).
    const int y = static_cast<int>((L.height_mm - 2.5) * ppm);
    const std::vector<double> major = RunCentres(im, y, 236, 112, 112);
    REQUIRE(major.size() >= 50);
    for (size_t i = 1; i < major.size(); ++i) CHECK(std::fabs(major[i] - major[i - 1] - 5 * ppm) <= 1.0);
    // Minor lines: four between two major ones, 1 mm apart.
    const std::vector<double> minor = RunCentres(im, y, 255, 204, 204);
    REQUIRE(minor.size() >= 200);
    for (size_t i = 1; i < 4; ++i) CHECK(std::fabs(minor[i] - minor[i - 1] - ppm) <= 1.0);
    // The calibration pulse of the rhythm strip rises 10 mm (1 mV) at x = 6 mm.
    const double base = L.row_baselines_mm[3];
    const int px = static_cast<int>(std::lround(6 * ppm));
    int top = -1, bottom = -1;
    for (int yy = static_cast<int>((base - 14) * ppm); yy <= static_cast<int>((base + 2) * ppm); ++yy)
      if (Ink(im, px, yy)) {
        if (top < 0) top = yy;
        bottom = yy;
      }
    const int pen = std::max(1, static_cast<int>(std::lround(dpi / 100)));
    CHECK(std::fabs((bottom - top + 1 - pen) - 10 * ppm) <= 2.0);
    // The spike: the highest ink in the rhythm strip's trace area is lead II's
    // R peak, 3.000 s x 25 mm/s from the trace start and 15 mm above the baseline.
    int rx = -1, ry = im.height;
    for (int x = static_cast<int>(25 * ppm); x < im.width; ++x)
      for (int yy = static_cast<int>((base - 20) * ppm); yy < ry; ++yy)
        if (Ink(im, x, yy)) {
          rx = x;
          ry = yy;
          break;
        }
    CHECK(std::fabs(rx - (15 + 75) * ppm) <= pen + 1.0);
    CHECK(std::fabs(ry + 0.5 * (pen - 1) - (base - 15) * ppm) <= pen + 1.0);
    // Flat leads lie on their baselines despite the 0.7 mV offset: lead I's
    // strip (row 0, 2.5 s at x = 15 mm) is ink exactly at its baseline.
    const int bx = static_cast<int>(40 * ppm), by = static_cast<int>(std::lround(L.row_baselines_mm[0] * ppm));
    bool on = false;
    for (int d = -pen; d <= pen; ++d) on = on || Ink(im, bx, by + d);
    CHECK(on);
  }
}

TEST_CASE("layouts place the leads as carts print them", "[render]") {
  const EcgRecord rec = SpikeRecord();
  const PaperLayout a = LayoutPaper(rec, PaperOptions{200, "3x4", 0});
  REQUIRE(a.panels.size() == 12);
  CHECK(a.rows == 3);
  CHECK(a.panels[3].label == "aVR");
  CHECK(a.panels[3].t0 == Approx(2.5));
  CHECK(a.panels[3].x0_mm == Approx(15 + 62.5));
  CHECK(a.panels[3].y_mm == Approx(a.panels[0].y_mm));
  const PaperLayout b = LayoutPaper(rec, PaperOptions{200, "3x4+II", 2.0});
  REQUIRE(b.panels.size() == 13);
  CHECK(b.panels[12].label == "II");
  CHECK(b.panels[12].t0 == Approx(2.0));
  CHECK(b.panels[12].t1 == Approx(12.0));
  const PaperLayout c = LayoutPaper(rec, PaperOptions{200, "6x2", 0});
  CHECK(c.rows == 6);
  CHECK(c.panels[6].label == "V1");
  CHECK(c.panels[6].x0_mm == Approx(15 + 125));
  const PaperLayout d = LayoutPaper(rec, PaperOptions{200, "12x1", 0});
  CHECK(d.rows == 12);
  CHECK(d.height_mm == Approx(10 + 12 * 25 + 5));
  // Two leads that are not the standard 12: one row each, named as in the file.
  EcgRecord two = rec;
  two.leads = {"MLII", "V1"};
  two.signal.resize(2);
  const PaperLayout e = LayoutPaper(two, PaperOptions{});
  REQUIRE(e.panels.size() == 2);
  CHECK(e.panels[0].label == "MLII");
  CHECK(e.panels[1].label == "V1");
  RequireError([&] { LayoutPaper(rec, PaperOptions{200, "4x3", 0}); }, ExitCode::kUsage, {"4x3"});
  RequireError([&] { LayoutPaper(rec, PaperOptions{200, "3x4", 10.0}); }, ExitCode::kUsage, {"--start"});
  RequireError([&] { RenderPaper(rec, a, 10); }, ExitCode::kUsage, {"--dpi"});
}

TEST_CASE("SVG printout: a polyline per strip and per calibration pulse, names escaped", "[render]") {
  EcgRecord rec = SpikeRecord();
  rec.leads = {"I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"};
  const std::string svg = RenderPaperSvg(rec, LayoutPaper(rec, PaperOptions{}));
  pugi::xml_document doc;
  REQUIRE(doc.load_string(svg.c_str()));
  const pugi::xml_node root = doc.child("svg");
  CHECK(std::string(root.attribute("width").value()) == "270.0mm");
  size_t leads = 0, pulses = 0;
  for (const pugi::xpath_node& n : doc.select_nodes("//polyline")) {
    const std::string cls = n.node().attribute("class").value();
    leads += cls == "lead";
    pulses += cls == "calibration";
  }
  CHECK(leads == 13);
  CHECK(pulses == 4);
  EcgRecord odd = rec;
  odd.leads = {"<x>&\"y\""};
  odd.signal.resize(1);
  pugi::xml_document doc2;
  CHECK(doc2.load_string(RenderPaperSvg(odd, LayoutPaper(odd, PaperOptions{})).c_str()));
}

TEST_CASE("the PNG decodes back to the same pixels", "[render]") {
  const EcgRecord rec = SpikeRecord();
  const RgbImage im = RenderPaper(rec, LayoutPaper(rec, PaperOptions{}), 100);
  const std::string png = EncodePng(im);
  const RgbImage back = DecodeImageRgb(reinterpret_cast<const uint8_t*>(png.data()), png.size(), "render");
  CHECK(back.width == im.width);
  CHECK(back.height == im.height);
  CHECK(back.rgb == im.rgb);
}

}  // namespace ecgr1::test
