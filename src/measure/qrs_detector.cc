// qrs_detector.cc — multi-lead Pan-Tompkins-style QRS detector (see header).
#include "measure/qrs_detector.h"

#include <algorithm>
#include <cmath>
#include <deque>

#include "base/error.h"
#include "measure/signal_math.h"

namespace ecgr1 {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr double kMinRrS = 0.25;  // closer beats are one QRS and its noise or T wave (a rate of 240/min)

// One second-order section, direct form: y = b0 x + b1 x1 + b2 x2 - a1 y1 - a2 y2.
struct Biquad {
  double b0 = 1, b1 = 0, b2 = 0, a1 = 0, a2 = 0;
};

// 2nd-order Butterworth low/high-pass at fc for rate fs (bilinear transform
// with frequency pre-warping; Q = 1/sqrt(2)).
Biquad Butterworth2(double fc, double fs, bool highpass) {
  const double k = std::tan(kPi * fc / fs);
  const double q = 1.0 / std::sqrt(2.0);
  const double norm = 1.0 / (1.0 + k / q + k * k);
  Biquad s;
  if (highpass) {
    s.b0 = norm;
    s.b1 = -2.0 * norm;
    s.b2 = norm;
  } else {
    s.b0 = k * k * norm;
    s.b1 = 2.0 * s.b0;
    s.b2 = s.b0;
  }
  s.a1 = 2.0 * (k * k - 1.0) * norm;
  s.a2 = (1.0 - k / q + k * k) * norm;
  return s;
}

void RunBiquad(const Biquad& s, std::vector<double>& x) {
  // Start in the steady state for the first value (no step transient).
  const double x0 = x.empty() ? 0.0 : x[0];
  const double dc = (s.b0 + s.b1 + s.b2) / (1.0 + s.a1 + s.a2);
  double x1 = x0, x2 = x0, y1 = dc * x0, y2 = dc * x0;
  for (double& v : x) {
    const double y = s.b0 * v + s.b1 * x1 + s.b2 * x2 - s.a1 * y1 - s.a2 * y2;
    x2 = x1;
    x1 = v;
    y2 = y1;
    y1 = y;
    v = y;
  }
}

// Zero-phase band-pass [lo, hi] Hz (hi skipped when too close to Nyquist):
// odd reflection of `pad` samples at both ends, forward and backward passes.
std::vector<double> ZeroPhaseBandpass(const std::vector<double>& in, double fs, double lo, double hi) {
  const size_t n = in.size();
  const size_t pad = std::min(n > 0 ? n - 1 : 0, static_cast<size_t>(std::lround(fs)));
  std::vector<double> x(n + 2 * pad);
  for (size_t i = 0; i < pad; ++i) x[i] = 2.0 * in[0] - in[pad - i];
  for (size_t i = 0; i < n; ++i) x[pad + i] = in[i];
  for (size_t i = 0; i < pad; ++i) x[pad + n + i] = 2.0 * in[n - 1] - in[n - 2 - i];
  std::vector<Biquad> sections;
  sections.push_back(Butterworth2(lo, fs, true));
  if (hi < 0.45 * fs) sections.push_back(Butterworth2(hi, fs, false));
  for (int pass = 0; pass < 2; ++pass) {
    for (const Biquad& s : sections) RunBiquad(s, x);
    std::reverse(x.begin(), x.end());
  }
  return std::vector<double>(x.begin() + static_cast<std::ptrdiff_t>(pad),
                             x.begin() + static_cast<std::ptrdiff_t>(pad + n));
}

// Median of the maxima of `e` over consecutive windows of `w` samples.
double MedianWindowMax(const std::vector<double>& e, size_t w) {
  std::vector<double> maxima;
  for (size_t start = 0; start < e.size(); start += w) {
    const size_t end = std::min(e.size(), start + w);
    if (end - start < w / 2 && !maxima.empty()) break;  // a short tail window
    maxima.push_back(*std::max_element(e.begin() + static_cast<std::ptrdiff_t>(start),
                                       e.begin() + static_cast<std::ptrdiff_t>(end)));
  }
  if (maxima.empty()) return 0.0;
  std::nth_element(maxima.begin(), maxima.begin() + static_cast<std::ptrdiff_t>(maxima.size() / 2), maxima.end());
  return maxima[maxima.size() / 2];
}

struct Candidate {
  int64_t t;     // sample of the integrated-energy peak
  double amp;    // integrated energy there
  double slope;  // peak slope energy within +-75 ms
};

}  // namespace

