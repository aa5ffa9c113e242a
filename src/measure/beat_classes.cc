// beat_classes.cc — see beat_classes.h for the method, thresholds and limits.
#include "measure/beat_classes.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <limits>
#include <string>
#include <vector>

#include "base/error.h"

#include "measure/signal_math.h"

namespace ecgr1 {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPi = 3.14159265358979323846;

// Thresholds (see beat_classes.h).
constexpr double kPreS = 0.100, kPostS = 0.120;  // QRS window around R, s
constexpr double kLagS = 0.050;                  // alignment search, s
constexpr double kTemplateCorr = 0.90;           // beats that refine the template
constexpr double kLikeCorr = 0.80;               // below: unlike the dominant QRS
constexpr double kAmpCorr = 0.92;                // amplitude test applies below this correlation
constexpr double kAmpLow = 0.5, kAmpHigh = 2.2;  // amplitude ratio of a dominant-like QRS
constexpr double kArtefactLow = 0.2, kArtefactHigh = 6.0;
constexpr double kWideMs = 120, kWideExtraMs = 30, kWideFactor = 1.5;
constexpr double kNoiseRatio = 4.0, kNoiseOfQrs = 0.12;
constexpr int kLocalHalf = 8;                     // +- intervals for the local reference
constexpr double kPremature = 0.88, kVeryPremature = 0.75, kPause = 1.10;
constexpr double kBaseIrregular = 0.10;           // local irregularity above which prematurity is not judged
constexpr double kRegular = 0.08, kRegularRmssd = 0.15, kSinusIrregular = 0.15;
constexpr double kPrMin = 60, kPrMax = 400;         // plausible PR, ms
constexpr double kSteadyP = 0.60;                 // median P-window correlation of a steady atrial rhythm
constexpr double kPatternSpread = 0.06, kPatternRatio = 1.25;
constexpr double kBradyBpm = 60, kTachyBpm = 100;
constexpr size_t kMinBeats = 4, kMinAfDiffs = 5;
constexpr size_t kMaxTemplateBeats = 600;
constexpr size_t kSeedBeats = 30;
constexpr double kSeedNarrowerMs = 20;

// x minus its zero-phase one-pole low-pass at fc (non-finite samples read as 0).
std::vector<double> HighPass(const std::vector<double>& x, size_t n, double fs, double fc) {
  std::vector<double> y(n), lp(n);
  if (n == 0) return y;
  const double a = 1.0 - std::exp(-2.0 * kPi * fc / fs);
  auto at = [&](size_t i) { return std::isfinite(x[i]) ? x[i] : 0.0; };
  double s = at(0);
  for (size_t i = 0; i < n; ++i) {
    s += a * (at(i) - s);
    lp[i] = s;
  }
  s = lp[n - 1];
  for (size_t i = n; i-- > 0;) {
    s += a * (lp[i] - s);
    lp[i] = s;
  }
  for (size_t i = 0; i < n; ++i) y[i] = at(i) - lp[i];
  return y;
}

struct Matcher {
  const std::vector<std::vector<double>>* sig = nullptr;  // high-passed usable leads
  int pre = 0, post = 0, lag = 0, len = 0;
  int64_t n = 0;  // record length
  int stride = 1;  // coarse lag/sample step
  std::vector<std::vector<double>> tc;  // centred template per lead
  double tnorm = 0;

  // Median template over `idx` beats (R + shift), centred per lead.
  void Build(const std::vector<int64_t>& r, const std::vector<size_t>& idx, const std::vector<int>& shift) {
    const size_t leads = sig->size();
    tc.assign(leads, std::vector<double>(static_cast<size_t>(len), 0.0));
    std::vector<double> col(idx.size());
    tnorm = 0;
    for (size_t l = 0; l < leads; ++l) {
      const std::vector<double>& y = (*sig)[l];
      for (int t = 0; t < len; ++t) {
        for (size_t k = 0; k < idx.size(); ++k)
          col[k] = y[static_cast<size_t>(r[idx[k]] + shift[k] - pre + t)];
        tc[l][static_cast<size_t>(t)] = Median(col);
      }
      double m = 0;
      for (double v : tc[l]) m += v;
      m /= len;
      for (double& v : tc[l]) {
        v -= m;
        tnorm += v * v;
      }
    }
    tnorm = std::sqrt(tnorm);
  }

  // The template is one beat's window (R + shift), centred per lead.
  void SetFrom(int64_t r) {
    const size_t leads = sig->size();
    tc.assign(leads, std::vector<double>(static_cast<size_t>(len), 0.0));
    tnorm = 0;
    for (size_t l = 0; l < leads; ++l) {
      const double* y = (*sig)[l].data() + (r - pre);
      double m = 0;
      for (int t = 0; t < len; ++t) m += y[t];
      m /= len;
      for (int t = 0; t < len; ++t) {
        tc[l][static_cast<size_t>(t)] = y[t] - m;
        tnorm += (y[t] - m) * (y[t] - m);
      }
    }
    tnorm = std::sqrt(tnorm);
  }

