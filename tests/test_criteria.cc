// Tests of frontal axes, protocol criteria and the amplitude plausibility gate
// (measure/criteria.h), tag [criteria]:
//   - criteria on hand-set amplitudes, each threshold from both sides
//     (Sokolow-Lyon, R aVL, Cornell, low voltage, R progression, pathological
//     Q, RBBB / incomplete RBBB / LBBB / IVCD, LAFB, first-degree AV block);
//   - axes from hand-built median beats of known net area in I and aVF, with
//     every way of having two limb leads (I+aVF, I+II, II+III, ...), and through
//     the whole pipeline on a synthetic record; the axis classes;
//   - the GE MUSE record: axes against the machine's P 48, QRS 0, T 111 degrees
//     (+-15), and its 5x gain defect tripping the plausibility gate;
//   - the gate staying quiet on correctly scaled real records (tests/data, and
//     the 15 CinC 2021 records, MIT-BIH 100 from the shared folder when present);
//   - the CinC records labelled left ventricular high voltage (JS20003, JS20004)
//     meeting the voltage criteria, the others not.
#include <catch2/catch.hpp>
#include <cmath>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "io/ecg_record.h"
#include "measure/amplitudes.h"
#include "measure/criteria.h"
#include "measure/delineation.h"
#include "measure/qrs_detector.h"
#include "measure/signal_quality.h"
#include "preprocess/ecg_signal.h"
#include "test_util.h"

using namespace ecgr1;

namespace {

const std::string kEcg = std::string(ECGR1_TEST_DATA) + "/ecg";
const char* const kTwelve[] = {"I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"};

// Twelve leads with an unremarkable qRs-free "R 0.8 / S -0.3" complex.
std::vector<LeadMeasurements> NormalLeads() {
  std::vector<LeadMeasurements> v;
  for (const char* name : kTwelve) {
    LeadMeasurements l;
    l.lead = l.canonical = name;
    LeadAmplitudes& a = l.amplitudes;
    a.p_mv = 0.1;
    a.q_mv = 0;
    a.q_ms = 0;
    a.r_mv = 0.8;
    a.r_ms = 40;
    a.r_peak_time_ms = 35;
    a.s_mv = -0.3;
    a.s_ms = 30;
    a.r_prime_mv = 0;
    a.qrs_pp_mv = 1.1;
    a.st_j_mv = a.st_j60_mv = a.st_j80_mv = 0;
    a.t_mv = 0.3;
    v.push_back(l);
  }
  return v;
}

LeadAmplitudes& A(std::vector<LeadMeasurements>& v, const std::string& name) {
  for (LeadMeasurements& l : v)
    if (l.canonical == name) return l.amplitudes;
  throw std::runtime_error("no lead " + name);
}

Delineation WithIntervals(double qrs_ms, double pr_ms = 160) {
  Delineation d;
  d.fs = 500;
  d.intervals.qrs_ms = qrs_ms;
  d.intervals.pr_ms = pr_ms;
  return d;
}

EcgCriteria Criteria(const std::vector<LeadMeasurements>& v, double qrs_ms, double pr_ms = 160,
                     double axis = 45) {
  FrontalAxes ax;
  ax.qrs_deg = axis;
  return ComputeCriteria(v, WithIntervals(qrs_ms, pr_ms), ax);
}

// Everything MeasureEcg will compute, for a record.
struct Measured {
  EcgRecord rec;
  Delineation d;
  std::vector<LeadMeasurements> leads;
  FrontalAxes axes;
  EcgCriteria criteria;
  bool plausible = true;
  std::string why;
};

Measured MeasureAll(const std::string& path) {
  Measured m;
  m.rec = ReadEcgRecord(path);
  const std::vector<int64_t> peaks = DetectQrs(m.rec);
  m.d = DelineateEcg(m.rec, peaks);
  const std::vector<LeadQuality> q = AssessSignalQuality(m.rec, peaks);
  for (size_t i = 0; i < m.rec.leads.size(); ++i) {
    LeadMeasurements l;
    l.lead = m.rec.leads[i];
    l.canonical = CanonicalLeadName(l.lead);
    l.quality = q[i];
    l.amplitudes = MeasureAmplitudes(m.d.leads[i], m.d);
    m.leads.push_back(l);
  }
  m.axes = ComputeAxes(m.leads, m.d);
  m.criteria = ComputeCriteria(m.leads, m.d, m.axes);
  m.plausible = AmplitudesPlausible(m.leads, &m.why);
  return m;
}

double HalfSine(double t, double t0, double w, double amp) {
  return t > t0 && t < t0 + w ? amp * std::sin(M_PI * (t - t0) / w) : 0.0;
}

// Frontal components (lead I, lead aVF) of P, QRS and T, as amplitudes of
// fixed shapes (ms from R): P half-sine [-200,-100]; QRS q/R/s; T [160, 360].
struct Frontal {
  double p_i, p_f, qrs_i, qrs_f, t_i, t_f;
};
double Shape(double t, double p, double qrs, double tw) {
  return HalfSine(t, -200, 100, p) + qrs * (HalfSine(t, -40, 15, -0.1) + HalfSine(t, -25, 45, 1.0) +
                                            HalfSine(t, 20, 25, -0.2)) +
         HalfSine(t, 160, 200, tw);
}
double LeadI(const Frontal& f, double t) { return Shape(t, f.p_i, f.qrs_i, f.t_i); }
double LeadF(const Frontal& f, double t) { return Shape(t, f.p_f, f.qrs_f, f.t_f); }
// Limb lead `name` from I and aVF (II = aVF + I/2).
double Limb(const std::string& name, double i, double avf) {
  const double ii = avf + 0.5 * i;
  if (name == "I") return i;
  if (name == "II") return ii;
  if (name == "III") return ii - i;
  if (name == "aVR") return -0.5 * (i + ii);
  if (name == "aVL") return i - 0.5 * ii;
  return avf;  // aVF
}
double Deg(double y, double x) { return std::atan2(y, x) * 180.0 / M_PI; }
double AngleDiff(double a, double b) { return std::remainder(a - b, 360.0); }

// Hand-built delineation of the given limb leads with fiducials placed exactly.
void HandBuiltLimbs(const Frontal& f, const std::vector<std::string>& names, Delineation* d,
                    std::vector<LeadMeasurements>* leads) {
  const double fs = 500;
  const int pre = 200, post = 350;
  d->fs = fs;
  d->beat_length = pre + post + 1;
  d->r_index = pre;
  d->p_present = true;
  auto at = [&](double ms) {
    Fiducial x;
    x.index = static_cast<int>(std::lround(ms * fs / 1000)) + pre;
    x.ms = ms;
    return x;
  };
  WaveFiducials w;
  w.p_onset = at(-200);
  w.p_peak = at(-150);
  w.p_offset = at(-100);
  w.qrs_onset = at(-40);
  w.r_peak = at(0);
  w.qrs_offset = at(45);
  w.t_peak = at(260);
  w.t_offset = at(360);
  d->global = w;
  for (const std::string& name : names) {
    LeadDelineation ld;
    ld.lead = name;
    ld.usable = true;
    ld.p_present = true;
    ld.waves = w;
    for (int k = 0; k < d->beat_length; ++k) {
      const double t = 1000.0 * (k - pre) / fs;
      ld.median_beat.push_back(Limb(name, LeadI(f, t), LeadF(f, t)));
    }
    d->leads.push_back(ld);
    LeadMeasurements l;
    l.lead = l.canonical = name;
    l.amplitudes = MeasureAmplitudes(d->leads.back(), *d);
    leads->push_back(l);
  }
}

}  // namespace

