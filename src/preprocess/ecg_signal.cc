// ecg_signal.cc — lead selection/order, rate conversion and the 10 s window.
//
// Two paths (contract in ecg_signal.h):
//   - passthrough, for input already at target_fs (within 1e-9 Hz) or when
//     resampling is off: samples [s0, s0 + samples) of each chosen lead with
//     s0 = round(start_s * fs), zero-padded past the end, each value the
//     float32 nearest to the physical double — what ECG-R1's loader feeds for
//     start_s = 0 and the file's lead order;
//   - resampled: each chosen lead goes through libsoxr (very-high quality,
//     linear phase, double precision in and out) on the input span the window
//     needs plus a margin of >= 2 s each side, so the window is the same as if
//     the whole record had been resampled. Output sample k of the record is at
//     time k / target_fs from the record's first sample; the window starts at
//     output sample round(start_s * target_fs).
#include "preprocess/ecg_signal.h"

#include <soxr.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <numeric>

#include "base/error.h"

namespace ecgr1 {

const char* const kTrainingLeadOrder[12] = {"I",  "II", "III", "aVR", "aVF", "aVL",
                                            "V1", "V2", "V3",  "V4",  "V5",  "V6"};

namespace {

// Rates libsoxr is asked to convert from. Below 50 Hz an ECG has lost its QRS
// complexes; above 20 kHz the input is not an ECG recording as we know them.
constexpr double kMinResampleFs = 50;
constexpr double kMaxResampleFs = 20000;

std::string Lower(const std::string& s) {
  std::string out = s;
  for (char& c : out) c = static_cast<char>((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
  return out;
}

std::string JoinNames(const std::vector<std::string>& v) {
  std::string s;
  for (size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + v[i];
  return s;
}

// The number of input samples between input positions whose time falls on
// the output grid: i * fs_out / fs_in is an integer for every multiple of it.
// 0 when the rates are not both multiples of 1 mHz (then we resample from 0).
int64_t AlignmentPeriod(double fs_in, double fs_out) {
  const double a = fs_in * 1000, b = fs_out * 1000;
  if (std::fabs(a - std::round(a)) > 1e-6 || std::fabs(b - std::round(b)) > 1e-6 || a > 1e12 || b > 1e12) return 0;
  const int64_t ia = std::llround(a), ib = std::llround(b);
  if (ia <= 0 || ib <= 0) return 0;
  return ia / std::gcd(ia, ib);
}

// Resamples `in` from fs_in to fs_out with libsoxr; returns up to `olen`
// output samples (fewer if the input is exhausted first).
std::vector<double> Resample(const std::vector<double>& in, double fs_in, double fs_out, size_t olen,
                             const std::string& source) {
  std::vector<double> out(olen, 0.0);
  if (in.empty() || olen == 0) return out;
  const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT64_I, SOXR_FLOAT64_I);
  const soxr_quality_spec_t q = soxr_quality_spec(SOXR_VHQ, SOXR_LINEAR_PHASE);
  const soxr_runtime_spec_t rt = soxr_runtime_spec(1);
  size_t idone = 0, odone = 0;
  const soxr_error_t err = soxr_oneshot(fs_in, fs_out, 1, in.data(), in.size(), &idone, out.data(), olen, &odone,
                                        &io, &q, &rt);
  if (err != nullptr)
    Fail(ExitCode::kInternal, "%s: resampling %g Hz -> %g Hz failed in libsoxr: %s", source.c_str(), fs_in, fs_out,
         err);
  out.resize(odone);
  return out;
}

}  // namespace

std::string CanonicalLeadName(const std::string& name) {
  std::string s = Lower(name);
  // Drop spaces, '_', '-', '.', so "Lead I", "lead_ii", "V-1" compare as "leadi"...
  s.erase(std::remove_if(s.begin(), s.end(), [](char c) { return c == ' ' || c == '_' || c == '-' || c == '.' || c == '\t'; }),
          s.end());
  if (s.rfind("lead", 0) == 0) s.erase(0, 4);
  // Einthoven leads: roman numerals, and the DI/DII/DIII and D1/D2/D3 spellings
  // used by Brazilian (CODE) and some European exports.
  if (s == "i" || s == "di" || s == "d1") return "I";
  if (s == "ii" || s == "dii" || s == "d2") return "II";
  if (s == "iii" || s == "diii" || s == "d3") return "III";
  if (s == "avr") return "aVR";
  if (s == "avl") return "aVL";
  if (s == "avf") return "aVF";
  if (s.size() == 2 && s[0] == 'v' && s[1] >= '1' && s[1] <= '6') return std::string("V") + s[1];
  return "";
}

EcgTowerInput PrepareEcg(const EcgRecord& rec, const EcgSignalOptions& opt) {
  const char* src = rec.source.c_str();
  if (opt.leads < 1 || opt.leads > 64 || opt.samples < 1 || opt.samples > (1 << 24))
    Fail(ExitCode::kUsage, "ECG input of %d leads x %d samples is outside 1..64 x 1..%d", opt.leads, opt.samples,
         1 << 24);
  if (!(opt.target_fs >= kMinResampleFs && opt.target_fs <= kMaxResampleFs))
    Fail(ExitCode::kUsage, "target sampling rate %g Hz is outside %g..%g Hz", opt.target_fs, kMinResampleFs,
         kMaxResampleFs);
  if (!(opt.start_s >= 0) || !std::isfinite(opt.start_s))
    Fail(ExitCode::kUsage, "window start %g s must be a finite number >= 0", opt.start_s);
  if (!opt.lead_order_file && opt.leads != 12)
    Fail(ExitCode::kUsage, "the training lead order has 12 leads, the tower wants %d (use the file's lead order)",
         opt.leads);
  if (!(rec.fs > 0) || !std::isfinite(rec.fs))
    Fail(ExitCode::kBadInput, "%s: sampling rate %g Hz is not a positive number", src, rec.fs);
  const size_t n = rec.length();
  for (size_t i = 0; i < rec.signal.size(); ++i)
    if (rec.signal[i].size() != n)
      Fail(ExitCode::kBadInput, "%s: lead %zu has %zu samples, lead 0 has %zu", src, i, rec.signal[i].size(), n);

  const size_t L = static_cast<size_t>(opt.leads);
  const size_t S = static_cast<size_t>(opt.samples);
  std::vector<int> chosen(L, -1);  // record lead feeding each input row, -1: none
  std::vector<std::string> used, missing, zero_filled, ignored, notes = rec.notes;

  // ---- which record lead feeds each input row
  if (opt.lead_order_file) {
    for (size_t k = 0; k < L && k < rec.signal.size(); ++k) chosen[k] = static_cast<int>(k);
    for (size_t k = L; k < rec.signal.size(); ++k)
      ignored.push_back(k < rec.leads.size() ? rec.leads[k] : "ch" + std::to_string(k));
    for (size_t k = rec.signal.size(); k < L; ++k) missing.push_back("row " + std::to_string(k));
    if (!missing.empty() && !opt.zero_fill_missing)
      Fail(ExitCode::kBadInput, "%s: the record has %zu leads, the ECG tower needs %zu (use --zero-fill-missing to feed zeros)",
           src, rec.signal.size(), L);
  } else {
    std::map<std::string, int> by_name;
    for (size_t i = 0; i < rec.signal.size(); ++i) {
      const std::string& name = i < rec.leads.size() ? rec.leads[i] : std::string();
      const std::string c = CanonicalLeadName(name);
      if (c.empty()) {
        ignored.push_back(name);
      } else if (!by_name.emplace(c, static_cast<int>(i)).second) {
        ignored.push_back(name);
        notes.push_back("lead '" + name + "' repeats " + c + "; the first one is used");
      }
    }
    for (size_t k = 0; k < 12; ++k) {
      auto it = by_name.find(kTrainingLeadOrder[k]);
      if (it == by_name.end()) missing.push_back(kTrainingLeadOrder[k]);
      else chosen[k] = it->second;
    }
    if (!missing.empty() && !opt.zero_fill_missing)
      Fail(ExitCode::kBadInput, "%s: missing leads %s (use --zero-fill-missing to feed zeros, or --lead-order file)",
           src, JoinNames(missing).c_str());
  }
  for (size_t k = 0; k < L; ++k) {
    if (chosen[k] >= 0) {
      const size_t i = static_cast<size_t>(chosen[k]);
      used.push_back(i < rec.leads.size() ? rec.leads[i] : "ch" + std::to_string(i));
    }
  }
  if (opt.zero_fill_missing) zero_filled = missing;

  // ---- rate and window
  const double fs = rec.fs;
  const bool same_rate = std::fabs(fs - opt.target_fs) <= 1e-9;
  const bool resampled = opt.resample && !same_rate;
  if (resampled && (fs < kMinResampleFs || fs > kMaxResampleFs))
    Fail(ExitCode::kBadInput, "%s: sampling rate %g Hz is outside the %g..%g Hz we resample (--no-resample feeds it unchanged)",
         src, fs, kMinResampleFs, kMaxResampleFs);

  EcgTowerInput out;
  out.x.assign(L * S, 0.0f);
  uint64_t invalid = rec.invalid_samples;
  size_t valid = 0;           // samples of the window that come from the record
  double window_start_s = 0;  // actual start, after rounding to a sample

  if (!resampled) {
    const double s0d = std::round(opt.start_s * fs);
    if (opt.start_s > 0 && s0d >= static_cast<double>(n))
      Fail(ExitCode::kBadInput, "%s: the window starts at %g s, after the end of the record (%g s)", src,
           opt.start_s, static_cast<double>(n) / fs);
    const size_t s0 = static_cast<size_t>(s0d);
    valid = s0 < n ? std::min(S, n - s0) : 0;
    window_start_s = static_cast<double>(s0) / fs;
    for (size_t k = 0; k < L; ++k) {
      if (chosen[k] < 0) continue;
      const std::vector<double>& x = rec.signal[static_cast<size_t>(chosen[k])];
      float* dst = &out.x[k * S];
      for (size_t t = 0; t < valid; ++t) {
        const double v = x[s0 + t];
        if (std::isfinite(v)) {
          dst[t] = static_cast<float>(v);
        } else {
          ++invalid;  // readers already zero these; a record built elsewhere may not
        }
      }
    }
    if (!opt.resample && !same_rate)
      notes.push_back(StrFormat("%g Hz fed unchanged (no resampling): the window spans %g s", fs,
                                static_cast<double>(S) / fs));
  } else {
    const double ratio = opt.target_fs / fs;
    // Output samples of the whole record: floor(n * ratio), as libsoxr makes.
    const double total_d = std::floor(static_cast<double>(n) * ratio + 1e-9);
    const int64_t total_out = static_cast<int64_t>(std::max(0.0, total_d));
    const int64_t o0 = std::llround(opt.start_s * opt.target_fs);
    if (opt.start_s > 0 && o0 >= total_out)
      Fail(ExitCode::kBadInput, "%s: the window starts at %g s, after the end of the record (%g s)", src,
           opt.start_s, static_cast<double>(n) / fs);
    const int64_t o1 = std::min<int64_t>(o0 + static_cast<int64_t>(S), total_out);  // exclusive
    valid = o1 > o0 ? static_cast<size_t>(o1 - o0) : 0;
    window_start_s = static_cast<double>(o0) / opt.target_fs;

    // The input span: the window's span plus a margin far wider than the
    // resampling filter, started on an input sample that falls on the output
    // grid so the output indices stay those of the whole record.
    const int64_t margin = std::max<int64_t>(static_cast<int64_t>(std::ceil(2 * fs)), 1024);
    int64_t i_lo = static_cast<int64_t>(std::floor(static_cast<double>(o0) / ratio)) - margin;
    const int64_t period = AlignmentPeriod(fs, opt.target_fs);
    if (i_lo <= 0 || period == 0) i_lo = 0;
    else i_lo = i_lo / period * period;
    const int64_t i_hi =
        std::min<int64_t>(static_cast<int64_t>(n), static_cast<int64_t>(std::ceil(static_cast<double>(o1) / ratio)) + margin);
    const int64_t q0 = i_lo == 0 ? 0 : std::llround(static_cast<double>(i_lo) * ratio);  // exact: i_lo on the grid
    // At the record's own ends the signal is continued by odd reflection about
    // the end sample (value and slope continuous) instead of the zeros a
    // resampler assumes, so a baseline offset does not ring into the window.
    // The leading extension is a whole number of alignment periods; without a
    // usable period the start is left to zeros.
    const int64_t kReflect = 512;
    const int64_t pre = (i_lo == 0 && period > 0 && period <= 4 * kReflect) ? (kReflect + period - 1) / period * period : 0;
    const int64_t post = i_hi == static_cast<int64_t>(n) ? kReflect : 0;
    const int64_t q_pre = std::llround(static_cast<double>(pre) * ratio);  // exact: pre on the grid
    if (pre == 0 && i_lo == 0) notes.push_back("the record's start was resampled against zeros (no common time grid)");

    std::vector<double> seg;
    for (size_t k = 0; k < L && valid > 0; ++k) {
      if (chosen[k] < 0) continue;
      const std::vector<double>& x = rec.signal[static_cast<size_t>(chosen[k])];
      // Non-finite samples (readers already zero them; a record built
      // elsewhere may not) are read as 0.
      auto at = [&x](int64_t i) {
        const double v = x[static_cast<size_t>(i)];
        return std::isfinite(v) ? v : 0.0;
      };
      const int64_t last = static_cast<int64_t>(n) - 1;
      seg.clear();
      seg.reserve(static_cast<size_t>(pre + (i_hi - i_lo) + post));
      for (int64_t i = pre; i >= 1; --i) seg.push_back(2 * at(0) - at(std::min(i, last)));
      for (int64_t i = i_lo; i < i_hi; ++i) {
        seg.push_back(at(i));
        invalid += !std::isfinite(x[static_cast<size_t>(i)]);
      }
      for (int64_t i = 1; i <= post; ++i) seg.push_back(2 * at(last) - at(std::max<int64_t>(last - i, 0)));
      // soxr_oneshot stops early when its output buffer is smaller than the
      // whole result, so it gets room for all of it.
      const size_t olen = static_cast<size_t>(std::floor(static_cast<double>(seg.size()) * ratio)) + 2;
      const std::vector<double> y = Resample(seg, fs, opt.target_fs, olen, rec.source);
      float* dst = &out.x[k * S];
      for (size_t t = 0; t < valid; ++t) {
        const size_t j = static_cast<size_t>(o0 - q0 + q_pre) + t;
        if (j >= y.size())
          Fail(ExitCode::kInternal, "%s: libsoxr returned %zu samples, %zu needed", rec.source.c_str(), y.size(), j + 1);
        dst[t] = static_cast<float>(y[j]);
      }
    }
    notes.push_back(StrFormat("resampled %g Hz -> %g Hz with libsoxr (very high quality, linear phase)", fs,
                              opt.target_fs));
  }
  if (!zero_filled.empty()) notes.push_back("zero-filled missing leads: " + JoinNames(zero_filled));

  nlohmann::json& r = out.report;
  r["format"] = rec.format;
  r["fs_in"] = fs;
  r["fs_out"] = resampled ? opt.target_fs : fs;
  r["resampled"] = resampled;
  r["lead_order"] = opt.lead_order_file ? "file" : "training";
  r["leads_used"] = used;
  r["leads_missing"] = missing;
  r["zero_filled"] = zero_filled;
  r["leads_ignored"] = ignored;
  r["window_start_s"] = window_start_s;
  r["samples_in"] = n;
  r["samples_out"] = S;
  r["padded_samples"] = S - valid;
  r["invalid_samples"] = invalid;
  r["notes"] = notes;
  return out;
}

}  // namespace ecgr1