  // Best correlation over lags; *best_lag and *ratio (window norm / template norm).
  // Correlation at lag d using every `s`-th sample; *norm: the window's centred norm.
  double Score(int64_t r, int d, int s, double* norm) const {
    double num = 0, ss = 0, tt = 0;
    for (size_t l = 0; l < sig->size(); ++l) {
      const double* y = (*sig)[l].data() + (r + d - pre);
      const double* t = tc[l].data();
      double sy = 0, syy = 0, st = 0, stt = 0, syt = 0, m = 0;
      for (int k = 0; k < len; k += s) {
        sy += y[k];
        syy += y[k] * y[k];
        st += t[k];
        stt += t[k] * t[k];
        syt += y[k] * t[k];
        m += 1;
      }
      num += syt - sy * st / m;
      ss += std::max(0.0, syy - sy * sy / m);
      tt += std::max(0.0, stt - st * st / m);
    }
    *norm = std::sqrt(ss);
    return *norm > 0 && tt > 0 ? num / (*norm * std::sqrt(tt)) : 0.0;
  }

  // Best correlation over lags (coarse-to-fine from 500 Hz: every
  // `stride`-th lag and sample first, then every lag around the best);
  // *best_lag and *ratio (window norm / template norm).
  double Correlate(int64_t r, int* best_lag, double* ratio) const {
    // Lags limited to the record (a beat near an edge is compared as far as it fits).
    const int dmin = static_cast<int>(std::max<int64_t>(-lag, pre - r));
    const int dmax = static_cast<int>(std::min<int64_t>(lag, n - 1 - post - r));
    double best = -2, best_norm = 0, norm = 0;
    int bl = 0;
    int lo = dmin, hi = dmax;
    if (stride > 1) {
      int coarse = 0;
      double cbest = -2;
      for (int d = dmin; d <= dmax; d += stride) {
        const double c = Score(r, d, stride, &norm);
        if (c > cbest) {
          cbest = c;
          coarse = d;
        }
      }
      lo = std::max(dmin, coarse - stride + 1);
      hi = std::min(dmax, coarse + stride - 1);
    }
    // The fine lags read every sample up to 2 kHz, then every (stride/4)-th:
    // above that the cost would grow with fs squared.
    const int fine = std::max(1, stride / 4);
    for (int d = lo; d <= hi; ++d) {
      const double c = Score(r, d, fine, &norm);
      if (c > best) {
        best = c;
        bl = d;
        best_norm = norm;
      }
    }
    *best_lag = bl;
    *ratio = tnorm > 0 ? best_norm / tnorm : kNaN;
    return best;
  }

};

// QRS width (ms) of the beat at r from the summed |slope| of all leads.
double QrsWidthMs(const std::vector<std::vector<double>>& sig, int64_t r, double fs, int64_t n) {
  const int64_t a = std::max<int64_t>(1, r - std::llround(0.16 * fs));
  const int64_t b = std::min<int64_t>(n - 2, r + std::llround(0.22 * fs));
  if (b - a < 4) return kNaN;
  const size_t m = static_cast<size_t>(b - a + 1);
  std::vector<double> e(m, 0.0), s(m, 0.0);
  for (const auto& y : sig)
    for (size_t k = 0; k < m; ++k) {
      const size_t i = static_cast<size_t>(a) + k;
      e[k] += std::fabs(y[i + 1] - y[i - 1]);
    }
  const int h = std::max(0, static_cast<int>(std::lround(0.005 * fs)));
  for (size_t k = 0; k < m; ++k) {
    const size_t lo = k >= static_cast<size_t>(h) ? k - static_cast<size_t>(h) : 0;
    const size_t hi = std::min(m - 1, k + static_cast<size_t>(h));
    double acc = 0;
    for (size_t j = lo; j <= hi; ++j) acc += e[j];
    s[k] = acc / static_cast<double>(hi - lo + 1);
  }
  const double floor = Quantile(s, 0.10);
  const int64_t pa = std::max<int64_t>(a, r - std::llround(0.06 * fs));
  const int64_t pb = std::min<int64_t>(b, r + std::llround(0.06 * fs));
  if (pb < pa) return kNaN;
  size_t p = static_cast<size_t>(pa - a);
  for (int64_t i = pa; i <= pb; ++i)
    if (s[static_cast<size_t>(i - a)] > s[p]) p = static_cast<size_t>(i - a);
  const double span = s[p] - floor;
  if (!(span > 0)) return kNaN;
  const double high = floor + 0.35 * span, low = floor + 0.12 * span;
  const size_t gap = static_cast<size_t>(std::max<int64_t>(1, std::llround(0.04 * fs)));
  const size_t first_lim = static_cast<size_t>(std::max<int64_t>(0, r - std::llround(0.12 * fs) - a));
  const size_t last_lim = static_cast<size_t>(std::min<int64_t>(b - a, r + std::llround(0.16 * fs) - a));
  // Steep points connected by gaps shorter than 40 ms.
  size_t on = p, off = p;
  for (bool moved = true; moved;) {
    moved = false;
    for (size_t k = 1; k <= gap && on >= first_lim + k; ++k)
      if (s[on - k] >= high) {
        on -= k;
        moved = true;
        break;
      }
  }
  for (bool moved = true; moved;) {
    moved = false;
    for (size_t k = 1; k <= gap && off + k <= last_lim; ++k)
      if (s[off + k] >= high) {
        off += k;
        moved = true;
        break;
      }
  }
  while (on > 0 && s[on - 1] > low) --on;
  while (off + 1 < m && s[off + 1] > low) ++off;
  return 1000.0 * static_cast<double>(off - on) / fs;
}

bool Ectopic(char c) { return c != 'N'; }

// A step rather than a QRS: after the window the signal settles at another
// level (>= 70 % of the window's peak-to-peak) and stays flat (SD < 3 % of it)
// — e.g. the jump to a constant at the end of some 10 s records.
bool StepArtefact(const EcgRecord& rec, const std::vector<size_t>& leads, int64_t r, int pre, int post, double fs,
                  int64_t n) {
  const int64_t k = std::max<int64_t>(2, std::llround(0.02 * fs));
  const int64_t b0 = std::max<int64_t>(0, r - pre - k), b1 = r - pre;
  const int64_t a0 = r + post, a1 = std::min<int64_t>(n - 1, r + post + 2 * k);
  if (b1 < b0 || a1 - a0 < 2) return false;
  double step = 0, flat = 0, den = 0;
  for (size_t l : leads) {
    const std::vector<double>& x = rec.signal[l];
    auto at = [&](int64_t i) { return std::isfinite(x[static_cast<size_t>(i)]) ? x[static_cast<size_t>(i)] : 0.0; };
    double lo = at(b1), hi = lo;
    for (int64_t i = b1; i <= a0; ++i) {
      lo = std::min(lo, at(i));
      hi = std::max(hi, at(i));
    }
    double before = 0, after = 0, after2 = 0;
    for (int64_t i = b0; i <= b1; ++i) before += at(i);
    before /= static_cast<double>(b1 - b0 + 1);
    for (int64_t i = a0; i <= a1; ++i) {
      after += at(i);
      after2 += at(i) * at(i);
    }
    const double na = static_cast<double>(a1 - a0 + 1);
    after /= na;
    const double sd = std::sqrt(std::max(0.0, after2 / na - after * after));
    const double pp = hi - lo;
    step += std::fabs(after - before) * pp;
    flat += sd * pp;
    den += pp * pp;
  }
  return den > 0 && step / den >= 0.7 && flat / den < 0.03;
}

}  // namespace