TEST_CASE("criteria: voltage criteria at their thresholds", "[criteria]") {
  auto v = NormalLeads();
  EcgCriteria c = Criteria(v, 90);
  CHECK(c.sokolow_lyon_mv == Approx(1.1));
  CHECK(c.r_avl_mv == Approx(0.8));
  CHECK(c.r_i_mv == Approx(0.8));
  CHECK(c.cornell_mv == Approx(1.1));
  CHECK_FALSE(c.lvh_voltage);
  // Sokolow-Lyon: |S V1| + max(R V5, R V6).
  A(v, "V1").s_mv = -1.6;
  A(v, "V5").r_mv = 2.0;
  A(v, "V6").r_mv = 1.5;
  c = Criteria(v, 90);
  CHECK(c.sokolow_lyon_mv == Approx(3.6));
  CHECK(c.lvh_voltage);
  A(v, "V5").r_mv = 1.8;  // 3.4
  CHECK(Criteria(v, 90).sokolow_lyon_mv == Approx(3.4));
  CHECK_FALSE(Criteria(v, 90).lvh_voltage);
  // A QS complex in V1 counts with its depth.
  A(v, "V1").r_mv = 0;
  A(v, "V1").s_mv = 0;
  A(v, "V1").q_mv = -1.9;
  CHECK(Criteria(v, 90).sokolow_lyon_mv == Approx(3.7));
  CHECK(Criteria(v, 90).lvh_voltage);
  // R aVL > 1.1.
  v = NormalLeads();
  A(v, "aVL").r_mv = 1.1;
  CHECK_FALSE(Criteria(v, 90).lvh_voltage);
  A(v, "aVL").r_mv = 1.15;
  CHECK(Criteria(v, 90).lvh_voltage);
  // Cornell: R aVL + |S V3| > 2.8.
  v = NormalLeads();
  A(v, "aVL").r_mv = 1.0;
  A(v, "V3").s_mv = -1.7;
  CHECK(Criteria(v, 90).cornell_mv == Approx(2.7));
  CHECK_FALSE(Criteria(v, 90).lvh_voltage);
  A(v, "V3").s_mv = -1.9;
  CHECK(Criteria(v, 90).cornell_mv == Approx(2.9));
  CHECK(Criteria(v, 90).lvh_voltage);
}

