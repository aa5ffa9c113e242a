// amplitudes.cc — wave amplitudes of one lead's median beat (method in amplitudes.h).
#include "measure/amplitudes.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "measure/signal_math.h"

namespace ecgr1 {
namespace {

// The beat amplitudes are read on: the PR-segment-corrected median beat when
// the delineation made one, else the timing median beat.
const std::vector<double>& AmplitudeBeat(const LeadDelineation& lead) {
  return lead.amplitude_beat.size() == lead.median_beat.size() ? lead.amplitude_beat : lead.median_beat;
}


bool Inside(const Fiducial& f, int n) { return f.index >= 0 && f.index < n; }

// The lead's fiducial when found (and inside the beat), else the global one, else -1.
int Pick(const Fiducial& own, const Fiducial& global, int n) {
  if (Inside(own, n)) return own.index;
  if (Inside(global, n)) return global.index;
  return -1;
}

double MedianOf(const std::vector<double>& x, int a, int b) {
  return Median(std::vector<double>(x.begin() + a, x.begin() + b + 1));
}

// Largest |x - iso| in [a, b], signed.
double SignedPeak(const std::vector<double>& x, double iso, int a, int b) {
  double best = 0;
  for (int i = a; i <= b; ++i)
    if (std::abs(x[i] - iso) > std::abs(best)) best = x[i] - iso;
  return best;
}

struct Lobe {
  int sign = 0;       // +1 / -1
  double peak = 0;    // signed extreme of x - iso
  double start = 0;   // fractional sample index (interpolated crossing)
  double end = 0;
  int peak_index = 0;
};

// Lobes of y = x - iso over [on, off] between zero crossings.
std::vector<Lobe> Lobes(const std::vector<double>& x, double iso, int on, int off) {
  std::vector<Lobe> out;
  Lobe cur;
  double prev = 0;
  for (int i = on; i <= off; ++i) {
    const double y = x[i] - iso;
    const int sg = y > 0 ? 1 : y < 0 ? -1 : 0;
    if (sg != 0 && sg != cur.sign) {
      double t = i;
      if (i > on && prev != 0 && (prev > 0) != (y > 0)) t = (i - 1) + prev / (prev - y);
      else if (i > on && prev == 0) t = i - 1;
      if (cur.sign != 0) {
        cur.end = t;
        out.push_back(cur);
      }
      cur = Lobe();
      cur.sign = sg;
      cur.start = i == on ? on : t;
    }
    if (cur.sign != 0 && std::abs(y) > std::abs(cur.peak) && sg == cur.sign) {
      cur.peak = y;
      cur.peak_index = i;
    }
    prev = y;
  }
  if (cur.sign != 0) {
    cur.end = off;
    out.push_back(cur);
  }
  return out;
}

// P peak bounding the search for the PR segment: the lead's, else the global one; -1 when none.
int PPeak(const LeadDelineation& lead, const Delineation& d, int n) {
  if (lead.p_present && Inside(lead.waves.p_peak, n)) return lead.waves.p_peak.index;
  if (d.p_present && Inside(d.global.p_peak, n)) return d.global.p_peak.index;
  return -1;
}

struct IsoWindow {
  double level = kNotMeasured;
  int end = -1;  // last sample of the window used
};

// Isoelectric level for a QRS starting at sample `on`: the latest flat window
// (see amplitudes.h) between the P peak (or on - kIsoSearchS) and `on`.
IsoWindow IsoBefore(const LeadDelineation& lead, const Delineation& d, int on) {
  const std::vector<double>& x = AmplitudeBeat(lead);
  const int n = static_cast<int>(x.size());
  IsoWindow out;
  if (on < 0 || on >= n) return out;
  const int w = std::max(3, Samples(kIsoWindowS, d.fs));
  int lo = std::max(0, on - Samples(kIsoSearchS, d.fs));
  const int pk = PPeak(lead, d, n);
  if (pk >= 0 && pk + 1 > lo && pk < on) lo = pk + 1;
  const int hi = on - 1;
  if (hi - lo + 1 < w) {  // too little room: the w samples before onset
    const int a = std::max(0, on - w), b = std::max(a, on - 1);
    out.level = MedianOf(x, a, b);
    out.end = b;
    return out;
  }
  std::vector<double> range(hi - w + 2 - lo);
  double min_range = INFINITY;
  for (int st = lo; st + w - 1 <= hi; ++st) {
    const auto [mn, mx] = std::minmax_element(x.begin() + st, x.begin() + st + w);
    range[st - lo] = *mx - *mn;
    min_range = std::min(min_range, range[st - lo]);
  }
  const double thr = std::max(kIsoFlatMv, 2.0 * min_range);
  for (int st = hi - w + 1; st >= lo; --st)
    if (range[st - lo] <= thr) {
      out.level = MedianOf(x, st, st + w - 1);
      out.end = st + w - 1;
      return out;
    }
  return out;  // not reached: the flattest window always qualifies
}

}  // namespace

double IsoelectricLevel(const LeadDelineation& lead, const Delineation& d) {
  const std::vector<double>& x = AmplitudeBeat(lead);
  const int n = static_cast<int>(x.size());
  if (n < 2 || !(d.fs > 0)) return kNotMeasured;
  int on = -1;
  for (const Fiducial* f : {&lead.waves.qrs_onset, &d.global.qrs_onset})
    if (Inside(*f, n)) on = on < 0 ? f->index : std::min(on, f->index);
  return IsoBefore(lead, d, on).level;
}

double NetArea(const LeadDelineation& lead, double iso, int from, int to, double fs) {
  const std::vector<double>& x = AmplitudeBeat(lead);
  const int n = static_cast<int>(x.size());
  if (!std::isfinite(iso) || !(fs > 0) || from < 0 || to >= n || to <= from) return kNotMeasured;
  double s = 0;
  for (int i = from; i < to; ++i) s += 0.5 * ((x[i] - iso) + (x[i + 1] - iso));
  return s / fs;
}

LeadAmplitudes MeasureAmplitudes(const LeadDelineation& lead, const Delineation& d) {
  LeadAmplitudes a;
  const std::vector<double>& x = AmplitudeBeat(lead);
  const int n = static_cast<int>(x.size());
  if (!lead.usable || n < 4 || !(d.fs > 0) || !std::isfinite(d.fs)) return a;
  for (double v : x)
    if (!std::isfinite(v)) return a;
  const double fs = d.fs;
  double iso = IsoelectricLevel(lead, d);
  int on = Pick(lead.waves.qrs_onset, d.global.qrs_onset, n);
  int off = Pick(lead.waves.qrs_offset, d.global.qrs_offset, n);
  // A lead's own QRS may not stray far outside the global one (a low-voltage
  // lead's offset can run into the T wave).
  const int slack = Samples(kQrsSlackS, fs);
  if (on >= 0 && Inside(d.global.qrs_onset, n)) on = std::max(on, d.global.qrs_onset.index - slack);
  if (off >= 0 && Inside(d.global.qrs_offset, n)) off = std::min(off, d.global.qrs_offset.index + slack);
  if (!std::isfinite(iso) || on < 0 || off <= on) return a;
  // A late QRS onset can cut off the start of an initial q (or r): when the beat
  // is already clearly off the baseline at the onset, walk back to where it
  // crosses the baseline (at most kOnsetBackS, never into the isoelectric
  // window, which lies before any such crossing).
  {
    const double y0 = x[on] - iso;
    if (std::abs(y0) >= kOnsetOffBaselineMv) {
      int lo = std::max(0, on - Samples(kOnsetBackS, fs));
      const int global_on = Inside(d.global.qrs_onset, n) ? std::min(on, d.global.qrs_onset.index) : on;
      lo = std::max(lo, IsoBefore(lead, d, global_on).end + 1);
      int i = on;
      while (i > lo && (x[i - 1] - iso) * y0 > 0) --i;
      if (i > lo || (x[lo] - iso) * y0 <= 0 || lo > on - Samples(kOnsetBackS, fs)) on = i;
    }
  }

  // QRS waves.
  const double ms_per_sample = 1000.0 / fs;
  std::vector<Lobe> waves;
  for (const Lobe& l : Lobes(x, iso, on, off)) {
    const bool significant = std::abs(l.peak) >= kMinWaveMv && (l.end - l.start) * ms_per_sample >= kMinWaveMs;
    if (!significant) continue;
    if (!waves.empty() && waves.back().sign == l.sign) {
      Lobe& m = waves.back();
      if (std::abs(l.peak) > std::abs(m.peak)) {
        m.peak = l.peak;
        m.peak_index = l.peak_index;
      }
      m.end = l.end;
    } else {
      waves.push_back(l);
    }
  }
  // The last wave may be no wave at all but the start of a deviated ST segment:
  // still at >= kStTailFraction of its peak at the QRS offset (a J point above
  // the baseline makes a false R', below it a false S).
  if (waves.size() >= 2) {
    const Lobe& last = waves.back();
    if (std::abs(x[off] - iso) >= kStTailFraction * std::abs(last.peak) && (x[off] - iso) * last.peak > 0)
      waves.pop_back();
  }
  a.q_mv = a.r_mv = a.s_mv = a.r_prime_mv = 0;
  a.q_ms = a.r_ms = a.s_ms = a.r_peak_time_ms = 0;
  size_t first_pos = waves.size();
  for (size_t i = 0; i < waves.size(); ++i)
    if (waves[i].sign > 0) { first_pos = i; break; }
  if (first_pos == waves.size()) {
    if (!waves.empty()) {  // QS
      a.q_mv = waves[0].peak;
      a.q_ms = (waves[0].end - waves[0].start) * ms_per_sample;
    }
  } else {
    if (first_pos > 0) {
      const Lobe& q = waves[first_pos - 1];
      a.q_mv = q.peak;
      a.q_ms = (q.end - q.start) * ms_per_sample;
    }
    int r_prime_index = 0;
    a.r_mv = waves[first_pos].peak;
    a.r_ms = (waves[first_pos].end - waves[first_pos].start) * ms_per_sample;
    if (first_pos + 1 < waves.size()) {
      const Lobe& s = waves[first_pos + 1];
      a.s_mv = s.peak;
      a.s_ms = (s.end - s.start) * ms_per_sample;
      for (size_t i = first_pos + 2; i < waves.size(); ++i)
        if (waves[i].sign > 0 && waves[i].peak > a.r_prime_mv) {
          a.r_prime_mv = waves[i].peak;
          r_prime_index = waves[i].peak_index;
        }
    }
    const int tallest = a.r_prime_mv > a.r_mv ? r_prime_index : waves[first_pos].peak_index;
    const int onset0 = Inside(d.global.qrs_onset, n) ? std::min(on, d.global.qrs_onset.index) : on;
    a.r_peak_time_ms = std::max(0, tallest - onset0) * ms_per_sample;
  }
  {
    const auto [mn, mx] = std::minmax_element(x.begin() + on, x.begin() + off + 1);
    a.qrs_pp_mv = *mx - *mn;
  }

  // ST at J, J+60, J+80 ms: J = the global QRS offset (common to all leads).
  const int j = Inside(d.global.qrs_offset, n) ? d.global.qrs_offset.index : off;
  auto at = [&](int i) { return i >= 0 && i < n ? x[i] - iso : kNotMeasured; };
  a.st_j_mv = at(j);
  a.st_j60_mv = at(j + Samples(0.060, fs));
  a.st_j80_mv = at(j + Samples(0.080, fs));

  // P wave.
  {
    int ps = -1, pe = -1;
    if (lead.p_present && Inside(lead.waves.p_onset, n) && Inside(lead.waves.p_offset, n)) {
      ps = lead.waves.p_onset.index;
      pe = lead.waves.p_offset.index;
    } else if (d.p_present && Inside(d.global.p_onset, n) && Inside(d.global.p_offset, n)) {
      ps = d.global.p_onset.index;
      pe = d.global.p_offset.index;
    }
    pe = std::min(pe, on - 1);
    if (ps >= 0 && pe > ps) a.p_mv = SignedPeak(x, iso, ps, pe);
  }

  // T wave.
  {
    const int tp = Pick(lead.waves.t_peak, d.global.t_peak, n);
    if (tp >= 0) {
      const int t_end = Pick(lead.waves.t_offset, d.global.t_offset, n);
      const int w = Samples(kTSearchS, fs);
      const int lo = std::max(std::max(j, off) + 1, tp - w);
      const int hi = std::min(t_end >= 0 ? t_end : n - 1, std::min(n - 1, tp + w));
      if (hi >= lo) a.t_mv = SignedPeak(x, iso, lo, hi);
      else if (tp > off) a.t_mv = x[tp] - iso;
    }
  }
  return a;
}

}  // namespace ecgr1
