// signal_quality.cc — per-lead signal quality (see signal_quality.h for the
// method and thresholds). Every step is O(n) in the record length (plus
// O(beats x window) for the per-beat noise), so 30-min Holter records are fine.
#include "measure/signal_quality.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "measure/signal_math.h"

namespace ecgr1 {
namespace {


// Second-order Butterworth low-pass (bilinear transform, pre-warped), run
// forward then backward (zero phase, 4th-order magnitude). The state starts at
// the steady state of the first (last) sample, so a DC offset gives no transient.
std::vector<double> ZeroPhaseLowPass(const std::vector<double>& x, double fc, double fs) {
  const size_t n = x.size();
  if (n == 0) return {};
  const double k = std::tan(M_PI * fc / fs);
  const double q = std::sqrt(2.0);
  const double norm = 1.0 / (1.0 + q * k + k * k);
  const double b0 = k * k * norm, b1 = 2 * b0, b2 = b0;
  const double a1 = 2.0 * (k * k - 1.0) * norm, a2 = (1.0 - q * k + k * k) * norm;
  std::vector<double> y(n);
  auto run = [&](auto get, auto put) {
    // Direct form II transposed; steady state for a constant input u: y = u.
    const double u0 = get(0);
    double z1 = u0 * (1.0 - b0), z2 = u0 * (b2 - a2);
    for (size_t i = 0; i < n; ++i) {
      const double u = get(i);
      const double out = b0 * u + z1;
      z1 = b1 * u - a1 * out + z2;
      z2 = b2 * u - a2 * out;
      put(i, out);
    }
  };
  run([&](size_t i) { return x[i]; }, [&](size_t i, double v) { y[i] = v; });
  run([&](size_t i) { return y[n - 1 - i]; }, [&](size_t i, double v) { y[n - 1 - i] = v; });
  return y;
}

// Moving median of width w (odd) of a short sequence (the decimated baseline
// track); edges use the available half-window.
std::vector<double> SmallMovingMedian(const std::vector<double>& x, int w) {
  const int n = static_cast<int>(x.size()), h = w / 2;
  std::vector<double> out(x.size()), buf;
  for (int i = 0; i < n; ++i) {
    const int a = std::max(0, i - h), b = std::min(n - 1, i + h);
    buf.assign(x.begin() + a, x.begin() + b + 1);
    std::nth_element(buf.begin(), buf.begin() + (b - a) / 2, buf.end());
    out[i] = buf[(b - a) / 2];
  }
  return out;
}

// Baseline estimate: 20 ms block means (about 50 Hz), moving medians of 200 ms
// then 600 ms (removes QRS, then P and T), low-pass 0.7 Hz. Returns its p-p.
double BaselineWanderPp(const std::vector<double>& x, double fs) {
  const int block = std::max(1, Samples(0.02, fs));
  const double bfs = fs / block;
  std::vector<double> d;
  d.reserve(x.size() / block + 1);
  for (size_t i = 0; i < x.size(); i += block) {
    const size_t e = std::min(x.size(), i + block);
    double s = 0;
    for (size_t j = i; j < e; ++j) s += x[j];
    d.push_back(s / static_cast<double>(e - i));
  }
  if (d.size() < 2) return 0.0;
  d = SmallMovingMedian(d, std::max(1, static_cast<int>(std::lround(0.2 * bfs))) | 1);
  d = SmallMovingMedian(d, std::max(1, static_cast<int>(std::lround(0.6 * bfs))) | 1);
  if (0.7 < 0.45 * bfs) d = ZeroPhaseLowPass(d, 0.7, bfs);
  const auto [mn, mx] = std::minmax_element(d.begin(), d.end());
  return *mx - *mn;
}

struct StuckRuns {
  std::vector<char> stuck;  // per sample: part of a run at the lead's extreme value
  double total_s = 0;
  double level = 0;         // the extreme with the longest stuck time
};

// Runs of at least `min_run` samples at the lead's maximum or minimum.
StuckRuns FindStuckRuns(const std::vector<double>& x, double fs, int min_run) {
  StuckRuns out;
  out.stuck.assign(x.size(), 0);
  if (x.empty()) return out;
  const auto [mn_it, mx_it] = std::minmax_element(x.begin(), x.end());
  const double ext[2] = {*mx_it, *mn_it};
  const double tol = 1e-6;  // mV; values at an ADC rail are identical
  double best = -1;
  for (double level : ext) {
    size_t total = 0;
    size_t i = 0;
    while (i < x.size()) {
      if (std::abs(x[i] - level) > tol) { ++i; continue; }
      size_t j = i;
      while (j < x.size() && std::abs(x[j] - level) <= tol) ++j;
      if (static_cast<int>(j - i) >= min_run) {
        total += j - i;
        for (size_t k = i; k < j; ++k) out.stuck[k] = 1;
      }
      i = j;
    }
    const double t = static_cast<double>(total) / fs;
    if (t > best) { best = t; out.level = level; }
    out.total_s += t;
    if (ext[0] == ext[1]) break;
  }
  return out;
}

std::string Format(const char* fmt, double a, double b = 0) {
  char buf[160];
  std::snprintf(buf, sizeof buf, fmt, a, b);
  return buf;
}

LeadQuality AssessLead(const std::vector<double>& raw, double fs, const std::vector<int64_t>& beats) {
  LeadQuality q;
  const size_t n = raw.size();
  std::vector<double> x(raw);
  for (double& v : x)
    if (!std::isfinite(v)) v = 0;
  if (n < 2 || !(fs > 0) || !std::isfinite(fs)) {
    q.flat = true;
    q.usable = false;
    q.problem = "too short to assess";
    return q;
  }
  // Flat: robust range (0.5th..99.5th percentile) and SD.
  const double lo = Quantile(x, 0.005), hi = Quantile(x, 0.995);
  double mean = 0;
  for (double v : x) mean += v;
  mean /= static_cast<double>(n);
  double var = 0;
  for (double v : x) var += (v - mean) * (v - mean);
  const double sd = std::sqrt(var / static_cast<double>(n));
  if (hi - lo < kFlatRangeMv || sd < kFlatSdMv) {
    q.flat = true;
    q.usable = false;
    q.noise_mv = 0;
    q.baseline_wander_mv = 0;
    const auto [mn, mx] = std::minmax_element(x.begin(), x.end());
    q.problem = Format("flat line (peak-to-peak %.3f mV, SD %.4f mV)", *mx - *mn, sd);
    return q;
  }
  // Saturation.
  const int min_run = std::max(3, Samples(kSaturationRunS, fs));
  const StuckRuns stuck = FindStuckRuns(x, fs, min_run);
  const double record_s = static_cast<double>(n) / fs;
  q.saturated = stuck.total_s >= std::max(kSaturationMinS, kSaturationMinFraction * record_s);
  // High-frequency residual outside the QRS windows.
  const double fc = std::min(kNoiseCutoffHz, 0.4 * fs);
  const std::vector<double> lp = ZeroPhaseLowPass(x, fc, fs);
  std::vector<char> in_qrs(n, 0);
  const int half_qrs = std::max(1, Samples(kQrsHalfWindowS, fs));
  for (int64_t b : beats) {
    if (b < 0 || b >= static_cast<int64_t>(n)) continue;
    const size_t a = static_cast<size_t>(std::max<int64_t>(0, b - half_qrs));
    const size_t e = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(n) - 1, b + half_qrs));
    for (size_t i = a; i <= e; ++i) in_qrs[i] = 1;
  }
  std::vector<double> res2(n);
  for (size_t i = 0; i < n; ++i) {
    const double r = x[i] - lp[i];
    res2[i] = r * r;
  }
  // Per-beat noise and saturation.
  const int pre = Samples(kBeatPreS, fs), post = Samples(kBeatPostS, fs);
  std::vector<double> beat_rms(beats.size(), kNotMeasured);
  std::vector<char> beat_stuck(beats.size(), 0);
  std::vector<double> finite;
  auto window = [&](int64_t b, size_t* a, size_t* e) {
    *a = static_cast<size_t>(std::max<int64_t>(0, b - pre));
    *e = static_cast<size_t>(std::min<int64_t>(static_cast<int64_t>(n) - 1, b + post));
  };
  for (size_t k = 0; k < beats.size(); ++k) {
    const int64_t b = beats[k];
    if (b < 0 || b >= static_cast<int64_t>(n)) continue;
    size_t a, e;
    window(b, &a, &e);
    double s = 0;
    size_t c = 0;
    for (size_t i = a; i <= e; ++i) {
      if (stuck.stuck[i]) beat_stuck[k] = 1;
      if (!in_qrs[i]) { s += res2[i]; ++c; }
    }
    if (c > 0) {
      beat_rms[k] = std::sqrt(s / static_cast<double>(c));
      finite.push_back(beat_rms[k]);
    }
  }
  const double typical = finite.empty() ? kNotMeasured : Quantile(finite, 0.5);
  std::vector<char> skip(n, 0);  // samples of excluded beats: not in the lead's noise
  for (size_t k = 0; k < beats.size(); ++k) {
    const bool noisy = std::isfinite(beat_rms[k]) && std::isfinite(typical) &&
                       beat_rms[k] > kBeatNoiseRatio * typical && beat_rms[k] > kBeatNoiseFloorMv;
    if (!beat_stuck[k] && !noisy) continue;
    q.excluded_beats.push_back(beats[k]);
    size_t a, e;
    window(beats[k], &a, &e);
    for (size_t i = a; i <= e; ++i) skip[i] = 1;
  }
  // The lead's noise: outside QRS windows, stuck runs and excluded beats (all
  // samples outside QRS when that leaves nothing, then all samples).
  double s2 = 0;
  size_t cnt = 0;
  for (int pass = 0; pass < 3 && cnt == 0; ++pass) {
    s2 = 0;
    for (size_t i = 0; i < n; ++i) {
      const bool out = pass == 2 || (!in_qrs[i] && (pass == 1 || (!stuck.stuck[i] && !skip[i])));
      if (out) { s2 += res2[i]; ++cnt; }
    }
  }
  q.noise_mv = std::sqrt(s2 / static_cast<double>(cnt));
  q.baseline_wander_mv = BaselineWanderPp(x, fs);
  // Verdict.
  if (q.saturated) {
    q.usable = false;
    q.problem = Format("saturated: %.2f s stuck at %+.3f mV", stuck.total_s, stuck.level);
  } else if (q.noise_mv > kNoiseLimitMv) {
    q.usable = false;
    q.problem = Format("noisy: %.3f mV RMS above %.0f Hz", q.noise_mv, fc);
  }
  return q;
}

}  // namespace

std::vector<LeadQuality> AssessSignalQuality(const EcgRecord& record, const std::vector<int64_t>& beats) {
  std::vector<LeadQuality> out;
  out.reserve(record.signal.size());
  for (const std::vector<double>& lead : record.signal) out.push_back(AssessLead(lead, record.fs, beats));
  return out;
}

}  // namespace ecgr1