std::vector<int64_t> DetectQrs(const std::vector<std::vector<double>>& signal, double fs, QrsDetectorInfo* info) {
  if (!std::isfinite(fs) || fs < 50.0)
    Fail(ExitCode::kBadInput, "QRS detection needs a sampling rate of at least 50 Hz, got %g", fs);
  QrsDetectorInfo local;
  QrsDetectorInfo& inf = info ? *info : local;
  inf = QrsDetectorInfo{};
  if (signal.empty()) return {};
  const size_t n = signal[0].size();
  for (const auto& lead : signal)
    if (lead.size() != n)
      Fail(ExitCode::kBadInput, "QRS detection: leads of unequal length (%zu and %zu)", n, lead.size());
  if (static_cast<double>(n) < 0.5 * fs) return {};
  auto secs = [fs](double s) { return static_cast<int64_t>(std::lround(s * fs)); };

  // 1-2. Per-lead slope energy, normalised, averaged over the good leads.
  std::vector<double> energy(n, 0.0);
  std::vector<std::vector<double>> lead_energy;  // normalised, per used lead
  const size_t win2s = static_cast<size_t>(std::max<int64_t>(1, secs(2.0)));
  for (size_t l = 0; l < signal.size(); ++l) {
    std::vector<double> x(signal[l]);
    for (double& v : x)
      if (!std::isfinite(v)) v = 0.0;
    std::vector<double> bp = ZeroPhaseBandpass(x, fs, 5.0, 15.0);
    std::vector<double> e(n, 0.0);
    for (size_t i = 1; i + 1 < n; ++i) {
      const double d = (bp[i + 1] - bp[i - 1]) * 0.5 * fs;  // mV/s
      e[i] = d * d;
    }
    const double scale = MedianWindowMax(e, win2s);
    // A lead whose typical QRS slope is below 0.5 mV/s carries no ECG (flat,
    // disconnected or digital noise only).
    if (!(scale > 0.25) || !std::isfinite(scale)) continue;
    for (double& v : e) v = std::min(v / scale, 10.0);  // one artefact cannot own the scale
    lead_energy.push_back(std::move(e));
    inf.leads_used.push_back(static_cast<int>(l));
  }
  if (lead_energy.empty()) return {};
  // Each lead votes by how clean it is: its weight is the inverse of its
  // noise floor (the median normalised energy: between the QRS complexes), so
  // a lead with muscle noise near the size of its QRS cannot place beats
  // between the QRS complexes of a clean lead.
  std::vector<double> weight(lead_energy.size());
  for (size_t l = 0; l < lead_energy.size(); ++l) weight[l] = 1.0 / std::max(Median(lead_energy[l]), 1e-9);
  // No lead outweighs twice the median lead (a nearly dead lead with a few
  // spikes has almost no noise floor, and no QRS either).
  const double cap = 2.0 * Median(weight);
  for (double& w : weight) w = std::min(w, cap);
  const double wmax = *std::max_element(weight.begin(), weight.end());
  double wsum = 0;
  for (double& w : weight) wsum += (w /= wmax);
  for (size_t l = 0; l < lead_energy.size(); ++l)
    for (size_t i = 0; i < n; ++i) energy[i] += weight[l] / wsum * lead_energy[l][i];

  // Centred moving-window integration over 150 ms (edges: mean of what exists).
  const int64_t half = std::max<int64_t>(1, secs(0.075));
  std::vector<double> prefix(n + 1, 0.0);
  for (size_t i = 0; i < n; ++i) prefix[i + 1] = prefix[i] + energy[i];
  std::vector<double> mwi(n);
  for (int64_t i = 0; i < static_cast<int64_t>(n); ++i) {
    const int64_t a = std::max<int64_t>(0, i - half), b = std::min<int64_t>(static_cast<int64_t>(n), i + half + 1);
    mwi[static_cast<size_t>(i)] =
        (prefix[static_cast<size_t>(b)] - prefix[static_cast<size_t>(a)]) / static_cast<double>(b - a);
  }

  // 3. Candidates: local maxima, then non-maximum suppression over the refractory period.
  const int64_t refractory = secs(0.2);
  std::vector<size_t> peaks;
  for (size_t i = 1; i + 1 < n; ++i)
    if (mwi[i] > 0 && mwi[i] >= mwi[i - 1] && mwi[i] > mwi[i + 1]) peaks.push_back(i);
  std::vector<size_t> order(peaks.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return mwi[peaks[a]] > mwi[peaks[b]]; });
  std::vector<int64_t> kept;
  {
    std::vector<int64_t> accepted_sorted;  // kept sorted for neighbour checks
    for (size_t k : order) {
      const int64_t t = static_cast<int64_t>(peaks[k]);
      auto it = std::lower_bound(accepted_sorted.begin(), accepted_sorted.end(), t);
      bool near = false;
      if (it != accepted_sorted.end() && *it - t < refractory) near = true;
      if (it != accepted_sorted.begin() && t - *(it - 1) < refractory) near = true;
      if (!near) accepted_sorted.insert(it, t);
    }
    kept = std::move(accepted_sorted);
  }
  const int64_t slope_half = std::max<int64_t>(1, secs(0.075));
  std::vector<Candidate> cands;
  cands.reserve(kept.size());
  for (int64_t t : kept) {
    const int64_t a = std::max<int64_t>(0, t - slope_half),
                  b = std::min<int64_t>(static_cast<int64_t>(n) - 1, t + slope_half);
    double s = 0;
    for (int64_t i = a; i <= b; ++i) s = std::max(s, energy[static_cast<size_t>(i)]);
    cands.push_back({t, mwi[static_cast<size_t>(t)], s});
  }
  if (cands.empty()) return {};

  // Learning: signal level from the typical 2 s maximum of the first 10 s,
  // noise level from half the mean.
  const size_t learn = std::min(n, static_cast<size_t>(secs(10.0)));
  std::vector<double> head(mwi.begin(), mwi.begin() + static_cast<std::ptrdiff_t>(learn));
  double spk = MedianWindowMax(head, win2s);
  double npk = 0.0;
  for (double v : head) npk += v;
  npk = 0.5 * npk / static_cast<double>(learn);
  if (npk > 0.5 * spk) npk = 0.5 * spk;

  std::deque<int64_t> rrs;
  double rr_avg = fs;  // 1 s until beats are seen
  std::vector<int64_t> beat_t;
  std::vector<double> beat_slope;
  auto threshold = [&]() { return npk + 0.25 * (spk - npk); };
  auto add_beat = [&](const Candidate& c) {
    if (!beat_t.empty()) {
      rrs.push_back(c.t - beat_t.back());
      if (rrs.size() > 8) rrs.pop_front();
      double sum = 0;
      for (int64_t r : rrs) sum += static_cast<double>(r);
      rr_avg = sum / static_cast<double>(rrs.size());
    }
    beat_t.push_back(c.t);
    beat_slope.push_back(c.slope);
  };
  const int64_t twave_span = secs(0.36);
  auto is_twave = [&](const Candidate& c) {
    return !beat_t.empty() && c.t - beat_t.back() < twave_span && c.slope < 0.25 * beat_slope.back();
  };
  // The smallest slope energy of the last 8 beats (the normal beats of a
  // record dense with large ectopic ones).
  auto small_slope = [&]() {
    const size_t m = std::min<size_t>(8, beat_slope.size());
    return *std::min_element(beat_slope.end() - static_cast<std::ptrdiff_t>(m), beat_slope.end());
  };
  // Search-back over candidates (last beat, limit): the largest one above
  // half the threshold that is neither a T wave nor too flat; returns its
  // index or -1.
  auto search_back = [&](size_t from_idx, size_t to_idx, int64_t limit) -> long {
    long best = -1;
    const double t2 = 0.5 * threshold();
    const double min_slope = beat_slope.empty() ? 0.0 : 0.5 * small_slope();
    for (size_t j = from_idx; j < to_idx; ++j) {
      const Candidate& c = cands[j];
      if (!beat_t.empty() && c.t - beat_t.back() < refractory) continue;
      if (limit - c.t < refractory) continue;
      if (c.amp <= t2 || c.slope < min_slope || is_twave(c)) continue;
      if (best < 0 || c.amp > cands[static_cast<size_t>(best)].amp) best = static_cast<long>(j);
    }
    return best;
  };

  // One pass of the decision rules over candidates [0, cand_end). A learning
  // pass over the first 10 s settles the signal/noise levels and the mean RR;
  // the real pass then starts again from the beginning with them, so the first
  // beats are judged with levels as good as the later ones.
  auto run_pass = [&](size_t cand_end, bool final_pass) {
    beat_t.clear();
    beat_slope.clear();
    size_t last_idx = 0;  // candidates before this index are decided
    for (size_t k = 0; k < cand_end; ++k) {
      const Candidate& c = cands[k];
      // Search-back while the gap since the last beat is too long.
      while (!beat_t.empty() && static_cast<double>(c.t - beat_t.back()) > 1.66 * rr_avg) {
        const long j = search_back(last_idx, k, c.t);
        if (j < 0) break;
        const Candidate& s = cands[static_cast<size_t>(j)];
        spk = 0.25 * s.amp + 0.75 * spk;
        add_beat(s);
        inf.searchback_beats += final_pass;
        last_idx = static_cast<size_t>(j) + 1;
      }
      if (c.amp > threshold()) {
        if (is_twave(c)) {
          inf.twave_rejections += final_pass;
          npk = 0.125 * c.amp + 0.875 * npk;
        } else {
          spk = 0.125 * c.amp + 0.875 * spk;
          add_beat(c);
          last_idx = k + 1;
        }
      } else {
        npk = 0.125 * c.amp + 0.875 * npk;
      }
    }
    if (!final_pass) return;
    // Search-back at the end of the record.
    const int64_t end_t = static_cast<int64_t>(n) + refractory;
    while (!beat_t.empty() && static_cast<double>(end_t - beat_t.back()) > 1.66 * rr_avg) {
      const long j = search_back(last_idx, cands.size(), end_t);
      if (j < 0) break;
      add_beat(cands[static_cast<size_t>(j)]);
      ++inf.searchback_beats;
      last_idx = static_cast<size_t>(j) + 1;
    }
  };
  size_t learn_end = 0;
  while (learn_end < cands.size() && cands[learn_end].t < static_cast<int64_t>(learn)) ++learn_end;
  run_pass(learn_end, false);
  run_pass(cands.size(), true);
  std::sort(beat_t.begin(), beat_t.end());

  // 4. R-peak localisation on the 0.5-40 Hz signal of the lead with the most
  // QRS energy at that beat.
  std::vector<std::vector<double>> wide;
  for (int l : inf.leads_used) {
    std::vector<double> x(signal[static_cast<size_t>(l)]);
    for (double& v : x)
      if (!std::isfinite(v)) v = 0.0;
    wide.push_back(ZeroPhaseBandpass(x, fs, 0.5, 40.0));
  }
  const int64_t loc_half = std::max<int64_t>(1, secs(0.1));
  const int64_t min_rr = secs(kMinRrS);
  std::vector<int64_t> out;
  std::vector<double> out_amp;
  for (int64_t t : beat_t) {
    const int64_t a = std::max<int64_t>(0, t - loc_half),
                  b = std::min<int64_t>(static_cast<int64_t>(n) - 1, t + loc_half);
    size_t best_lead = 0;
    double best_e = -1;
    for (size_t l = 0; l < lead_energy.size(); ++l) {
      double s = 0;
      for (int64_t i = a; i <= b; ++i) s += lead_energy[l][static_cast<size_t>(i)];
      if (s > best_e) {
        best_e = s;
        best_lead = l;
      }
    }
    const std::vector<double>& w = wide[best_lead];
    int64_t best_i = t;
    double best_v = -1;
    for (int64_t i = a; i <= b; ++i) {
      const double v = std::fabs(w[static_cast<size_t>(i)]);
      if (v > best_v) {
        best_v = v;
        best_i = i;
      }
    }
    // Two beats cannot share one R peak, and beats closer than kMinRrS (a
    // rate of 240/min) are one QRS and its noise or T wave: keep the one with
    // the larger integrated energy.
    const double strength = mwi[static_cast<size_t>(t)];
    if (!out.empty() && best_i - out.back() < std::max(refractory, min_rr)) {
      if (strength > out_amp.back()) {
        out.back() = best_i;
        out_amp.back() = strength;
      }
      continue;
    }
    out.push_back(best_i);
    out_amp.push_back(strength);
  }
  return out;
}

std::vector<int64_t> DetectQrs(const EcgRecord& record, QrsDetectorInfo* info) {
  std::vector<size_t> volt;
  for (size_t l = 0; l < record.signal.size(); ++l)
    if (IsVoltageLead(record, l)) volt.push_back(l);
  if (volt.empty() || volt.size() == record.signal.size()) return DetectQrs(record.signal, record.fs, info);
  std::vector<std::vector<double>> ecg;
  for (size_t l : volt) ecg.push_back(record.signal[l]);
  std::vector<int64_t> beats = DetectQrs(ecg, record.fs, info);
  if (info)
    for (int& i : info->leads_used) i = static_cast<int>(volt[static_cast<size_t>(i)]);
  return beats;
}

}  // namespace ecgr1