TEST_CASE("criteria: low voltage and R-wave progression", "[criteria]") {
  auto v = NormalLeads();
  for (const char* name : {"I", "II", "III", "aVR", "aVL", "aVF"}) A(v, name).qrs_pp_mv = 0.45;
  EcgCriteria c = Criteria(v, 90);
  CHECK(c.low_voltage_limb);
  CHECK_FALSE(c.low_voltage_precordial);
  A(v, "II").qrs_pp_mv = 0.55;
  CHECK_FALSE(Criteria(v, 90).low_voltage_limb);
  for (const char* name : {"V1", "V2", "V3", "V4", "V5", "V6"}) A(v, name).qrs_pp_mv = 0.95;
  CHECK(Criteria(v, 90).low_voltage_precordial);
  A(v, "V4").qrs_pp_mv = 1.05;
  CHECK_FALSE(Criteria(v, 90).low_voltage_precordial);

  // R progression.
  v = NormalLeads();
  const double normal[] = {0.2, 0.5, 0.9, 1.3};
  const double poor[] = {0.15, 0.2, 0.25, 0.6};
  const double reversed[] = {0.3, 1.0, 0.6, 0.3};
  const char* vs[] = {"V1", "V2", "V3", "V4"};
  for (int i = 0; i < 4; ++i) A(v, vs[i]).r_mv = normal[i];
  CHECK(Criteria(v, 90).r_progression == "normal");
  for (int i = 0; i < 4; ++i) A(v, vs[i]).r_mv = poor[i];
  CHECK(Criteria(v, 90).r_progression == "poor");
  A(v, "V1").r_mv = 0.05;  // R grows 0.2 mV from V1 to V3 but stays <= 0.3 mV in V3: poor
  CHECK(Criteria(v, 90).r_progression == "poor");
  A(v, "V3").r_mv = 0.35;
  CHECK(Criteria(v, 90).r_progression == "normal");
  for (int i = 0; i < 4; ++i) A(v, vs[i]).r_mv = reversed[i];
  CHECK(Criteria(v, 90).r_progression == "reversed");
  A(v, "V3").r_mv = NAN;  // V3 not measured
  A(v, "V3").qrs_pp_mv = NAN;
  CHECK(Criteria(v, 90).r_progression.empty());
}

TEST_CASE("criteria: pathological Q waves (Fourth Universal Definition of MI)", "[criteria]") {
  auto v = NormalLeads();
  CHECK(Criteria(v, 90).pathological_q_leads.empty());
  auto q = [&](const char* lead, double mv, double ms, double r) {
    A(v, lead).q_mv = mv;
    A(v, lead).q_ms = ms;
    A(v, lead).r_mv = r;
  };
  using L = std::vector<std::string>;
  q("III", -0.3, 30, 0.5);   // meets the size, but III alone is a normal variant
  q("aVR", -1.0, 60, 0.1);   // aVR: never
  q("V1", -0.9, 70, 0);      // QS in V1: a normal variant
  q("aVL", -0.15, 34, 0.4);  // aVL alone: no contiguous partner
  q("V5", -0.05, 44, 1.5);   // 44 ms but 0.05 mV deep: a septal q, not pathological
  CHECK(Criteria(v, 90).pathological_q_leads == L{});
  q("II", -0.12, 32, 1.2);   // II with III: two contiguous inferior leads
  CHECK(Criteria(v, 90).pathological_q_leads == (L{"II", "III"}));
  q("I", -0.2, 40, 0.6);     // I with aVL: the lateral pair
  CHECK(Criteria(v, 90).pathological_q_leads == (L{"I", "II", "III", "aVL"}));
  q("V2", -0.1, 22, 0.3);    // V2 alone: the V2-V3 criterion needs both
  CHECK(Criteria(v, 90).pathological_q_leads == (L{"I", "II", "III", "aVL"}));
  q("V3", -0.8, 60, 0);      // with a QS in V3: both listed
  CHECK(Criteria(v, 90).pathological_q_leads == (L{"I", "II", "III", "aVL", "V2", "V3"}));
  q("V1", -0.2, 35, 0.3);    // qR in V1 beside pathological V2-V3: listed
  CHECK(Criteria(v, 90).pathological_q_leads == (L{"I", "II", "III", "aVL", "V1", "V2", "V3"}));
  auto s = NormalLeads();    // a QS in V1 and V2 alone (septal): normal
  A(s, "V1").q_mv = -0.6, A(s, "V1").q_ms = 50, A(s, "V1").r_mv = 0;
  A(s, "V2").q_mv = -0.9, A(s, "V2").q_ms = 55, A(s, "V2").r_mv = 0;
  CHECK(Criteria(s, 90).pathological_q_leads.empty());
  // A Q as wide as the QRS is a delineation failure: doubtful, never listed.
  auto w = NormalLeads();
  A(w, "V4").q_mv = -0.3, A(w, "V4").q_ms = 80, A(w, "V4").r_mv = 0.6;
  A(w, "V5").q_mv = -0.3, A(w, "V5").q_ms = 85, A(w, "V5").r_mv = 0.6;
  const EcgCriteria c = Criteria(w, 96);
  CHECK(c.pathological_q_leads.empty());
  CHECK(c.doubtful_q_leads == (L{"V4", "V5"}));
}

