// delineation.cc — see delineation.h for the method and its limits.
#include "measure/delineation.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "base/error.h"

#include "measure/signal_math.h"

namespace ecgr1 {
namespace {


// Centred moving average of odd width w (edges use the available samples).
std::vector<double> MovingAverage(const std::vector<double>& x, int w) {
  const int n = static_cast<int>(x.size());
  if (w <= 1 || n == 0) return x;
  const int h = w / 2;
  std::vector<double> c(n + 1, 0.0);
  for (int i = 0; i < n; ++i) c[i + 1] = c[i] + x[i];
  std::vector<double> y(n);
  for (int i = 0; i < n; ++i) {
    const int a = std::max(0, i - h), b = std::min(n, i + h + 1);
    y[i] = (c[b] - c[a]) / (b - a);
  }
  return y;
}

// Centred moving median of width w, evaluated every `step` samples and
// linearly interpolated between (the baseline is slow; this keeps 1 kHz cheap).
std::vector<double> MovingMedian(const std::vector<double>& x, int w, int step) {
  const int n = static_cast<int>(x.size());
  std::vector<double> y(n);
  if (n == 0) return y;
  const int h = std::max(1, w / 2);
  step = std::max(1, step);
  std::vector<int> at;
  std::vector<double> val;
  std::vector<double> buf;
  for (int i = 0;; i += step) {
    i = std::min(i, n - 1);
    const int a = std::max(0, i - h), b = std::min(n, i + h + 1);
    buf.assign(x.begin() + a, x.begin() + b);
    std::nth_element(buf.begin(), buf.begin() + buf.size() / 2, buf.end());
    at.push_back(i);
    val.push_back(buf[buf.size() / 2]);
    if (i == n - 1) break;
  }
  for (size_t k = 0; k + 1 < at.size(); ++k) {
    for (int i = at[k]; i <= at[k + 1]; ++i) {
      const double t = at[k + 1] == at[k] ? 0.0 : double(i - at[k]) / (at[k + 1] - at[k]);
      y[i] = val[k] + t * (val[k + 1] - val[k]);
    }
  }
  if (at.size() == 1) y.assign(n, val[0]);
  return y;
}

// The isoelectric line through every beat's PR segment: the median of the raw
// lead over [R - 80, R - 50] ms (between P and QRS at ordinary PR intervals)
// is a knot at R - 65 ms; the baseline interpolates linearly between knots and
// is held flat before the first and after the last. Unlike a moving median it
// follows wander without taking a long ST plateau for baseline, so ST
// deviation survives into the median beat.
std::vector<double> PrSegmentBaseline(const std::vector<double>& raw, const std::vector<int64_t>& r, double fs) {
  const int64_t n = static_cast<int64_t>(raw.size());
  std::vector<double> base(raw.size(), 0.0);
  std::vector<int64_t> at;
  std::vector<double> level;
  std::vector<double> w;
  for (int64_t p : r) {
    const int64_t a = p - Samples(0.080, fs), b = p - Samples(0.050, fs);
    if (a < 0 || b >= n || b < a) continue;
    w.assign(raw.begin() + a, raw.begin() + b + 1);
    at.push_back((a + b) / 2);
    level.push_back(Median(w));
  }
  if (at.empty()) return base;
  for (int64_t i = 0; i < n; ++i) {
    if (i <= at.front()) base[static_cast<size_t>(i)] = level.front();
    else if (i >= at.back()) base[static_cast<size_t>(i)] = level.back();
  }
  for (size_t k = 0; k + 1 < at.size(); ++k) {
    const double span = static_cast<double>(at[k + 1] - at[k]);
    if (span <= 0) continue;
    for (int64_t i = at[k]; i <= at[k + 1]; ++i)
      base[static_cast<size_t>(i)] = level[k] + (level[k + 1] - level[k]) * static_cast<double>(i - at[k]) / span;
  }
  return base;
}

// Maximum-trapezium-area boundary: `m` is the steepest point of the limb that
// returns to the baseline, `r` a reference point beyond the boundary (r > m
// for an offset, r < m for an onset). The boundary is the x between m and r
// maximising 0.5 |y(m) - y(x)| |2r - x - m| with y(m) - y(x) of the limb's sign.
int TrapeziumBoundary(const std::vector<double>& y, int m, int r, double sign) {
  const int dir = r >= m ? 1 : -1;
  int best = m;
  double best_a = -1;
  for (int x = m; x != r + dir; x += dir) {
    const double a = 0.5 * sign * (y[m] - y[x]) * std::abs(2.0 * r - x - m);
    if (a > best_a) best_a = a, best = x;
  }
  return best;
}

struct Tuning {
  // QRS: the QRS is where the slope envelope exceeds kCore of its maximum;
  // the boundaries are where it falls below kOn / kOff of it. The envelope is
  // |x(t+kH) - x(t-kH)| / 2kH smoothed over kE seconds. Chosen between the two
  // references at hand (LUDB experts annotate wider, the GE machine narrower):
  // see tests/test_delineation.cc for the errors on each.
  static constexpr double kCore = 0.30, kOn = 0.035, kOff = 0.03;
  static constexpr double kH = 0.004, kE = 0.012;
};

// Delineates one median beat. `rr` in samples (median RR).
WaveFiducials DelineateBeat(const std::vector<double>& x, int r, double fs, double rr, bool* usable,
                            bool* p_present, double* t_amp, double* p_amp,
                            int t_on = -1, int t_off = -1) {
  *t_amp = 0;
  *p_amp = 0;
  WaveFiducials w;
  *usable = false;
  *p_present = false;
  const int n = static_cast<int>(x.size());
  const auto [mn, mx] = std::minmax_element(x.begin(), x.end());
  if (*mx - *mn < 1e-6) return w;  // flat
  // Slope envelope.
  const int h = std::max(1, Samples(Tuning::kH, fs));
  std::vector<double> d(n, 0.0), e(n, 0.0);
  for (int i = h; i + h < n; ++i) d[i] = (x[i + h] - x[i - h]) / (2.0 * h);
  const std::vector<double> ds = MovingAverage(d, std::max(1, Samples(0.008, fs)) | 1);
  for (int i = 0; i < n; ++i) e[i] = std::abs(d[i]);
  e = MovingAverage(e, std::max(1, Samples(Tuning::kE, fs)) | 1);
  const int a0 = std::max(1, r - Samples(0.08, fs)), b0 = std::min(n - 2, r + Samples(0.08, fs));
  double emax = 0;
  for (int i = a0; i <= b0; ++i) emax = std::max(emax, e[i]);
  if (emax <= 0) return w;
  // QRS core and boundaries.
  int first = r, last = r;
  for (int i = std::max(1, r - Samples(0.12, fs)); i <= r; ++i)
    if (e[i] >= Tuning::kCore * emax) { first = i; break; }
  for (int i = std::min(n - 2, r + Samples(0.15, fs)); i >= r; --i)
    if (e[i] >= Tuning::kCore * emax) { last = i; break; }
  int on = first, off = last;
  // A lead whose slope never settles within R - 150 ms .. R + 200 ms has no
  // delimitable QRS (noise, or a QRS too small for its baseline): unusable.
  const int on_lim = std::max(1, r - Samples(0.15, fs)), off_lim = std::min(n - 2, r + Samples(0.2, fs));
  while (on > on_lim && e[on] > Tuning::kOn * emax) --on;
  while (off < off_lim && e[off] > Tuning::kOff * emax) ++off;
  if (on <= on_lim || off >= off_lim) return w;
  *usable = true;
  w.qrs_onset.index = on;
  w.qrs_offset.index = off;
  {
    int rp = r;
    for (int i = std::max(0, on); i <= off; ++i)
      if (std::abs(x[i]) > std::abs(x[rp])) rp = i;
    w.r_peak.index = rp;
  }
  // Isoelectric level: mean of the 20 ms before QRS onset.
  const std::vector<double> xs = MovingAverage(x, std::max(1, Samples(0.020, fs)) | 1);
  double iso = 0;
  {
    const int a = std::max(0, on - Samples(0.02, fs));
    for (int i = a; i <= on; ++i) iso += x[i];
    iso /= (on - a + 1);
  }
  const double qrs_pp = *std::max_element(x.begin() + on, x.begin() + off + 1) -
                        *std::min_element(x.begin() + on, x.begin() + off + 1);
  // T wave.
  const int qt_max = Samples(std::min(0.65 * rr / fs, 0.62), fs);
  const int ts = std::min(n - 1, (t_off >= 0 ? t_off : off) + Samples(0.06, fs));
  const int te = std::min(n - 1, (t_on >= 0 ? t_on : on) + qt_max);
  if (te - Samples(0.04, fs) > ts) {
    // T peak: the largest deviation from the chord between the window's ends,
    // so a sloping or depressed ST segment is not taken for a flat T wave.
    auto dev = [&](int i) { return xs[i] - (xs[ts] + (xs[te] - xs[ts]) * (i - ts) / double(te - ts)); };
    int pk = ts;
    for (int i = ts; i <= te - Samples(0.04, fs); ++i)
      if (std::abs(dev(i)) > std::abs(dev(pk))) pk = i;
    const double s = dev(pk) >= 0 ? 1.0 : -1.0;
    // Steepest point of the descending limb (towards the baseline).
    int m = pk;
    for (int i = pk; i <= te; ++i)
      if (-s * ds[i] > -s * ds[m]) m = i;
    if (m > pk && std::abs(dev(pk)) > 0.02 * qrs_pp) {
      // Trapezium on the beat smoothed over 24 ms, the reference point 120 ms
      // after the steepest point or, earlier, where the limb stops descending
      // (over 20 ms): a dip or a later wave beyond it does not pull the offset.
      int ref = std::min(n - 1, m + Samples(0.12, fs));
      w.t_peak.index = pk;
      const std::vector<double> xt = MovingAverage(x, std::max(1, Samples(0.024, fs)) | 1);
      const int ws = std::max(1, Samples(0.02, fs));
      for (int i = m; i + ws < ref; ++i)
        if (s * (xt[i + ws] - xt[i]) >= 0) {
          ref = std::max(m + 1, i + ws);
          break;
        }
      w.t_offset.index = TrapeziumBoundary(xt, m, ref, s);
      *t_amp = std::abs(dev(pk));
    }
  }
  // P wave.
  const int pe = on - Samples(0.02, fs);
  const int ps = std::max(Samples(0.03, fs), on - Samples(0.30, fs));
  if (pe - ps > Samples(0.06, fs)) {
    int pk = ps;
    for (int i = ps; i <= pe; ++i)
      if (std::abs(xs[i] - iso) > std::abs(xs[pk] - iso)) pk = i;
    const double amp = std::abs(xs[pk] - iso);
    const double s = xs[pk] >= iso ? 1.0 : -1.0;
    const int edge = Samples(0.015, fs);
    // Noise: residual of the beat around its smoothed version in the P window.
    double noise = 0;
    for (int i = ps; i <= pe; ++i) noise += (x[i] - xs[i]) * (x[i] - xs[i]);
    noise = std::sqrt(noise / (pe - ps + 1));
    if (amp > 0.03 * qrs_pp && amp > 4 * noise && pk - ps > edge && pe - pk > edge) {
      int m1 = pk, m2 = pk;
      for (int i = std::max(1, pk - Samples(0.05, fs)); i <= pk; ++i)
        if (s * ds[i] > s * ds[m1]) m1 = i;
      for (int i = pk; i <= std::min(on, pk + Samples(0.08, fs)); ++i)
        if (-s * ds[i] > -s * ds[m2]) m2 = i;
      if (m1 < pk && m2 > pk) {
        *p_present = true;
        *p_amp = amp;
        w.p_peak.index = pk;
        w.p_onset.index = TrapeziumBoundary(xs, m1, std::max(ps, m1 - Samples(0.03, fs)), s);
        w.p_offset.index = TrapeziumBoundary(xs, m2, std::min(on, m2 + Samples(0.06, fs)), s);
      }
    }
  }
  return w;
}

void SetMs(WaveFiducials* w, int r, double fs) {
  for (Fiducial* f : {&w->p_onset, &w->p_peak, &w->p_offset, &w->qrs_onset, &w->r_peak,
                      &w->qrs_offset, &w->t_peak, &w->t_offset}) {
    f->ms = f->found() ? 1000.0 * (f->index - r) / fs : kNotMeasured;
  }
}

double Span(const Fiducial& a, const Fiducial& b, double fs) {
  return a.found() && b.found() ? 1000.0 * (b.index - a.index) / fs : kNotMeasured;
}

EcgIntervals Intervals(const WaveFiducials& w, double fs, double rr_ms) {
  EcgIntervals iv;
  iv.rr_ms = rr_ms;
  iv.heart_rate_bpm = rr_ms > 0 ? 60000.0 / rr_ms : kNotMeasured;
  iv.pr_ms = Span(w.p_onset, w.qrs_onset, fs);
  iv.p_ms = Span(w.p_onset, w.p_offset, fs);
  iv.qrs_ms = Span(w.qrs_onset, w.qrs_offset, fs);
  iv.qt_ms = Span(w.qrs_onset, w.t_offset, fs);
  if (std::isfinite(iv.qt_ms) && rr_ms > 0) {
    iv.qtc_bazett_ms = iv.qt_ms / std::sqrt(rr_ms / 1000.0);
    iv.qtc_fridericia_ms = iv.qt_ms / std::cbrt(rr_ms / 1000.0);
  }
  return iv;
}

// The earliest (or latest) found fiducial, skipping the most extreme one when
// there are >= 4 (one outlying lead cannot move the global value).
Fiducial Robust(const std::vector<Fiducial>& fs_in, bool earliest) {
  std::vector<int> v;
  for (const Fiducial& f : fs_in)
    if (f.found()) v.push_back(f.index);
  Fiducial out;
  if (v.empty()) return out;
  std::sort(v.begin(), v.end());
  const size_t k = v.size() >= 4 ? 1 : 0;
  out.index = earliest ? v[k] : v[v.size() - 1 - k];
  return out;
}

// Re-aligns the beats on the QRS complex: each beat is shifted (within
// +-20 ms) to the lag that best matches the multi-lead median QRS template
// (window R - 60 ms .. R + 80 ms; every lead weighted by 1 / its template energy,
// so each lead votes equally); two passes. Beats matching the template poorly
// (normalised correlation < 0.6: ectopic or noisy) are dropped while at least
// half of the beats remain.
// Every beat must have `pre` + `margin` samples before and `post` + `margin`
// after it in the record (margin = the 20 ms search range).
void AlignBeats(const std::vector<std::vector<double>>& sig, double fs, int pre, int post,
                std::vector<int64_t>* beats) {
  const int nb = static_cast<int>(beats->size());
  if (nb < 3 || sig.empty()) return;
  const int a = std::min(pre, Samples(0.06, fs)), b = std::min(post, Samples(0.08, fs)), m = Samples(0.02, fs);
  const int w = a + b + 1;
  const size_t nl = sig.size();
  std::vector<double> corr(nb, 1.0);
  const std::vector<int64_t> orig = *beats;
  for (int pass = 0; pass < 2; ++pass) {
    std::vector<std::vector<double>> tpl(nl, std::vector<double>(w));
    std::vector<double> col(nb), wt(nl, 0.0);
    for (size_t l = 0; l < nl; ++l) {
      for (int k = 0; k < w; ++k) {
        for (int i = 0; i < nb; ++i) col[i] = sig[l][static_cast<size_t>((*beats)[i] - a + k)];
        tpl[l][k] = Median(col);
      }
      double mean = 0;
      for (double v : tpl[l]) mean += v;
      mean /= w;
      double e = 0;
      for (double& v : tpl[l]) v -= mean, e += v * v;
      wt[l] = e > 1e-12 ? 1.0 / e : 0.0;
    }
    // Scores use every `step`-th sample and, first, every `step`-th lag
    // (about 1 kHz), then the lags around the best one: the cost no longer
    // grows with fs squared (a 80 kHz record took 14 s). step = 1 up to 1.5 kHz.
    const int step = std::max(1, static_cast<int>(std::lround(fs / 1000.0)));
    auto score = [&](int64_t at) {
      double sc = 0;
      for (size_t l = 0; l < nl; ++l) {
        if (wt[l] == 0) continue;
        const double* x = &sig[l][static_cast<size_t>(at - a)];
        double mx = 0;
        int cnt = 0;
        for (int k = 0; k < w; k += step) mx += x[k], ++cnt;
        mx /= cnt;
        double xt = 0;
        for (int k = 0; k < w; k += step) xt += (x[k] - mx) * tpl[l][k];
        sc += xt * std::sqrt(wt[l]);
      }
      return sc;
    };
    for (int i = 0; i < nb; ++i) {
      double best = -1e300;
      int best_s = 0;
      for (int s = -m; s <= m; s += step) {
        const double sc = score(orig[i] + s);
        if (sc > best) best = sc, best_s = s;
      }
      const int coarse = best_s;
      for (int s = std::max(-m, coarse - step + 1); s <= std::min(m, coarse + step - 1); ++s) {
        if (s == coarse) continue;
        const double sc = score(orig[i] + s);
        if (sc > best) best = sc, best_s = s;
      }
      (*beats)[i] = orig[i] + best_s;
      // Normalised correlation (mean over leads) at the chosen lag.
      double c = 0;
      int nc = 0;
      for (size_t l = 0; l < nl; ++l) {
        if (wt[l] == 0) continue;
        const double* x = &sig[l][static_cast<size_t>((*beats)[i] - a)];
        double mx = 0;
        for (int k = 0; k < w; ++k) mx += x[k];
        mx /= w;
        double xt = 0, x2 = 0;
        for (int k = 0; k < w; ++k) xt += (x[k] - mx) * tpl[l][k], x2 += (x[k] - mx) * (x[k] - mx);
        if (x2 > 0) c += xt * std::sqrt(wt[l] / x2), ++nc;
      }
      corr[i] = nc ? c / nc : 0;
    }
  }
  std::vector<double> sorted = corr;
  std::sort(sorted.begin(), sorted.end());
  const double cut = std::min(0.6, sorted[(nb - 1) / 2]);
  std::vector<int64_t> kept;
  for (int i = 0; i < nb; ++i)
    if (corr[i] >= cut) kept.push_back((*beats)[i]);
  if (kept.size() >= 2) *beats = kept;
}


// Multi-lead QRS boundaries: V(t) = sum over the leads of |slope| (4 ms
// central difference, 8 ms moving average; leads weighted by their amplitude,
// as in the spatial velocity), onset/offset where V falls below
// max(kOn * Vmax, kN * its 20th percentile), walking outwards from the
// first/last point above kCore * Vmax. Not found (index -1) when V does not
// settle within R - 150 ms .. R + 200 ms.
void GlobalQrs(const std::vector<const std::vector<double>*>& beats, int r, double fs, Fiducial* on_out,
               Fiducial* off_out) {
  const int n = static_cast<int>(beats[0]->size());
  const int h = std::max(1, Samples(0.004, fs));
  std::vector<double> v(n, 0.0);
  for (const auto* xp : beats) {
    const std::vector<double>& x = *xp;
    for (int i = h; i + h < n; ++i) v[i] += std::abs(x[i + h] - x[i - h]) / (2.0 * h);
  }
  v = MovingAverage(v, std::max(1, Samples(0.008, fs)) | 1);
  double vmax = 0;
  for (int i = std::max(0, r - Samples(0.06, fs)); i <= std::min(n - 1, r + Samples(0.06, fs)); ++i)
    vmax = std::max(vmax, v[i]);
  on_out->index = off_out->index = -1;
  if (!(vmax > 0)) return;
  std::vector<double> srt = v;
  std::sort(srt.begin(), srt.end());
  const double noise = srt[srt.size() / 5];
  const double kCore = 0.3, kOn = 0.04, kOff = 0.04, kN = 2.0;
  int first = r, last = r;
  for (int i = std::max(1, r - Samples(0.12, fs)); i <= r; ++i)
    if (v[i] >= kCore * vmax) { first = i; break; }
  for (int i = std::min(n - 2, r + Samples(0.15, fs)); i >= r; --i)
    if (v[i] >= kCore * vmax) { last = i; break; }
  const double ton = std::max(kOn * vmax, kN * noise), toff = std::max(kOff * vmax, kN * noise);
  int on = first, off = last;
  const int on_lim = std::max(1, r - Samples(0.15, fs)), off_lim = std::min(n - 2, r + Samples(0.2, fs));
  while (on > on_lim && v[on] > ton) --on;
  while (off < off_lim && v[off] > toff) ++off;
  on_out->index = on > on_lim ? on : -1;
  off_out->index = off < off_lim ? off : -1;
}

// The median of the found fiducials (rounded to a sample).
Fiducial MedianFiducial(const std::vector<Fiducial>& f) {
  std::vector<double> v;
  for (const Fiducial& x : f)
    if (x.found()) v.push_back(x.index);
  Fiducial out;
  if (!v.empty()) out.index = static_cast<int>(std::lround(Median(v)));
  return out;
}

}  // namespace

Delineation DelineateEcg(const EcgRecord& record, const std::vector<int64_t>& r_peaks,
                         const std::vector<std::vector<int64_t>>* excluded, const std::vector<int64_t>* all_beats) {
  Delineation out;
  const double fs = record.fs;
  if (!(fs >= 50) || !std::isfinite(fs)) Fail(ExitCode::kBadInput, "delineation: sampling rate %g Hz is below 50 Hz", fs);
  const size_t len = record.length();
  for (const auto& lead : record.signal)
    if (lead.size() != len) Fail(ExitCode::kBadInput, "delineation: leads of unequal length");
  out.fs = fs;
  for (const std::string& name : record.leads) {
    out.leads.emplace_back();
    out.leads.back().lead = name;
  }
  if (r_peaks.size() < 2) {
    out.notes.push_back("fewer than 2 beats: nothing delineated");
    return out;
  }
  // RR for QTc: the mean over every beat. The beat window: the median interval
  // from each given beat to the next / from the previous beat of any kind (with
  // ectopic beats left out of r_peaks, the gaps between r_peaks are longer than
  // the beats' own intervals, and a window sized by them would take in the
  // ectopic beat).
  const std::vector<int64_t>& every = all_beats && all_beats->size() >= 2 ? *all_beats : r_peaks;
  std::vector<double> rr, rr_next, rr_prev;
  for (size_t i = 1; i < every.size(); ++i) rr.push_back(double(every[i] - every[i - 1]));
  const int64_t self = Samples(0.10, fs);  // an aligned peak lies within 50 ms of its detection
  for (int64_t p : r_peaks) {
    auto nx = std::upper_bound(every.begin(), every.end(), p + self);
    if (nx != every.end()) rr_next.push_back(double(*nx - p));
    auto pv = std::lower_bound(every.begin(), every.end(), p - self);
    if (pv != every.begin()) rr_prev.push_back(double(p - *(pv - 1)));
  }
  if (rr.empty()) rr.push_back(double(r_peaks.back() - r_peaks.front()));
  const double rr_med = rr_next.empty() ? Median(rr) : Median(rr_next);
  const double rr_before = rr_prev.empty() ? Median(rr) : Median(rr_prev);
  const double rr_ms = 1000.0 * std::accumulate(rr.begin(), rr.end(), 0.0) / rr.size() / fs;
  // An early beat after most of the given beats (bigeminy): the T wave runs
  // into it, so QT is not measured rather than measured short.
  std::vector<double> gaps;
  for (size_t i = 1; i < r_peaks.size(); ++i) gaps.push_back(double(r_peaks[i] - r_peaks[i - 1]));
  const bool early_followers = !rr_next.empty() && rr_med < 0.8 * Median(gaps) && rr_med < 0.6 * fs;
  const int pre = std::min(Samples(0.40, fs), static_cast<int>(0.45 * rr_before));
  const int post = std::min(Samples(0.70, fs), static_cast<int>(0.75 * rr_med));
  const int L = pre + post + 1;
  out.beat_length = L;
  out.r_index = pre;
  // Baseline-corrected leads for timing: wander removed by two moving medians.
  const int step = std::max(1, Samples(0.01, fs));
  const size_t nl = record.signal.size();
  std::vector<std::vector<double>> sig(nl);
  for (size_t l = 0; l < nl; ++l) {
    const std::vector<double>& raw = record.signal[l];
    const std::vector<double> b1 = MovingMedian(raw, Samples(0.2, fs) | 1, step);
    const std::vector<double> b2 = MovingMedian(b1, Samples(0.6, fs) | 1, step);
    sig[l].resize(len);
    for (size_t i = 0; i < len; ++i) sig[l][i] = raw[i] - b2[i];
  }
  // Beats whose window (plus the alignment margin) fits in the record.
  const int margin = Samples(0.02, fs);
  std::vector<int64_t> used;
  for (int64_t p : r_peaks)
    if (p - pre - margin >= 0 && p + post + margin < static_cast<int64_t>(len)) used.push_back(p);
  out.beats_used = static_cast<int>(used.size());
  if (used.empty()) {
    out.notes.push_back("no beat has a full window inside the record");
    return out;
  }
  AlignBeats(sig, fs, pre, post, &used);
  out.beats_used = static_cast<int>(used.size());
  std::vector<double> col(used.size());
  for (size_t l = 0; l < nl; ++l) {
    LeadDelineation& ld = out.leads[l];
    // This lead's beats: the aligned ones not excluded here (an excluded R
    // peak may sit up to 60 ms from its aligned position; beats are >= 200 ms apart).
    std::vector<int64_t> mine;
    for (int64_t p : used) {
      bool out_here = false;
      if (excluded && l < excluded->size())
        for (int64_t e : (*excluded)[l]) out_here |= std::llabs(e - p) <= Samples(0.06, fs);
      if (!out_here) mine.push_back(p);
    }
    if (mine.empty()) mine = used;
    col.resize(mine.size());
    ld.median_beat.assign(L, 0.0);
    for (int k = 0; k < L; ++k) {
      for (size_t b = 0; b < mine.size(); ++b) col[b] = sig[l][static_cast<size_t>(mine[b] - pre + k)];
      ld.median_beat[k] = Median(col);
    }
    // The same beats with only the PR-segment baseline removed, for amplitudes and ST.
    const std::vector<double> knots = PrSegmentBaseline(record.signal[l], r_peaks, fs);
    ld.amplitude_beat.assign(L, 0.0);
    for (int k = 0; k < L; ++k) {
      for (size_t b = 0; b < mine.size(); ++b) {
        const size_t i = static_cast<size_t>(mine[b] - pre + k);
        col[b] = record.signal[l][i] - knots[i];
      }
      ld.amplitude_beat[k] = Median(col);
    }
    ld.waves = DelineateBeat(ld.median_beat, pre, fs, rr_med, &ld.usable, &ld.p_present,
                             &ld.t_amplitude_mv, &ld.p_amplitude_mv);
    SetMs(&ld.waves, pre, fs);
    ld.intervals = Intervals(ld.waves, fs, rr_ms);
  }
  // Global fiducials.
  std::vector<Fiducial> qon, qoff;
  for (const LeadDelineation& ld : out.leads) {
    if (!ld.usable) continue;
    qon.push_back(ld.waves.qrs_onset);
    qoff.push_back(ld.waves.qrs_offset);
  }
  const int usable = static_cast<int>(qon.size());
  if (usable == 0) {
    out.notes.push_back("no usable lead (flat or no QRS)");
    return out;
  }
  {
    std::vector<const std::vector<double>*> bs;
    for (const LeadDelineation& ld : out.leads)
      if (ld.usable) bs.push_back(&ld.median_beat);
    GlobalQrs(bs, pre, fs, &out.global.qrs_onset, &out.global.qrs_offset);
    // Fallback when the multi-lead curve never returns to its baseline level
    // (noise): the robust extremes of the per-lead boundaries.
    if (!out.global.qrs_onset.found()) out.global.qrs_onset = Robust(qon, true);
    if (!out.global.qrs_offset.found()) out.global.qrs_offset = Robust(qoff, false);
  }
  // T waves again, every lead searched in the window after the global QRS
  // (a lead whose own QRS offset is late must not start its T search late).
  std::vector<Fiducial> pon, poff, ppk, tpk;
  int with_p = 0;
  for (LeadDelineation& ld : out.leads) {
    if (!ld.usable) continue;
    ld.waves = DelineateBeat(ld.median_beat, pre, fs, rr_med, &ld.usable, &ld.p_present,
                             &ld.t_amplitude_mv, &ld.p_amplitude_mv, out.global.qrs_onset.index,
                             out.global.qrs_offset.index);
    SetMs(&ld.waves, pre, fs);
    ld.intervals = Intervals(ld.waves, fs, rr_ms);
    tpk.push_back(ld.waves.t_peak);
    if (ld.p_present) {
      ++with_p;
      pon.push_back(ld.waves.p_onset);
      poff.push_back(ld.waves.p_offset);
      ppk.push_back(ld.waves.p_peak);
    }
  }
  out.global.r_peak.index = pre;
  {
    double tmax = 0;
    for (const LeadDelineation& ld : out.leads)
      if (ld.usable && ld.waves.t_offset.found()) tmax = std::max(tmax, ld.t_amplitude_mv);
    std::vector<int> v;
    for (const LeadDelineation& ld : out.leads)
      if (ld.usable && ld.waves.t_offset.found() && ld.t_amplitude_mv >= 0.08 * tmax)
        v.push_back(ld.waves.t_offset.index);
    std::sort(v.begin(), v.end());
    if (!v.empty()) out.global.t_offset.index = v.back();
  }
  if (out.global.t_offset.found()) {
    std::vector<double> v;
    for (const Fiducial& f : tpk)
      if (f.found()) v.push_back(f.index);
    out.global.t_peak.index = static_cast<int>(std::lround(Median(v)));
  }
  out.p_present = with_p >= std::max(1, (usable + 3) / 4);
  if (out.p_present) {
    out.global.p_onset = MedianFiducial(pon);
    out.global.p_offset = MedianFiducial(poff);
    std::vector<double> v;
    for (const Fiducial& f : ppk) v.push_back(f.index);
    out.global.p_peak.index = static_cast<int>(std::lround(Median(v)));
  } else {
    out.notes.push_back("no P wave found in enough leads: PR and P duration not measured");
  }
  SetMs(&out.global, pre, fs);
  out.intervals = Intervals(out.global, fs, rr_ms);
  {
    const Fiducial on = Robust(qon, true), off = Robust(qoff, false);
    if (on.found() && off.found() && off.index > on.index) out.qrs_lead_span_ms = (off.index - on.index) * 1000.0 / fs;
  }
  if (early_followers) {
    for (EcgIntervals* iv : {&out.intervals}) iv->qt_ms = iv->qtc_bazett_ms = iv->qtc_fridericia_ms = kNotMeasured;
    for (LeadDelineation& ld : out.leads)
      ld.intervals.qt_ms = ld.intervals.qtc_bazett_ms = ld.intervals.qtc_fridericia_ms = kNotMeasured;
    out.notes.push_back("an early beat follows most dominant beats (e.g. bigeminy): QT not measured");
  }
  if (!out.global.t_offset.found()) out.notes.push_back("no T wave offset: QT not measured");
  return out;
}

}  // namespace ecgr1
