// ecg_paper.h — an ECG record as the standard printout: 25 mm/s, 10 mm/mV,
// red 1 mm / 5 mm grid, a 1 mV calibration pulse at the start of each row,
// lead labels, and the 12 leads in one of the usual layouts:
//   3x4     I II III | aVR aVL aVF | V1 V2 V3 | V4 V5 V6, 2.5 s per column,
//           the four columns consecutive in time (as carts print);
//   3x4+II  the same with a 10 s lead II rhythm strip below (the default);
//   6x2     limb leads left, chest leads right, 5 s each;
//   12x1    every lead over 10 s.
// A record without the 12 standard leads is drawn one row per lead, 10 s.
// Each strip is drawn about the median of its samples (a DC offset or drift
// would push it off its row, as a cart's baseline filter prevents).
//
// Geometry in millimetres (one place, PaperLayout; the raster and the SVG
// both draw from it): a 5 mm left margin, the calibration pulse (1 mm
// baseline, 5 mm at 1 mV, 1 mm baseline) from x = 5 mm, traces from x = 15 mm,
// rows 25 mm apart from a 10 mm top margin with the baseline 15 mm into the
// row. Pixels per mm = dpi / 25.4.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "io/ecg_record.h"
#include "io/image.h"

namespace ecgr1 {

struct PaperOptions {
  double dpi = 200;
  std::string layout = "3x4+II";  // 3x4, 3x4+II, 6x2, 12x1
  double start_s = 0;             // where the 10 s window starts in the record
};

// Constants of the paper, millimetres and seconds.
constexpr double kMmPerSecond = 25.0, kMmPerMillivolt = 10.0;
constexpr double kLeftMarginMm = 5.0, kTraceStartMm = 15.0, kTopMarginMm = 10.0, kRowPitchMm = 25.0;
constexpr double kBaselineInRowMm = 15.0, kBottomMarginMm = 5.0, kRightMarginMm = 5.0, kWindowS = 10.0;
constexpr size_t kMaxRows = 24;  // rows of a record without the standard 12 leads

// One strip of one lead: record lead `lead`, record time [t0, t1) drawn from
// x0_mm with its baseline at y_mm.
struct PaperPanel {
  size_t lead = 0;
  std::string label;
  double t0 = 0, t1 = 0;
  double x0_mm = 0, y_mm = 0;
};

struct PaperLayout {
  double width_mm = 0, height_mm = 0;
  size_t rows = 0;
  std::vector<PaperPanel> panels;
  std::vector<double> row_baselines_mm;  // where each row's calibration pulse stands
};

// The panels of `opt.layout` for `rec`; Error(kUsage) for an unknown layout or a start past the end.
PaperLayout LayoutPaper(const EcgRecord& rec, const PaperOptions& opt);

// A vertical mark at record time t_s on every strip that shows it (the
// evidence report's fiducials); `cls` becomes its SVG class.
struct PaperMark {
  double t_s = 0;
  std::string cls;
};

RgbImage RenderPaper(const EcgRecord& rec, const PaperLayout& layout, double dpi);
std::string RenderPaperSvg(const EcgRecord& rec, const PaperLayout& layout, const std::vector<PaperMark>& marks = {});
// PNG bytes of an image (stb_image_write).
std::string EncodePng(const RgbImage& im);

}  // namespace ecgr1