TEST_CASE("criteria: bundle branch blocks, LAFB and first-degree AV block", "[criteria]") {
  // RBBB: rSR' in V1, wide S in I and V6.
  auto v = NormalLeads();
  A(v, "V1") = A(v, "V1");
  A(v, "V1").r_mv = 0.2;
  A(v, "V1").s_mv = -0.3;
  A(v, "V1").r_prime_mv = 0.8;
  A(v, "I").s_ms = 50;
  A(v, "V6").s_ms = 55;
  CHECK(Criteria(v, 140).bundle_branch_block == "RBBB");
  CHECK(Criteria(v, 115).bundle_branch_block == "incomplete RBBB");
  CHECK(Criteria(v, 100).bundle_branch_block.empty());
  // qR in V1 (no R') is RBBB too.
  A(v, "V1").r_prime_mv = 0;
  A(v, "V1").q_mv = -0.15;
  A(v, "V1").r_mv = 0.9;
  A(v, "V1").s_mv = 0;
  CHECK(Criteria(v, 140).bundle_branch_block == "RBBB");
  CHECK(Criteria(v, 115).bundle_branch_block == "IVCD");  // no rSR': not incomplete RBBB
  // Without a wide S in I or V6: wide but not RBBB.
  A(v, "I").s_ms = 30;
  A(v, "V6").s_ms = 30;
  CHECK(Criteria(v, 140).bundle_branch_block == "IVCD");

  // LBBB: rS in V1, broad monophasic R with late peak in I, aVL, V5, V6.
  v = NormalLeads();
  A(v, "V1").r_mv = 0.1;
  A(v, "V1").s_mv = -1.5;
  for (const char* name : {"I", "aVL", "V5", "V6"}) {
    A(v, name).r_mv = 1.2;
    A(v, name).s_mv = 0;
    A(v, name).s_ms = 0;
    A(v, name).r_ms = 120;
    A(v, name).r_peak_time_ms = 85;
  }
  CHECK(Criteria(v, 150).bundle_branch_block == "LBBB");
  CHECK(Criteria(v, 300).bundle_branch_block.empty());  // not a credible QRS: no call
  CHECK(Criteria(v, NAN).bundle_branch_block.empty());
  A(v, "V5").r_peak_time_ms = 45;
  A(v, "V6").r_peak_time_ms = 45;
  CHECK(Criteria(v, 150).bundle_branch_block == "IVCD");  // no delayed intrinsicoid deflection
  A(v, "V5").r_peak_time_ms = 85;
  A(v, "V5").q_mv = -0.2;
  A(v, "V6").q_mv = -0.2;
  A(v, "aVL").q_mv = -0.2;
  CHECK(Criteria(v, 150).bundle_branch_block == "IVCD");  // septal q in the lateral leads
  // QS in V1 with LBBB: not a pathological Q.
  A(v, "V6").q_mv = A(v, "aVL").q_mv = A(v, "V5").q_mv = 0;
  A(v, "V1").r_mv = 0;
  A(v, "V1").s_mv = 0;
  A(v, "V1").q_mv = -1.5;
  A(v, "V1").q_ms = 140;
  A(v, "V2").r_mv = 0;
  A(v, "V2").s_mv = 0;
  A(v, "V2").q_mv = -2.0;
  A(v, "V2").q_ms = 140;
  EcgCriteria c = Criteria(v, 150);
  CHECK(c.bundle_branch_block == "LBBB");
  CHECK(c.pathological_q_leads.empty());

  // IVCD: wide, normal morphology.
  v = NormalLeads();
  CHECK(Criteria(v, 125).bundle_branch_block == "IVCD");
  CHECK(Criteria(v, 109).bundle_branch_block.empty());
  // LAFB: axis -45..-90 with QRS < 120.
  CHECK(Criteria(v, 100, 160, -60).left_anterior_fascicular_block);
  CHECK(Criteria(v, 100, 160, -45).left_anterior_fascicular_block);
  CHECK_FALSE(Criteria(v, 100, 160, -40).left_anterior_fascicular_block);
  CHECK_FALSE(Criteria(v, 130, 160, -60).left_anterior_fascicular_block);
  CHECK_FALSE(Criteria(v, 100, 160, -120).left_anterior_fascicular_block);
  CHECK_FALSE(Criteria(v, 100, 160, NAN).left_anterior_fascicular_block);
  // First-degree AV block: PR > 200.
  CHECK(Criteria(v, 90, 220).first_degree_av_block);
  CHECK_FALSE(Criteria(v, 90, 200).first_degree_av_block);
  CHECK_FALSE(Criteria(v, 90, NAN).first_degree_av_block);
}

