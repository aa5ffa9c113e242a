// cmd_render.cc — `ecgr1 render RECORD -o ecg.png|ecg.svg`: the record as the
// standard 12-lead printout (render/ecg_paper.h).
#include <string>

#include "app/commands.h"
#include "base/atomic_file.h"
#include "base/error.h"
#include "io/ecg_record.h"
#include "render/ecg_paper.h"

namespace ecgr1 {
namespace {

struct RenderFlags {
  std::string record, output;
  PaperOptions paper;
  double fs = 0;
};

bool EndsWith(const std::string& s, const char* suffix) {
  const std::string x = suffix;
  return s.size() >= x.size() && s.compare(s.size() - x.size(), x.size(), x) == 0;
}

int Run(const RenderFlags& f) {
  const bool svg = EndsWith(f.output, ".svg");
  if (!svg && !EndsWith(f.output, ".png"))
    Fail(ExitCode::kUsage, "-o %s: the picture is written as .png or .svg", f.output.c_str());
  EcgReadOptions ro;
  ro.fs = f.fs;
  const EcgRecord rec = ReadEcgRecord(f.record, ro);
  const PaperLayout layout = LayoutPaper(rec, f.paper);
  const std::string bytes = svg ? RenderPaperSvg(rec, layout) : EncodePng(RenderPaper(rec, layout, f.paper.dpi));
  AtomicOutputFile out(f.output);
  out.Write(bytes.data(), bytes.size());
  out.Commit();
  return 0;
}

}  // namespace

Command AddRenderCommand(CLI::App& app) {
  auto f = std::make_shared<RenderFlags>();
  CLI::App* sub = app.add_subcommand(
      "render", "Draw an ECG record as the standard printout (25 mm/s, 10 mm/mV, 1/5 mm grid, calibration pulse, "
                "lead labels) to PNG or SVG (no model needed)");
  sub->add_option("record", f->record, "ECG record: WFDB (path/name, .hea, .dat, .mat), GE MUSE .xml, .csv or .npy")
      ->required();
  sub->add_option("-o,--output", f->output, "The picture: .png or .svg")->required();
  sub->add_option("--dpi", f->paper.dpi, "Resolution of a PNG, dots per inch")->check(CLI::Range(50.0, 600.0))
      ->capture_default_str();
  sub->add_option("--layout", f->paper.layout,
                  "3x4 (2.5 s per column), 3x4+II (with a 10 s lead II rhythm strip), 6x2 (5 s) or 12x1 (10 s); "
                  "records without the 12 standard leads get one row per lead")
      ->check(CLI::IsMember({"3x4", "3x4+II", "6x2", "12x1"}))
      ->capture_default_str();
  sub->add_option("--start", f->paper.start_s, "Start of the 10 s window in the record, seconds")
      ->check(CLI::Range(0.0, 1e7))
      ->capture_default_str();
  sub->add_option("--fs", f->fs, "Sampling rate in Hz for CSV/NPY records that do not state it")
      ->check(CLI::Range(1.0, 100000.0));
  return {sub, [f] { return Run(*f); }};
}

}  // namespace ecgr1