std::vector<BeatInfo> ClassifyBeats(const EcgRecord& record, const std::vector<int64_t>& beats) {
  return ClassifyBeats(record, beats, nullptr);
}

std::vector<BeatInfo> ClassifyBeats(const EcgRecord& record, const std::vector<int64_t>& beats,
                                    BeatClassDetails* details) {
  const size_t nb = beats.size();
  std::vector<BeatInfo> out(nb);
  std::vector<BeatFeatures> feat(nb);
  if (details) *details = BeatClassDetails{};
  const double fs = record.fs;
  const bool fs_ok = std::isfinite(fs) && fs > 0 && fs < 1e6;
  for (size_t i = 0; i < nb; ++i) {
    out[i].sample = beats[i];
    out[i].aligned_sample = beats[i];
    if (fs_ok && i > 0 && beats[i] > beats[i - 1])  // (in double: any int64 input)
      out[i].rr_ms = 1000.0 * (static_cast<double>(beats[i]) - static_cast<double>(beats[i - 1])) / fs;
  }
  for (size_t i = 0; i + 1 < nb; ++i) out[i].rr_next_ms = out[i + 1].rr_ms;
  auto finish = [&]() {
    if (details) details->features = feat;
    return out;
  };
  if (!fs_ok || nb == 0 || record.signal.empty()) {
    for (auto& f : feat) f.edge = true;
    return finish();
  }

  // Usable leads, high-passed.
  size_t n = std::numeric_limits<size_t>::max();
  for (const auto& x : record.signal) n = std::min(n, x.size());
  std::vector<std::vector<double>> sig;
  std::vector<size_t> used_leads;
  // Leads whose unit is not a voltage (PLETH "NU", ABP "mmHg", ...) are left
  // out, unless no lead has a voltage unit.
  auto voltage = [&](size_t l) { return IsVoltageLead(record, l); };
  bool any_voltage = false;
  for (size_t l = 0; l < record.signal.size(); ++l) any_voltage = any_voltage || voltage(l);
  for (const auto& x : record.signal) {
    if (any_voltage && !voltage(static_cast<size_t>(&x - record.signal.data()))) continue;
    double lo = std::numeric_limits<double>::infinity(), hi = -lo;
    for (size_t i = 0; i < n; ++i)
      if (std::isfinite(x[i])) {
        lo = std::min(lo, x[i]);
        hi = std::max(hi, x[i]);
      }
    if (!(hi - lo > 1e-4)) continue;  // flat or empty
    used_leads.push_back(static_cast<size_t>(&x - record.signal.data()));
    sig.push_back(HighPass(x, n, fs, 0.5));
  }
  if (details) details->usable_leads = static_cast<int>(sig.size());
  const int64_t len = static_cast<int64_t>(n);

  Matcher mt;
  mt.sig = &sig;
  mt.pre = std::max(2, static_cast<int>(std::lround(kPreS * fs)));
  mt.post = std::max(2, static_cast<int>(std::lround(kPostS * fs)));
  mt.lag = std::max(1, static_cast<int>(std::lround(kLagS * fs)));
  mt.len = mt.pre + mt.post + 1;
  mt.n = len;
  mt.stride = std::max(1, static_cast<int>(fs / 250.0));

  std::vector<size_t> valid;
  for (size_t i = 0; i < nb; ++i) {
    const int64_t r = beats[i];
    feat[i].edge = sig.empty() || r < mt.pre || r >= len - mt.post;
    if (!feat[i].edge) valid.push_back(i);
  }
  if (valid.empty()) return finish();

  // Seed: among up to kSeedBeats beats (10 blocks of 3 consecutive ones, so
  // bigeminy or trigeminy cannot alias with the sampling), the one most others
  // resemble (correlation >= kTemplateCorr at their best lag; ties: the largest
  // sum of correlations). When a second, different morphology is about as
  // common (>= 60 %), the narrower one (by >= 20 ms) is taken as dominant:
  // in ventricular bigeminy the conducted beats are the dominant ones. The
  // detector may put R on different waves of the same QRS, so every
  // comparison searches +-kLagS.
  std::vector<size_t> seeds;
  if (valid.size() <= kSeedBeats) {
    seeds = valid;
  } else {
    const size_t blocks = kSeedBeats / 3;
    for (size_t k = 0; k < blocks; ++k) {
      const size_t start = k * (valid.size() - 3) / (blocks - 1);
      for (size_t j = 0; j < 3; ++j) seeds.push_back(valid[start + j]);
    }
  }
  size_t seed = seeds[0];
  {
    const size_t ns = seeds.size();
    std::vector<double> cm(ns * ns, 1.0), sum(ns, 0.0);
    std::vector<int> count(ns, 0);
    for (size_t x = 0; x < ns; ++x) {
      mt.SetFrom(beats[seeds[x]]);
      for (size_t y = 0; y < ns; ++y) {
        if (y == x) continue;
        int l = 0;
        double ar = 0;
        const double c = mt.Correlate(beats[seeds[y]], &l, &ar);
        cm[x * ns + y] = c;
        sum[x] += c;
        if (c >= kTemplateCorr) ++count[x];
      }
    }
    auto better = [&](size_t x, size_t y) { return count[x] > count[y] || (count[x] == count[y] && sum[x] > sum[y]); };
    size_t best = 0;
    for (size_t x = 1; x < ns; ++x)
      if (better(x, best)) best = x;
    size_t alt = ns;
    for (size_t x = 0; x < ns; ++x)
      if (cm[best * ns + x] < kLikeCorr && (alt == ns || better(x, alt))) alt = x;
    seed = seeds[best];
    if (alt < ns && count[alt] + 1 >= 0.6 * (count[best] + 1)) {
      const double wb = QrsWidthMs(sig, beats[seeds[best]], fs, len);
      const double wa = QrsWidthMs(sig, beats[seeds[alt]], fs, len);
      if (wa + kSeedNarrowerMs < wb) seed = seeds[alt];
    }
  }
  mt.SetFrom(beats[seed]);
  if (details) details->template_beats = 1;
  std::vector<double> corr(nb, kNaN);
  std::vector<int> lag(nb, 0);
  for (size_t i : valid) corr[i] = mt.Correlate(beats[i], &lag[i], &feat[i].amplitude_ratio);
  // Template: median of the aligned beats that resemble the seed, refined once.
  for (int round = 0; round < 2; ++round) {
    std::vector<size_t> idx2;
    std::vector<int> shift2;
    for (size_t k = 0; k < valid.size(); ++k) {
      const size_t i = valid[k];
      if (corr[i] >= kTemplateCorr) {
        idx2.push_back(i);
        shift2.push_back(lag[i]);
      }
    }
    if (idx2.size() > kMaxTemplateBeats) {
      std::vector<size_t> a;
      std::vector<int> b;
      const size_t st = (idx2.size() + kMaxTemplateBeats - 1) / kMaxTemplateBeats;
      for (size_t k = 0; k < idx2.size(); k += st) {
        a.push_back(idx2[k]);
        b.push_back(shift2[k]);
      }
      idx2.swap(a);
      shift2.swap(b);
    }
    if (idx2.size() >= 3) {
      mt.Build(beats, idx2, shift2);
      for (size_t i : valid) corr[i] = mt.Correlate(beats[i], &lag[i], &feat[i].amplitude_ratio);
    }
    if (details && idx2.size() >= 3) details->template_beats = static_cast<int>(idx2.size());
  }

  // Widths, template width, noise.
  std::vector<double> member_w;
  for (size_t i : valid) {
    out[i].correlation = corr[i];
    out[i].aligned_sample = beats[i] + lag[i];
    out[i].qrs_ms = QrsWidthMs(sig, beats[i] + lag[i], fs, len);
    if (corr[i] >= kTemplateCorr) member_w.push_back(out[i].qrs_ms);
  }
  const double tmpl_w = Median(member_w);
  if (details) details->template_qrs_ms = tmpl_w;

  const int64_t h = std::max<int64_t>(1, std::llround(0.010 * fs));
  std::vector<double> noise(nb, kNaN), local;
  for (size_t i : valid) {
    const int64_t r = beats[i];
    int64_t a = std::max<int64_t>(h, r - std::llround(0.3 * fs));
    int64_t b = std::min<int64_t>(len - 1 - h, r + std::llround(0.4 * fs));
    if (i > 0 && beats[i - 1] < r) a = std::max<int64_t>(a, beats[i - 1] + mt.post);
    if (i + 1 < nb && beats[i + 1] > r) b = std::min<int64_t>(b, beats[i + 1] - mt.pre);
    if (b < a) continue;
    double ss = 0;
    int64_t cnt = 0;
    for (size_t l = 0; l < sig.size(); ++l) {
      // Local prefix sums over [a - h, b + h].
      const int64_t a0 = a - h, b0 = b + h;
      local.assign(static_cast<size_t>(b0 - a0 + 2), 0.0);
      for (int64_t t = a0; t <= b0; ++t)
        local[static_cast<size_t>(t - a0 + 1)] = local[static_cast<size_t>(t - a0)] + sig[l][static_cast<size_t>(t)];
      for (int64_t t = a; t <= b; ++t) {
        if (t >= r - mt.pre && t <= r + mt.post) continue;
        const double ma = (local[static_cast<size_t>(t + h - a0 + 1)] - local[static_cast<size_t>(t - h - a0)]) /
                          static_cast<double>(2 * h + 1);
        const double d = sig[l][static_cast<size_t>(t)] - ma;
        ss += d * d;
        ++cnt;
      }
    }
    if (cnt > 0) noise[i] = std::sqrt(ss / static_cast<double>(cnt));
  }
  const double noise_med = Median(noise);
  const double tmpl_rms = mt.tnorm / std::sqrt(static_cast<double>(mt.len) * static_cast<double>(sig.size()));
  for (size_t i : valid) {
    feat[i].noise_ratio = noise_med > 0 ? noise[i] / noise_med : kNaN;
    feat[i].noisy = std::isfinite(noise[i]) && noise_med > 0 && noise[i] > kNoiseRatio * noise_med &&
                    noise[i] > kNoiseOfQrs * tmpl_rms;
  }

  // Morphology.
  std::vector<char> unlike(nb, 0), artefact(nb, 0);
  for (size_t i : valid) {
    const double c = corr[i], ar = feat[i].amplitude_ratio, w = out[i].qrs_ms;
    const bool wide = std::isfinite(w) && std::isfinite(tmpl_w) && w >= kWideMs &&
                      (w >= tmpl_w + kWideExtraMs || w >= kWideFactor * tmpl_w);
    const bool amp_off = !(ar >= kAmpLow && ar <= kAmpHigh) && c < kAmpCorr;
    unlike[i] = c < kLikeCorr || wide || amp_off;
    artefact[i] = !(ar >= kArtefactLow && ar <= kArtefactHigh) ||
                  (unlike[i] && StepArtefact(record, used_leads, beats[i] + lag[i], mt.pre, mt.post, fs, len));
  }

  // Labels: two passes of prematurity against the local reference RR.
  std::vector<char> lab(nb, 'Q');
  for (size_t i : valid) lab[i] = unlike[i] ? ((feat[i].noisy || artefact[i]) ? 'Q' : 'V') : 'N';
  std::vector<double> rr(nb, kNaN);
  for (size_t i = 0; i < nb; ++i) rr[i] = out[i].rr_ms;
  const std::vector<char> morph = lab;
  for (int pass = 0; pass < 2; ++pass) {
    const std::vector<char> prev = lab;
    std::vector<double> ref_v, dif_v;
    for (size_t i : valid) {
      if (morph[i] != 'N') continue;
      lab[i] = 'N';
      // Intervals j (beat j-1 -> j) around i, not i's own two, not touching ectopic beats.
      const int64_t ii = static_cast<int64_t>(i);
      const int64_t j0 = std::max<int64_t>(1, ii - kLocalHalf);
      const int64_t j1 = std::min<int64_t>(static_cast<int64_t>(nb) - 1, ii + kLocalHalf + 1);
      ref_v.clear();
      auto ok = [&](int64_t j) {
        if (j < 1 || j >= static_cast<int64_t>(nb) || j == ii || j == ii + 1) return false;
        const size_t u = static_cast<size_t>(j);
        return std::isfinite(rr[u]) && !Ectopic(prev[u]) && !Ectopic(prev[u - 1]);
      };
      for (int64_t j = j0; j <= j1; ++j)
        if (ok(j)) ref_v.push_back(rr[static_cast<size_t>(j)]);
      const double ref = Median(ref_v);
      dif_v.clear();
      for (int64_t j = j0 + 1; j <= j1; ++j)
        if (ok(j) && ok(j - 1)) dif_v.push_back(std::fabs(rr[static_cast<size_t>(j)] - rr[static_cast<size_t>(j - 1)]));
      const double irr = ref > 0 && !dif_v.empty() ? Median(dif_v) / ref : kNaN;
      feat[i].ref_rr_ms = ref;
      feat[i].local_irregularity = irr;
      if (!(ref > 0) || !std::isfinite(rr[i])) continue;
      if (!(irr < kBaseIrregular)) continue;  // no regular base (or unknown): not judged
      const double p = rr[i] / ref;
      const bool pause = !std::isfinite(out[i].rr_next_ms) || out[i].rr_next_ms >= kPause * rr[i];
      if ((p < kPremature && pause) || p < kVeryPremature) lab[i] = 'S';
    }
  }
  for (size_t i = 0; i < nb; ++i) out[i].label = lab[i];

  // in_median.
  std::vector<double> all_rr;
  for (size_t i = 1; i < nb; ++i) all_rr.push_back(rr[i]);
  double rr_med_s = Median(all_rr) / 1000.0;
  if (!(rr_med_s > 0)) rr_med_s = 1.0;
  const int64_t dpre = std::llround(std::min(0.4, 0.45 * rr_med_s) * fs);
  const int64_t dpost = std::llround(std::min(0.7, 0.75 * rr_med_s) * fs);
  for (size_t i : valid)
    out[i].in_median = lab[i] == 'N' && !feat[i].noisy && beats[i] - dpre >= 0 && beats[i] + dpost < len;

  // P-wave consistency: the window R - 300 ms .. R - 60 ms (R aligned on the
  // template) of every 'N' beat, each lead linearly detrended, against the
  // sample-wise median of those windows. A steady atrial rhythm repeats its P
  // wave (and the previous T sits at the same place); fibrillation does not.
  {
    const int64_t pa = std::max<int64_t>(3, std::llround(0.30 * fs));
    const int64_t pb = std::max<int64_t>(1, std::llround(0.06 * fs));
    const int64_t plen = pa - pb + 1;
    std::vector<size_t> cand;
    std::vector<int64_t> start(nb, -1);
    for (size_t i : valid) {
      if (lab[i] != 'N') continue;
      const int64_t s0 = beats[i] + lag[i] - pa;
      if (s0 < 0 || s0 + plen > len) continue;
      if (i > 0 && beats[i - 1] >= s0 - mt.post) continue;  // overlaps the previous QRS
      start[i] = s0;
      cand.push_back(i);
    }
    const size_t leads = sig.size();
    // One beat's detrended window, leads concatenated.
    std::vector<double> w(leads * static_cast<size_t>(plen));
    auto window = [&](int64_t s0) {
      const double tm = 0.5 * static_cast<double>(plen - 1);
      double stt = 0;
      for (int64_t t = 0; t < plen; ++t) stt += (static_cast<double>(t) - tm) * (static_cast<double>(t) - tm);
      for (size_t l = 0; l < leads; ++l) {
        const double* y = sig[l].data() + s0;
        double m = 0, sty = 0;
        for (int64_t t = 0; t < plen; ++t) m += y[t];
        m /= static_cast<double>(plen);
        for (int64_t t = 0; t < plen; ++t) sty += (static_cast<double>(t) - tm) * (y[t] - m);
        const double slope = stt > 0 ? sty / stt : 0.0;
        for (int64_t t = 0; t < plen; ++t)
          w[l * static_cast<size_t>(plen) + static_cast<size_t>(t)] = y[t] - m - slope * (static_cast<double>(t) - tm);
      }
    };
    if (cand.size() >= 3) {
      std::vector<size_t> sub;
      const size_t st = (cand.size() + kMaxTemplateBeats - 1) / kMaxTemplateBeats;
      for (size_t k = 0; k < cand.size(); k += st) sub.push_back(cand[k]);
      std::vector<double> all(sub.size() * w.size());
      for (size_t k = 0; k < sub.size(); ++k) {
        window(start[sub[k]]);
        std::copy(w.begin(), w.end(), all.begin() + static_cast<std::ptrdiff_t>(k * w.size()));
      }
      std::vector<double> ptmpl(w.size()), col(sub.size());
      for (size_t t = 0; t < w.size(); ++t) {
        for (size_t k = 0; k < sub.size(); ++k) col[k] = all[k * w.size() + t];
        ptmpl[t] = Median(col);
      }
      double tn = 0;
      for (double v : ptmpl) tn += v * v;
      tn = std::sqrt(tn);
      for (size_t i : cand) {
        window(start[i]);
        double dot = 0, wn = 0;
        for (size_t t = 0; t < w.size(); ++t) {
          dot += w[t] * ptmpl[t];
          wn += w[t] * w[t];
        }
        out[i].p_correlation = tn > 0 && wn > 0 ? dot / (tn * std::sqrt(wn)) : 0.0;
      }
    }
  }
  return finish();
}