TEST_CASE("criteria: nothing measured gives empty criteria, not a crash", "[criteria]") {
  EcgCriteria c = ComputeCriteria({}, Delineation(), FrontalAxes());
  CHECK(std::isnan(c.sokolow_lyon_mv));
  CHECK(std::isnan(c.cornell_mv));
  CHECK(std::isnan(c.r_avl_mv));
  CHECK_FALSE(c.lvh_voltage);
  CHECK_FALSE(c.low_voltage_limb);
  CHECK_FALSE(c.low_voltage_precordial);
  CHECK(c.r_progression.empty());
  CHECK(c.pathological_q_leads.empty());
  CHECK(c.bundle_branch_block.empty());
  CHECK_FALSE(c.first_degree_av_block);
  // Twelve leads whose amplitudes are all NaN (unusable).
  std::vector<LeadMeasurements> v(12);
  for (size_t i = 0; i < 12; ++i) v[i].lead = v[i].canonical = kTwelve[i];
  c = ComputeCriteria(v, WithIntervals(NAN, NAN), FrontalAxes());
  CHECK(std::isnan(c.sokolow_lyon_mv));
  CHECK_FALSE(c.low_voltage_limb);
  CHECK(c.r_progression.empty());
  FrontalAxes ax = ComputeAxes(v, Delineation());
  CHECK(std::isnan(ax.qrs_deg));
  CHECK(ax.qrs_class.empty());
  std::string why = "x";
  CHECK(AmplitudesPlausible(v, &why));
  CHECK(why.empty());
  CHECK(AmplitudesPlausible({}, nullptr));
}

TEST_CASE("criteria: axis classes", "[criteria]") {
  CHECK(QrsAxisClass(0) == "normal");
  CHECK(QrsAxisClass(-30) == "normal");
  CHECK(QrsAxisClass(90) == "normal");
  CHECK(QrsAxisClass(-31) == "left");
  CHECK(QrsAxisClass(-90) == "left");
  CHECK(QrsAxisClass(91) == "right");
  CHECK(QrsAxisClass(180) == "right");
  CHECK(QrsAxisClass(-91) == "extreme");
  CHECK(QrsAxisClass(-179) == "extreme");
  CHECK(QrsAxisClass(NAN).empty());
}

TEST_CASE("criteria: axes from known net areas, any two limb leads", "[criteria]") {
  // P 60 deg, QRS -50 deg (left), T 120 deg; and a right/extreme case.
  const double r = 1.0;
  const Frontal cases[] = {
      {0.1 * std::cos(M_PI / 3), 0.1 * std::sin(M_PI / 3), r * std::cos(-50 * M_PI / 180),
       r * std::sin(-50 * M_PI / 180), 0.3 * std::cos(2 * M_PI / 3), 0.3 * std::sin(2 * M_PI / 3)},
      {0.12, 0.05, -0.4, 0.9, 0.2, 0.2},   // QRS ~114 deg: right
      {0.1, 0.1, -0.8, -0.7, -0.1, 0.3},   // QRS ~-139 deg: extreme
      {0.1, 0.0, 1.0, 0.0, 0.3, 0.0},      // QRS 0 deg
  };
  const std::vector<std::vector<std::string>> subsets = {
      {"I", "II", "III", "aVR", "aVL", "aVF"}, {"I", "aVF"}, {"I", "II"}, {"II", "III"},
      {"aVL", "aVF"}, {"III", "aVR"}, {"I", "III"}};
  for (const Frontal& f : cases) {
    const double want_p = Deg(f.p_f, f.p_i), want_qrs = Deg(f.qrs_f, f.qrs_i), want_t = Deg(f.t_f, f.t_i);
    for (const auto& names : subsets) {
      INFO("leads " << names.front() << "+" << names.back() << " want QRS " << want_qrs);
      Delineation d;
      std::vector<LeadMeasurements> leads;
      HandBuiltLimbs(f, names, &d, &leads);
      const FrontalAxes ax = ComputeAxes(leads, d);
      CHECK(AngleDiff(ax.p_deg, want_p) == Approx(0).margin(1.0));
      CHECK(AngleDiff(ax.qrs_deg, want_qrs) == Approx(0).margin(1.0));
      CHECK(AngleDiff(ax.t_deg, want_t) == Approx(0).margin(1.0));
      CHECK(ax.qrs_class == QrsAxisClass(want_qrs));
    }
  }
  // One limb lead, or two dependent ones, or only precordial leads: no axis.
  for (const std::vector<std::string>& names :
       std::vector<std::vector<std::string>>{{"I"}, {"aVF"}, {"II"}}) {
    Delineation d;
    std::vector<LeadMeasurements> leads;
    HandBuiltLimbs(cases[0], names, &d, &leads);
    const FrontalAxes ax = ComputeAxes(leads, d);
    CHECK(std::isnan(ax.qrs_deg));
    CHECK(std::isnan(ax.p_deg));
    CHECK(ax.qrs_class.empty());
  }
  {  // Leads renamed V1/V2: not limb leads.
    Delineation d;
    std::vector<LeadMeasurements> leads;
    HandBuiltLimbs(cases[0], {"I", "aVF"}, &d, &leads);
    leads[0].canonical = "V1";
    leads[1].canonical = "V2";
    CHECK(std::isnan(ComputeAxes(leads, d).qrs_deg));
    // And mismatched sizes of leads and delineation.
    leads.pop_back();
    CHECK(std::isnan(ComputeAxes(leads, d).qrs_deg));
  }
  {  // No P wave: P axis NaN, the others measured.
    Delineation d;
    std::vector<LeadMeasurements> leads;
    HandBuiltLimbs(cases[0], {"I", "aVF"}, &d, &leads);
    d.p_present = false;
    const FrontalAxes ax = ComputeAxes(leads, d);
    CHECK(std::isnan(ax.p_deg));
    CHECK(std::isfinite(ax.qrs_deg));
  }
}

