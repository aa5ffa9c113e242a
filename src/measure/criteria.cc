// criteria.cc — frontal axes, protocol criteria and the amplitude plausibility
// gate (method and thresholds in criteria.h).
#include "measure/criteria.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "measure/amplitudes.h"

namespace ecgr1 {
namespace {

constexpr double kRadToDeg = 180.0 / M_PI;

// Index of the first lead with canonical name `name`, or -1.
int Find(const std::vector<LeadMeasurements>& leads, const std::string& name) {
  for (size_t i = 0; i < leads.size(); ++i)
    if (leads[i].canonical == name) return static_cast<int>(i);
  return -1;
}

// Amplitudes of a lead by canonical name, nullptr when absent or not measured.
const LeadAmplitudes* Amp(const std::vector<LeadMeasurements>& leads, const std::string& name) {
  const int i = Find(leads, name);
  if (i < 0) return nullptr;
  const LeadAmplitudes& a = leads[i].amplitudes;
  if (!std::isfinite(a.r_mv) || !std::isfinite(a.qrs_pp_mv) || !leads[i].quality.usable) return nullptr;
  return &a;
}

// Depth (>= 0) of the largest negative QRS deflection after R, or of the QS wave.
double NegativeDepth(const LeadAmplitudes& a) {
  return a.r_mv > 0 ? -a.s_mv : -a.q_mv;
}

// Limb leads as linear combinations of (I, II): lead = cI * I + cII * II.
struct LimbCoef {
  const char* name;
  double c_i, c_ii;
};
constexpr LimbCoef kLimb[] = {{"I", 1, 0},       {"II", 0, 1},       {"III", -1, 1},
                              {"aVR", -0.5, -0.5}, {"aVL", 1, -0.5}, {"aVF", -0.5, 1}};

// Frontal angle of one wave: net area over median-beat samples [from, to] in
// every available limb lead, least-squares fit of (I, II), aVF = II - I/2,
// angle = atan2(aVF, I). NaN when fewer than two independent limb leads.
double WaveAngle(const std::vector<LeadMeasurements>& leads, const Delineation& d, int from, int to) {
  if (from < 0 || to <= from) return kNotMeasured;
  double s11 = 0, s12 = 0, s22 = 0, b1 = 0, b2 = 0, scale = 0;
  for (const LimbCoef& c : kLimb) {
    const int li = Find(leads, c.name);
    if (li < 0 || li >= static_cast<int>(d.leads.size())) continue;
    const LeadDelineation& ld = d.leads[li];
    if (!ld.usable || !std::isfinite(leads[li].amplitudes.qrs_pp_mv)) continue;
    if (!leads[li].quality.usable) continue;
    const double iso = IsoelectricLevel(ld, d);
    const double area = NetArea(ld, iso, from, to, d.fs);
    if (!std::isfinite(area)) continue;
    s11 += c.c_i * c.c_i;
    s12 += c.c_i * c.c_ii;
    s22 += c.c_ii * c.c_ii;
    b1 += c.c_i * area;
    b2 += c.c_ii * area;
    scale = std::max(scale, std::abs(area));
  }
  const double det = s11 * s22 - s12 * s12;
  if (det < 1e-6) return kNotMeasured;
  const double lead_i = (s22 * b1 - s12 * b2) / det;
  const double lead_ii = (s11 * b2 - s12 * b1) / det;
  // The clinical (hexaxial) convention: axis = atan2(aVF, I), every limb lead
  // taken as equally sensitive. With Einthoven's triangle taken literally aVF is
  // (sqrt(3)/2) A sin(theta) and the angle would need a 2/sqrt(3) factor; that
  // moved the GE MUSE record's P/T axes away from GE's own (54/111 -> 58/109
  // deg against GE 48/111), so the machines evidently use the convention too.
  const double avf = lead_ii - 0.5 * lead_i;
  // A vector that vanishes in every lead (no wave) has no direction.
  if (std::hypot(lead_i, avf) < 1e-6 || std::hypot(lead_i, avf) < 1e-3 * scale) return kNotMeasured;
  double deg = std::atan2(avf, lead_i) * kRadToDeg;
  if (deg <= -180.0) deg += 360.0;
  return deg;
}

int Index(const Fiducial& f, int n) { return f.index >= 0 && f.index < n ? f.index : -1; }

template <typename... Args>
std::string Fmt(const char* fmt, Args... args) {
  char buf[300];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

}  // namespace

std::string QrsAxisClass(double deg) {
  if (!std::isfinite(deg)) return "";
  if (deg >= -30.0 && deg <= 90.0) return "normal";
  if (deg < -30.0 && deg >= -90.0) return "left";
  if (deg > 90.0 && deg <= 180.0) return "right";
  return "extreme";
}

FrontalAxes ComputeAxes(const std::vector<LeadMeasurements>& leads, const Delineation& d) {
  FrontalAxes ax;
  if (d.leads.size() != leads.size() || d.beat_length <= 0 || !(d.fs > 0)) return ax;
  const int n = d.beat_length;
  const int qon = Index(d.global.qrs_onset, n), qoff = Index(d.global.qrs_offset, n);
  if (qon >= 0 && qoff > qon) ax.qrs_deg = WaveAngle(leads, d, qon, qoff);
  if (d.p_present) {
    const int pon = Index(d.global.p_onset, n), poff = Index(d.global.p_offset, n);
    if (pon >= 0 && poff > pon) ax.p_deg = WaveAngle(leads, d, pon, poff);
  }
  const int toff = Index(d.global.t_offset, n);
  if (qoff >= 0 && toff > qoff) ax.t_deg = WaveAngle(leads, d, qoff, toff);
  ax.qrs_class = QrsAxisClass(ax.qrs_deg);
  return ax;
}

EcgCriteria ComputeCriteria(const std::vector<LeadMeasurements>& leads, const Delineation& d,
                            const FrontalAxes& axes) {
  EcgCriteria c;
  const LeadAmplitudes* v1 = Amp(leads, "V1");
  const LeadAmplitudes* v2 = Amp(leads, "V2");
  const LeadAmplitudes* v3 = Amp(leads, "V3");
  const LeadAmplitudes* v4 = Amp(leads, "V4");
  const LeadAmplitudes* v5 = Amp(leads, "V5");
  const LeadAmplitudes* v6 = Amp(leads, "V6");
  const LeadAmplitudes* avl = Amp(leads, "aVL");
  const LeadAmplitudes* li = Amp(leads, "I");

  // Voltage criteria.
  if (v1 && (v5 || v6)) {
    double r = 0;
    if (v5) r = std::max(r, v5->r_mv);
    if (v6) r = std::max(r, v6->r_mv);
    c.sokolow_lyon_mv = NegativeDepth(*v1) + r;
  }
  if (avl) c.r_avl_mv = avl->r_mv;
  if (li) c.r_i_mv = li->r_mv;
  if (avl && v3) c.cornell_mv = avl->r_mv + NegativeDepth(*v3);
  c.lvh_voltage = (c.sokolow_lyon_mv >= kSokolowLyonMv) || (c.r_avl_mv > kRAvlMv) || (c.cornell_mv > kCornellMv);

  // Low voltage: every limb (precordial) lead measured and below the limit.
  {
    int n_limb = 0, low_limb = 0, n_prec = 0, low_prec = 0;
    for (const char* name : {"I", "II", "III", "aVR", "aVL", "aVF"})
      if (const LeadAmplitudes* a = Amp(leads, name)) {
        ++n_limb;
        low_limb += a->qrs_pp_mv < kLowVoltageLimbMv;
      }
    for (const char* name : {"V1", "V2", "V3", "V4", "V5", "V6"})
      if (const LeadAmplitudes* a = Amp(leads, name)) {
        ++n_prec;
        low_prec += a->qrs_pp_mv < kLowVoltagePrecordialMv;
      }
    c.low_voltage_limb = n_limb >= kLowVoltageMinLeads && low_limb == n_limb;
    c.low_voltage_precordial = n_prec >= kLowVoltageMinLeads && low_prec == n_prec;
  }

  // R-wave progression.
  if (v2 && v3 && v4 && v3->r_mv < v2->r_mv - kReversalStepMv && v4->r_mv < v3->r_mv - kReversalStepMv)
    c.r_progression = "reversed";
  else if (v3 && (v1 || v2) && v3->r_mv <= kPoorRV3Mv)
    c.r_progression = "poor";
  else if (v3 && (v1 || v2))
    c.r_progression = "normal";

  // Conduction.
  const double qrs = d.intervals.qrs_ms;
  if (std::isfinite(qrs) && qrs <= kMaxCredibleQrsMs) {
    bool rbbb_v1 = false, rsr_v1 = false, lbbb_v1 = false;
    if (v1) {
      rsr_v1 = v1->r_prime_mv >= kMinWaveMv;
      rbbb_v1 = rsr_v1 || (v1->r_mv > NegativeDepth(*v1) && v1->r_mv >= kRbbbDominantRMv);
      lbbb_v1 = NegativeDepth(*v1) > v1->r_mv && v1->r_mv <= kLbbbMaxRV1Mv && v1->r_prime_mv < kMinWaveMv;
    }
    int wide_s = 0;
    for (const LeadAmplitudes* a : {li, v6})
      if (a && a->s_ms >= kWideSMs && -a->s_mv >= kMinWaveMv) ++wide_s;
    int mono = 0, lateral = 0;
    for (const char* name : {"I", "aVL", "V5", "V6"})
      if (const LeadAmplitudes* a = Amp(leads, name)) {
        ++lateral;
        if (a->r_mv >= kMinWaveMv && a->q_mv == 0 && -a->s_mv < kLbbbMaxSFraction * a->r_mv) ++mono;
      }
    // Delayed intrinsicoid deflection in V5/V6 (I/aVL when neither is measured).
    bool late_r = false;
    if (v5 || v6) {
      for (const LeadAmplitudes* a : {v5, v6})
        if (a && a->r_peak_time_ms >= kLbbbMinRPeakTimeMs) late_r = true;
    } else {
      for (const LeadAmplitudes* a : {li, avl})
        if (a && a->r_peak_time_ms >= kLbbbMinRPeakTimeMs) late_r = true;
    }
    const bool lbbb_lateral = lateral > 0 && mono >= std::min(2, lateral) && late_r;
    if (qrs >= kBbbQrsMs && rbbb_v1 && wide_s > 0) c.bundle_branch_block = "RBBB";
    else if (qrs >= kBbbQrsMs && lbbb_v1 && lbbb_lateral) c.bundle_branch_block = "LBBB";
    else if (qrs >= kIvcdQrsMs && qrs < kBbbQrsMs && rsr_v1) c.bundle_branch_block = "incomplete RBBB";
    else if (qrs >= kIvcdQrsMs) c.bundle_branch_block = "IVCD";
    c.left_anterior_fascicular_block = qrs < kBbbQrsMs && std::isfinite(axes.qrs_deg) &&
                                       axes.qrs_deg <= kLafbAxisDeg && axes.qrs_deg >= -90.0;
  }
  c.first_degree_av_block = d.intervals.pr_ms > kFirstDegreeAvbPrMs;

  // Pathological Q waves: the Fourth Universal Definition of Myocardial
  // Infarction (Thygesen et al. 2018), on leads whose Q is credible.
  struct QLead { std::string name; int group; bool meets; };
  std::vector<QLead> q_leads;
  for (const LeadMeasurements& l : leads) {
    if (l.canonical.empty() || l.canonical == "aVR") continue;
    if (Amp(leads, l.canonical) != &l.amplitudes) continue;  // a repeated name: first only
    if (!l.quality.usable) continue;
    const LeadAmplitudes& a = l.amplitudes;
    if (!std::isfinite(a.r_mv) || !std::isfinite(a.q_ms) || !(a.q_mv < 0)) continue;
    if (c.bundle_branch_block == "LBBB" && (l.canonical == "V1" || l.canonical == "V2" || l.canonical == "V3"))
      continue;
    const bool qs = a.r_mv <= kQsMaxRMv;
    if (!qs && std::isfinite(qrs) && a.q_ms >= kDoubtfulQFractionOfQrs * qrs) {
      c.doubtful_q_leads.push_back(l.canonical);  // a Q as wide as the QRS: the delineation failed
      continue;
    }
    const std::string& n = l.canonical;
    const bool v2v3 = n == "V2" || n == "V3";
    const double depth = -a.q_mv;
    const bool meets = v2v3 ? (qs || a.q_ms >= kPathQV2V3Ms)
                            : (n != "V1" || !qs) && ((a.q_ms >= kPathQMs && depth >= kPathQMv) || qs);
    const int group = (n == "I" || n == "aVL") ? 0 : (n == "II" || n == "III" || n == "aVF") ? 1 : 2;
    q_leads.push_back({n, group, meets});
  }
  auto meets = [&](const char* name) {
    for (const QLead& q : q_leads)
      if (q.name == name) return q.meets;
    return false;
  };
  const bool v4_v6 = meets("V4") || meets("V5") || meets("V6");
  for (const QLead& q : q_leads) {
    if (!q.meets) continue;
    bool listed = false;
    if (q.name == "V2" || q.name == "V3") {
      listed = (meets("V2") && meets("V3")) || v4_v6;  // the V2-V3 criterion needs both leads
    } else if (q.name == "III") {
      listed = meets("II") || meets("aVF");  // III only beside a criterion lead
    } else if (q.name == "V1") {
      listed = v4_v6 || (meets("V2") && meets("V3"));  // a septal QS/Q alone is normal
    } else {
      for (const QLead& o : q_leads)  // two contiguous leads
        listed = listed || (&o != &q && o.meets && o.group == q.group && o.name != "V1" &&
                            (o.group != 2 || (o.name != "V2" && o.name != "V3") || (meets("V2") && meets("V3"))));
    }
    if (listed) c.pathological_q_leads.push_back(q.name);
  }
  return c;
}

bool AmplitudesPlausible(const std::vector<LeadMeasurements>& leads, std::string* why) {
  if (why) why->clear();
  std::vector<double> pp;  // leads with a measured QRS, neither flat nor saturated
  double max_pp = 0, max_any = 0;
  std::string max_lead, max_any_lead;
  bool any = false;
  for (const LeadMeasurements& l : leads) {
    const double v = l.amplitudes.qrs_pp_mv;
    if (!std::isfinite(v)) continue;
    const std::string name = l.lead.empty() ? l.canonical : l.lead;
    if (!any || v > max_any) {
      max_any = v;
      max_any_lead = name;
    }
    any = true;
    if (l.quality.flat || l.quality.saturated) continue;
    if (pp.empty() || v > max_pp) {
      max_pp = v;
      max_lead = name;
    }
    pp.push_back(v);
  }
  if (!any) return true;  // nothing measured: nothing to judge
  // A QRS was measured (so beats were detected) yet every lead is tiny; such
  // leads are also "flat" by the quality check, so all measured leads count here.
  if (max_any < kMinQrsPpMv) {
    if (why)
      *why = Fmt("implausible amplitudes: the largest QRS (lead %s) is only %.3f mV peak-to-peak although beats "
                 "were detected (units V instead of mV?)",
                 max_any_lead.c_str(), max_any);
    return false;
  }
  if (pp.empty()) return true;
  if (max_pp > kMaxQrsPpMv) {
    if (why)
      *why = Fmt("implausible amplitudes: QRS of lead %s is %.1f mV peak-to-peak (more than any human ECG; "
                 "gain or units wrong?)",
                 max_lead.c_str(), max_pp);
    return false;
  }
  double mean = 0;
  for (double v : pp) mean += v;
  mean /= static_cast<double>(pp.size());
  if (static_cast<int>(pp.size()) >= kMinLeadsForMean && mean > kMaxMeanQrsPpMv) {
    if (why)
      *why = Fmt("implausible amplitudes: QRS peak-to-peak averages %.1f mV over %d leads (largest: lead %s, "
                 "%.1f mV); gain or units wrong?",
                 mean, static_cast<int>(pp.size()), max_lead.c_str(), max_pp);
    return false;
  }
  // Real leads differ several-fold in QRS size (aVR and V2 against III or
  // aVL); leads that all span nearly the same voltage were rescaled one by one
  // (a per-lead normalisation), so amplitudes and their ratios mean nothing.
  if (static_cast<int>(pp.size()) >= kMinLeadsForNormalised) {
    const double lo = *std::min_element(pp.begin(), pp.end());
    if (lo > 0 && max_pp / lo < kMaxNormalisedSpread) {
      if (why)
        *why = Fmt("implausible amplitudes: the QRS of all %d leads spans %.2f-%.2f mV peak-to-peak, nearly the "
                   "same (amplitudes normalised lead by lead?)",
                   static_cast<int>(pp.size()), lo, max_pp);
      return false;
    }
  }
  if (why) why->clear();
  return true;
}

}  // namespace ecgr1