// Two groups of RR intervals, each tight, that alternate periodically
// (bigeminy, trigeminy, group beating, 2:1 / 3:2 conduction): "regularly
// irregular", not atrial fibrillation. `rr` in time order; *spread is the
// within-group coefficient of variation of the best split of the sorted RRs.
// (Random RRs of atrial fibrillation pass by chance in < 1 % of 10-interval
// series, from a simulation with RR CV 0.12..0.3.)
bool Patterned(const std::vector<double>& rr, double* spread) {
  *spread = kNaN;
  const size_t n = rr.size();
  if (n < 4) return false;
  std::vector<double> sorted = rr;
  std::sort(sorted.begin(), sorted.end());
  std::vector<double> pre(n + 1, 0.0), pre2(n + 1, 0.0);
  for (size_t i = 0; i < n; ++i) {
    pre[i + 1] = pre[i] + sorted[i];
    pre2[i + 1] = pre2[i] + sorted[i] * sorted[i];
  }
  double best = std::numeric_limits<double>::infinity(), ratio = 0, split = 0;
  for (size_t k = 2; k + 2 <= n; ++k) {
    const double n1 = static_cast<double>(k), n2 = static_cast<double>(n - k);
    const double m1 = pre[k] / n1, m2 = (pre[n] - pre[k]) / n2;
    if (!(m1 > 0)) continue;
    const double ss1 = std::max(0.0, pre2[k] - n1 * m1 * m1), ss2 = std::max(0.0, pre2[n] - pre2[k] - n2 * m2 * m2);
    const double cv = std::sqrt((ss1 / (m1 * m1) + ss2 / (m2 * m2)) / static_cast<double>(n));
    if (cv < best) {
      best = cv;
      ratio = m2 / m1;
      split = 0.5 * (sorted[k - 1] + sorted[k]);
    }
  }
  if (!std::isfinite(best)) return false;
  *spread = best;
  if (!(best < kPatternSpread && ratio > kPatternRatio)) return false;
  for (size_t p = 2; p <= 4; ++p) {
    if (n < 2 * p) break;
    size_t same = 0;
    for (size_t i = 0; i + p < n; ++i) same += (rr[i] > split) == (rr[i + p] > split);
    if (static_cast<double>(same) >= 0.9 * static_cast<double>(n - p)) return true;
  }
  return false;
}