TEST_CASE("criteria: axes through the whole pipeline on a synthetic 12-lead record", "[criteria]") {
  const Frontal f = {0.1 * std::cos(M_PI / 4), 0.1 * std::sin(M_PI / 4), std::cos(-60 * M_PI / 180),
                     std::sin(-60 * M_PI / 180), 0.3 * std::cos(M_PI / 6), 0.3 * std::sin(M_PI / 6)};
  for (double fs : {500.0, 250.0}) {
    INFO("fs " << fs);
    EcgRecord rec;
    rec.fs = fs;
    rec.leads.assign(std::begin(kTwelve), std::end(kTwelve));
    const size_t n = static_cast<size_t>(10 * fs);
    rec.signal.assign(12, std::vector<double>(n, 0.0));
    std::mt19937 rng(2);
    std::normal_distribution<double> g(0.0, 0.003);
    for (size_t i = 0; i < n; ++i) {
      const double t = 1000.0 * i / fs;
      const double k = std::floor((t - 400) / 850 + 0.5);
      const double tb = t - (400 + 850 * k);
      const double li = LeadI(f, tb), lf = LeadF(f, tb);
      for (int l = 0; l < 6; ++l) rec.signal[l][i] = Limb(kTwelve[l], li, lf) + g(rng);
      for (int l = 6; l < 12; ++l) rec.signal[l][i] = Shape(tb, 0.1, 0.5 + 0.2 * (l - 6), 0.3) + g(rng);
    }
    const std::vector<int64_t> peaks = DetectQrs(rec);
    REQUIRE(peaks.size() >= 10);
    const Delineation d = DelineateEcg(rec, peaks);
    std::vector<LeadMeasurements> leads;
    const std::vector<LeadQuality> q = AssessSignalQuality(rec, peaks);
    for (size_t i = 0; i < 12; ++i) {
      LeadMeasurements l;
      l.lead = l.canonical = kTwelve[i];
      l.quality = q[i];
      l.amplitudes = MeasureAmplitudes(d.leads[i], d);
      leads.push_back(l);
    }
    const FrontalAxes ax = ComputeAxes(leads, d);
    CHECK(AngleDiff(ax.p_deg, 45) == Approx(0).margin(8));
    CHECK(AngleDiff(ax.qrs_deg, -60) == Approx(0).margin(8));
    CHECK(AngleDiff(ax.t_deg, 30) == Approx(0).margin(8));
    CHECK(ax.qrs_class == "left");
    const EcgCriteria c = ComputeCriteria(leads, d, ax);
    CHECK(c.left_anterior_fascicular_block);
    CHECK(c.bundle_branch_block.empty());
  }
}

TEST_CASE("criteria: MUSE record, axes against GE and the gain defect", "[criteria]") {
  const Measured m = MeasureAll(kEcg + "/muse/muse-sinus");
  // GE MUSE: PAxis 48, RAxis 0, TAxis 111 (muse-sinus.xml).
  CHECK(AngleDiff(m.axes.p_deg, 48) == Approx(0).margin(15));
  CHECK(AngleDiff(m.axes.qrs_deg, 0) == Approx(0).margin(15));
  CHECK(AngleDiff(m.axes.t_deg, 111) == Approx(0).margin(15));
  CHECK(m.axes.qrs_class == "normal");
  // The .dat is 5x too large: the gate trips and names the lead and its value.
  CHECK_FALSE(m.plausible);
  INFO(m.why);
  CHECK(m.why.find("V4") != std::string::npos);
  CHECK(m.why.find(" mV") != std::string::npos);
  CHECK(m.why.find('\n') == std::string::npos);
  // Scaled back to mV the same beats pass.
  std::vector<LeadMeasurements> scaled = m.leads;
  for (LeadMeasurements& l : scaled) l.amplitudes.qrs_pp_mv /= 5;
  CHECK(AmplitudesPlausible(scaled, nullptr));
}

TEST_CASE("criteria: plausibility gate on unit errors", "[criteria]") {
  // Real leads differ in size: 0.6 .. 1.6 mV here.
  auto varied = [] {
    auto v = NormalLeads();
    for (size_t i = 0; i < v.size(); ++i) v[i].amplitudes.qrs_pp_mv = 0.6 + 0.09 * static_cast<double>(i);
    return v;
  };
  auto v = varied();
  std::string why;
  CHECK(AmplitudesPlausible(v, &why));
  // Every lead the same size: normalised lead by lead.
  v = NormalLeads();
  CHECK_FALSE(AmplitudesPlausible(v, &why));
  CHECK(why.find("normalised lead by lead") != std::string::npos);
  v = varied();
  // Units of V read as mV: 1000x too small.
  for (LeadMeasurements& l : v) l.amplitudes.qrs_pp_mv /= 1000;
  CHECK_FALSE(AmplitudesPlausible(v, &why));
  CHECK(why.find("units") != std::string::npos);
  // One lead beyond any human QRS.
  v = varied();
  A(v, "V3").qrs_pp_mv = 9.5;
  CHECK_FALSE(AmplitudesPlausible(v, &why));
  CHECK(why.find("V3") != std::string::npos);
  CHECK(why.find("9.5") != std::string::npos);
  // Every lead 4x: mean 4.4 mV.
  v = varied();
  for (LeadMeasurements& l : v) l.amplitudes.qrs_pp_mv *= 4;
  CHECK_FALSE(AmplitudesPlausible(v, &why));
  // Extreme but real LVH voltages: V2 6 mV, mean below the limit.
  v = varied();
  A(v, "V2").qrs_pp_mv = 6.0;
  A(v, "V3").qrs_pp_mv = 5.0;
  A(v, "V5").qrs_pp_mv = 4.5;
  CHECK(AmplitudesPlausible(v, &why));
  // A flat lead reading a huge constant does not count.
  A(v, "V6").qrs_pp_mv = 20;
  v.back().quality.flat = true;
  CHECK(AmplitudesPlausible(v, &why));
}

TEST_CASE("criteria: real records, the gate and the labelled voltage criteria", "[criteria]") {
  // Correctly scaled records: the gate stays quiet.
  for (const char* name : {"cinc2021/E07500", "cinc2021/HR06000", "cinc2021/HR06002", "cinc2021/JS20000",
                           "cinc2021/JS20003", "cinc2021/JS20004", "ptbxl/00001_lr",
                           "cpsc2021/data_8_4", "cpsc2021/data_92_12"}) {
    INFO(name);
    const Measured m = MeasureAll(kEcg + "/" + name);
    INFO(m.why);
    CHECK(m.plausible);
  }
  // The LUDB copy was rescaled lead by lead (every QRS ~0.9 mV peak-to-peak).
  {
    const Measured m = MeasureAll(kEcg + "/ludb/ludb-ecg");
    CHECK_FALSE(m.plausible);
    CHECK(m.why.find("normalised lead by lead") != std::string::npos);
  }
  // JS20003 and JS20004 are labelled left ventricular high voltage (55827005).
  for (const char* name : {"cinc2021/JS20003", "cinc2021/JS20004"}) {
    INFO(name);
    const Measured m = MeasureAll(kEcg + "/" + name);
    CHECK(m.criteria.lvh_voltage);
    CHECK(m.criteria.sokolow_lyon_mv >= 3.5);
  }
  // A record in V read as mV (1000x too small), through the whole chain: every
  // lead is flat by the quality check; the QRS detector leaves such leads out,
  // so no QRS is measured and the gate has nothing to judge (the flat leads are
  // the warning). With a measured QRS the gate trips (see "unit errors").
  {
    EcgRecord rec = ReadEcgRecord(kEcg + "/cinc2021/JS20003");
    for (auto& lead : rec.signal)
      for (double& v : lead) v /= 1000;
    const std::vector<int64_t> peaks = DetectQrs(rec);
    const std::vector<LeadQuality> q = AssessSignalQuality(rec, peaks);
    for (const LeadQuality& l : q) {
      CHECK(l.flat);
      CHECK_FALSE(l.usable);
    }
  }
  // The all-zero record: nothing measured, nothing judged.
  {
    const Measured m = MeasureAll(kEcg + "/edge/bad-ecg");
    CHECK(m.plausible);
    CHECK(std::isnan(m.axes.qrs_deg));
    CHECK(std::isnan(m.criteria.sokolow_lyon_mv));
  }
  // The shared folder: all 15 CinC 2021 records (only JS20003/JS20004 carry the
  // high-voltage label) and the 30-min MIT-BIH record 100.
  const std::string shared = test::SharedDir() + "/ecg";
  if (!std::ifstream(shared + "/cinc2021/JS20001.hea").good()) {
    WARN("shared CinC 2021 records not found: skipped");
    return;
  }
  for (const char* id : {"E07500", "E07501", "E07502", "E07503", "E07504", "HR06000", "HR06001", "HR06002",
                         "HR06003", "HR06004", "JS20000", "JS20001", "JS20002", "JS20003", "JS20004"}) {
    INFO(id);
    const Measured m = MeasureAll(shared + "/cinc2021/" + id);
    INFO(m.why);
    CHECK(m.plausible);
    const bool lvhv = std::string(id) == "JS20003" || std::string(id) == "JS20004";
    CHECK(m.criteria.lvh_voltage == lvhv);
  }
  const Measured mit = MeasureAll(shared + "/wfdb-python/sample-data/100");
  INFO(mit.why);
  CHECK(mit.plausible);
}