RhythmFindings ClassifyRhythm(const std::vector<BeatInfo>& beats, const Delineation& d, double fs) {
  RhythmFindings r;
  r.premature_supraventricular = CountBeats(beats, 'S');
  r.premature_ventricular = CountBeats(beats, 'V');
  const double pr = d.intervals.pr_ms;
  const bool delineated_p = d.p_present && std::isfinite(pr) && pr >= kPrMin && pr <= kPrMax;
  r.p_waves = delineated_p;
  if (beats.size() < kMinBeats) {
    r.reason = StrFormat("%zu beats: too few to name a rhythm", beats.size());
    return r;
  }
  (void)fs;  // the beats carry their RR in ms
  // Dominant intervals (N -> N) and the successive differences of adjacent ones.
  std::vector<double> nn(beats.size(), kNaN), all;
  for (size_t i = 1; i < beats.size(); ++i) {
    const double v = beats[i].rr_ms;
    if (!(std::isfinite(v) && v > 0)) continue;
    all.push_back(v);
    if (beats[i].label == 'N' && beats[i - 1].label == 'N') nn[i] = v;
  }
  std::vector<double> dom;
  for (double v : nn)
    if (std::isfinite(v)) dom.push_back(v);
  const bool dominant = dom.size() >= 2;
  std::vector<double> diffs;
  if (dominant) {
    for (size_t i = 2; i < nn.size(); ++i)
      if (std::isfinite(nn[i]) && std::isfinite(nn[i - 1])) diffs.push_back(std::fabs(nn[i] - nn[i - 1]));
  } else {
    dom = all;
    for (size_t i = 2; i < beats.size(); ++i)
      if (std::isfinite(beats[i].rr_ms) && std::isfinite(beats[i - 1].rr_ms) && beats[i].rr_ms > 0 &&
          beats[i - 1].rr_ms > 0)
        diffs.push_back(std::fabs(beats[i].rr_ms - beats[i - 1].rr_ms));
  }
  const double med = Median(dom);
  if (!(med > 0)) {
    r.reason = "no measurable RR interval";
    return r;
  }
  // Without two consecutive dominant beats (bigeminy) the median of all RR is
  // the coupling interval; the mean of all RR is the ventricular rate.
  double mean_all = 0;
  for (double v : all) mean_all += v;
  mean_all = all.empty() ? med : mean_all / static_cast<double>(all.size());
  r.heart_rate_bpm = 60000.0 / (dominant || !(mean_all > 0) ? med : mean_all);
  double rmssd = kNaN;
  if (!diffs.empty()) {
    double ss = 0;
    for (double v : diffs) ss += v * v;
    rmssd = std::sqrt(ss / static_cast<double>(diffs.size())) / med;
  }
  const bool known = diffs.size() >= 2;
  if (known) r.rr_irregularity = Median(diffs) / med;
  r.regular = known ? (r.rr_irregularity < kRegular && (diffs.size() < 4 || rmssd < kRegularRmssd)) : true;
  // P-wave steadiness over the dominant beats.
  std::vector<double> pc;
  for (const BeatInfo& b : beats)
    if (b.label == 'N' && std::isfinite(b.p_correlation)) pc.push_back(b.p_correlation);
  const double p_steady = pc.size() >= 3 ? Median(pc) : kNaN;
  double spread = kNaN;
  const bool patterned = !r.regular && Patterned(dom, &spread);

  const std::string rate = StrFormat("dominant rate %.0f bpm", r.heart_rate_bpm);
  const std::string irr =
      known ? StrFormat("RR irregularity %.3f (median |dRR| / RR, %zu %sintervals)", r.rr_irregularity, dom.size(),
                        dominant ? "dominant " : "")
            : std::string("RR regularity not measurable");
  const std::string ect = StrFormat("%d S, %d V beats", r.premature_supraventricular, r.premature_ventricular);
  const std::string steady = std::isfinite(p_steady) ? StrFormat("P-window correlation %.2f", p_steady) : "";
  auto sinus = [&]() {
    if (r.heart_rate_bpm < kBradyBpm) return std::string("sinus bradycardia");
    if (r.heart_rate_bpm > kTachyBpm) return std::string("sinus tachycardia");
    return std::string("sinus rhythm");
  };
  std::string pdesc = delineated_p ? StrFormat("P waves with PR %.0f ms", pr)
                                   : (d.p_present ? StrFormat("P wave with implausible PR (%.0f ms)", pr)
                                                  : std::string("no P waves"));
  if (!steady.empty()) pdesc += " (" + steady + ")";
  const std::string tail = ", " + rate + ", " + irr + ", " + ect;
  if (r.regular) {
    r.label = delineated_p ? sinus() : "regular rhythm without P waves";
    r.reason = pdesc + ", regular" + tail;
    return r;
  }
  if (!known) {  // regularity unknown cannot reach here (known == false -> regular); kept for clarity
    r.label = "irregular rhythm";
    r.reason = pdesc + tail;
    return r;
  }
  if (delineated_p && p_steady >= kSteadyP) {
    // Steady P waves: sinus arrhythmia (or missed ectopy) while moderate.
    r.label = r.rr_irregularity < kSinusIrregular ? sinus() : "irregular rhythm";
    r.reason = pdesc + (patterned ? ", regularly irregular" : ", irregular") + tail;
    return r;
  }
  if (patterned) {
    r.label = "irregular rhythm";
    r.reason = pdesc + StrFormat(", regularly irregular (two alternating RR groups, spread %.3f)", spread) + tail;
    return r;
  }
  if (delineated_p) {
    if (!std::isfinite(p_steady)) {
      r.label = "irregular rhythm";
      r.reason = pdesc + ", irregular, P-wave steadiness not measurable" + tail;
      return r;
    }
    // The median beat shows a P wave but the beats do not repeat it.
    r.p_waves = false;
    pdesc += StrFormat(": not repeated beat to beat (< %.2f)", kSteadyP);
  }
  if (!delineated_p && p_steady >= kSteadyP) {
    // No P wave was delineated, yet the beats repeat what precedes their QRS.
    r.label = "irregular rhythm";
    r.reason = pdesc + ", irregular, but the atrial activity before the QRS repeats beat to beat" + tail;
    return r;
  }
  if (diffs.size() >= kMinAfDiffs) {
    r.label = "atrial fibrillation";
    r.reason = pdesc + ", irregularly irregular" + tail;
  } else {
    r.label = "irregular rhythm";
    r.reason = pdesc + ", irregular over too few intervals to call atrial fibrillation" + tail;
  }
  return r;
}

}  // namespace ecgr1