TEST_CASE("criteria: garbage records go through the whole chain without a crash", "[criteria]") {
  std::mt19937 rng(17);
  std::normal_distribution<double> g(0.0, 1.0);
  std::uniform_real_distribution<double> u(-5.0, 5.0);
  for (int trial = 0; trial < 6; ++trial) {
    INFO("trial " << trial);
    EcgRecord rec;
    rec.fs = trial % 2 ? 250 : 500;
    const int leads = trial < 2 ? 12 : trial < 4 ? 1 : 2;
    const size_t n = static_cast<size_t>((trial == 5 ? 1.5 : 10) * rec.fs);
    for (int l = 0; l < leads; ++l) rec.leads.push_back(leads == 12 ? kTwelve[l] : l == 0 ? "MLII" : "V5");
    rec.signal.assign(leads, std::vector<double>(n, 0.0));
    for (auto& lead : rec.signal)
      for (size_t i = 0; i < n; ++i) {
        switch (trial) {
          case 0: lead[i] = g(rng); break;                              // white noise
          case 1: lead[i] = u(rng) * (i % 97 == 0); break;              // sparse spikes
          case 2: lead[i] = std::round(u(rng)); break;                  // coarse garbage
          case 3: lead[i] = i % 200 < 100 ? 3.0 : -3.0; break;          // square wave at the rails
          default: lead[i] = std::sin(i * 0.05) + 0.1 * g(rng); break;  // slow sine
        }
      }
    const std::vector<int64_t> peaks = DetectQrs(rec);
    const Delineation d = DelineateEcg(rec, peaks);
    const std::vector<LeadQuality> q = AssessSignalQuality(rec, peaks);
    REQUIRE(q.size() == rec.leads.size());
    std::vector<LeadMeasurements> ms;
    for (size_t i = 0; i < rec.leads.size(); ++i) {
      LeadMeasurements l;
      l.lead = rec.leads[i];
      l.canonical = CanonicalLeadName(l.lead);
      l.quality = q[i];
      l.amplitudes = MeasureAmplitudes(d.leads[i], d);
      if (std::isfinite(l.amplitudes.r_mv)) {
        CHECK(l.amplitudes.r_mv >= 0);
        CHECK(l.amplitudes.q_mv <= 0);
        CHECK(l.amplitudes.s_mv <= 0);
      }
      ms.push_back(l);
    }
    const FrontalAxes ax = ComputeAxes(ms, d);
    const EcgCriteria c = ComputeCriteria(ms, d, ax);
    std::string why;
    AmplitudesPlausible(ms, &why);
    if (leads < 12) {  // no limb-lead pair: no axis; no precordial set: no voltage criteria
      CHECK(std::isnan(ax.qrs_deg));
      CHECK(std::isnan(c.sokolow_lyon_mv));
      CHECK(std::isnan(c.cornell_mv));
      CHECK(c.r_progression.empty());
    }
    if (std::isfinite(ax.qrs_deg)) {
      CHECK(ax.qrs_deg > -180.0);
      CHECK(ax.qrs_deg <= 180.0);
    }
  }
}
