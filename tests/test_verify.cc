// Tests of check/verify.h: claims (extracted from phrases written here in the
// model's style) judged against hand-built measurements, one table row per
// kind / relation / negation / dead band / gate case, with the expected
// verdict worked out from the rules in verify.h; then the real-style test: an
// output written for the record cinc2021/HR06000 (tests/data/check, see its
// README) with a deliberately wrong heart rate and QRS width must get exactly
// those two claims contradicted; the all-zero record and hostile texts.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <set>
#include <string>
#include <vector>

#include "check/claims.h"
#include "check/verify.h"
#include "io/ecg_record.h"
#include "measure/ecg_measurements.h"
#include "test_util.h"

namespace ecgr1::test {
namespace {

using V = ClaimVerdict;
const std::string kData = ECGR1_TEST_DATA;

const char* const kLeadNames[12] = {"I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"};

// A normal 12-lead ECG, every field measured: sinus rhythm 72 bpm, PR 160,
// QRS 90, QT 380, QTc 415 (Bazett) / 405 (Fridericia) ms, axis +45 deg, no
// LVH, no low voltage, normal R progression, isoelectric ST, upright P and T.
EcgMeasurements NormalEcg() {
  EcgMeasurements m;
  m.record = "hand-built";
  m.fs = 500;
  m.samples = 5000;
  for (int i = 0; i < 12; ++i) {
    BeatInfo b;
    b.sample = 100 + 417 * i;
    b.rr_ms = i ? 833 : NAN;
    b.label = 'N';
    m.beats.push_back(b);
  }
  m.rr.beats = 12;
  m.rr.heart_rate_bpm = 72;
  m.rr.rr_mean_ms = 833;
  m.rr.rr_cv = 0.03;
  m.rr.regular = true;
  m.rhythm.label = "sinus rhythm";
  m.rhythm.p_waves = true;
  m.rhythm.regular = true;
  EcgIntervals& iv = m.delineation.intervals;
  iv.heart_rate_bpm = 72;
  iv.pr_ms = 160;
  iv.p_ms = 100;
  iv.qrs_ms = 90;
  iv.qt_ms = 380;
  iv.qtc_bazett_ms = 415;
  iv.qtc_fridericia_ms = 405;
  m.delineation.p_present = true;
  m.delineation.beats_used = 11;
  for (const char* name : kLeadNames) {
    LeadDelineation ld;  // every lead delineated, a little narrower than the global QRS
    ld.lead = name;
    ld.usable = true;
    ld.p_present = true;
    ld.intervals.qrs_ms = 84;
    ld.intervals.qt_ms = 376;
    m.delineation.leads.push_back(ld);
  }
  for (const char* name : kLeadNames) {
    LeadMeasurements l;
    l.lead = name;
    l.canonical = name;
    LeadAmplitudes& a = l.amplitudes;
    a.p_mv = 0.12;
    a.q_mv = 0;
    a.q_ms = 0;
    a.r_mv = 1.0;
    a.s_mv = -0.5;
    a.r_prime_mv = 0;
    a.qrs_pp_mv = 1.5;
    a.st_j_mv = 0.02;
    a.st_j60_mv = 0.01;
    a.st_j80_mv = 0.01;
    a.t_mv = 0.3;
    m.leads.push_back(l);
  }
  m.axes.qrs_deg = 45;
  m.axes.qrs_class = "normal";
  m.criteria.sokolow_lyon_mv = 2.0;
  m.criteria.r_avl_mv = 0.5;
  m.criteria.r_i_mv = 0.8;
  m.criteria.cornell_mv = 1.2;
  m.criteria.r_progression = "normal";
  return m;
}

using Edit = std::function<void(EcgMeasurements&)>;

void SetLead(EcgMeasurements& m, const std::string& lead, double LeadAmplitudes::*f, double v) {
  for (LeadMeasurements& l : m.leads)
    if (l.canonical == lead) l.amplitudes.*f = v;
}
void SetLeads(EcgMeasurements& m, const std::vector<std::string>& leads, double LeadAmplitudes::*f, double v) {
  for (const std::string& l : leads) SetLead(m, l, f, v);
}

Edit Hr(double bpm) { return [bpm](EcgMeasurements& m) { m.rr.heart_rate_bpm = bpm; }; }
Edit LeadSpan(double ms) { return [ms](EcgMeasurements& m) { m.delineation.qrs_lead_span_ms = ms; }; }
Edit DominantHr(double bpm) { return [bpm](EcgMeasurements& m) { m.rhythm.heart_rate_bpm = bpm; }; }
Edit Pr(double ms) { return [ms](EcgMeasurements& m) { m.delineation.intervals.pr_ms = ms; }; }
Edit Qrs(double ms) {
  return [ms](EcgMeasurements& m) {
    m.delineation.intervals.qrs_ms = ms;
    for (LeadDelineation& l : m.delineation.leads) l.intervals.qrs_ms = ms - 6;
  };
}
Edit Qtc(double b, double f) {
  return [b, f](EcgMeasurements& m) {
    m.delineation.intervals.qtc_bazett_ms = b;
    m.delineation.intervals.qtc_fridericia_ms = f;
  };
}
Edit Axis(double deg) { return [deg](EcgMeasurements& m) { m.axes.qrs_deg = deg; }; }
Edit Label(const char* l) { return [l](EcgMeasurements& m) { m.rhythm.label = l; }; }
Edit Cv(double cv) { return [cv](EcgMeasurements& m) { m.rr.rr_cv = cv; }; }
Edit Bbb(const char* b, double qrs) {
  return [b, qrs](EcgMeasurements& m) {
    m.criteria.bundle_branch_block = b;
    Qrs(qrs)(m);
  };
}
Edit NoCriteria() { return [](EcgMeasurements& m) { m.criteria = EcgCriteria(); }; }
Edit Both(Edit a, Edit b) {
  return [a, b](EcgMeasurements& m) {
    a(m);
    b(m);
  };
}

struct Row {
  const char* phrase;
  const char* kind;
  const char* needle;  // the claim's text contains it ("" = first claim of the kind)
  Edit edit;           // nullptr = the normal ECG
  V::Verdict want;
  const char* reason;  // the reason contains it ("" = not checked)
};

const V::Verdict S = V::kSupported, C = V::kContradicted, U = V::kUnverifiable;

void RunRows(const std::vector<Row>& rows) {
  for (const Row& r : rows) {
    EcgMeasurements m = NormalEcg();
    if (r.edit) r.edit(m);
    const std::vector<Claim> claims = ExtractClaims(r.phrase);
    const Claim* c = nullptr;
    for (const Claim& x : claims)
      if (x.kind == r.kind && x.text.find(r.needle) != std::string::npos) {
        c = &x;
        break;
      }
    INFO("phrase: " << r.phrase);
    REQUIRE(c != nullptr);
    const std::vector<ClaimVerdict> v = VerifyClaims({*c}, &m, r.phrase);
    REQUIRE(v.size() == 1);
    INFO("claim: " << c->kind << (c->negated ? " NOT " : " ") << RelationName(c->relation) << " " << c->value << " \""
                   << c->text << "\" q=" << c->qualifier);
    INFO("verdict: " << VerdictName(v[0].verdict) << " -- " << v[0].reason);
    CHECK(v[0].verdict == r.want);
    CHECK(v[0].reason.find(r.reason) != std::string::npos);
    CHECK(!v[0].reason.empty());
    CHECK(v[0].reason.find('\n') == std::string::npos);
  }
}

TEST_CASE("verify: heart rate, ranges and reference ranges", "[verify]") {
  RunRows({
      {"The heart rate is 72 bpm.", "heart_rate", "", nullptr, S, "measured heart rate 72 bpm"},
      {"The heart rate is 150 bpm.", "heart_rate", "", nullptr, C, "claimed = 150 bpm"},
      {"The heart rate is 75 bpm.", "heart_rate", "", nullptr, S, "within the +-4 bpm tolerance"},  // 5 % of 72
      {"The heart rate is 78 bpm.", "heart_rate", "", nullptr, C, ""},
      // Ectopy and pauses: the record's mean rate 72, the dominant beats' rate 96; either supports.
      {"The heart rate is 96 bpm.", "heart_rate", "", DominantHr(96), S, "dominant beats"},
      {"The heart rate is 72 bpm.", "heart_rate", "", DominantHr(96), S, ""},
      {"The heart rate is 130 bpm.", "heart_rate", "", DominantHr(96), C, ""},
      {"The ventricular rate is about 74 beats per minute.", "heart_rate", "", nullptr, S, ""},
      {"The heart rate is less than 100 bpm.", "heart_rate", "", nullptr, S, ""},
      {"The heart rate is greater than 100 bpm.", "heart_rate", "", nullptr, C, ""},
      {"The heart rate is less than 100 bpm.", "heart_rate", "", Hr(103), U, "borderline"},
      {"The heart rate is less than 100 bpm.", "heart_rate", "", Hr(130), C, ""},
      // Dead band: the claim's bound 96 is near the cut-off 100 and so is the measured 104.
      {"The heart rate is below 96 bpm.", "heart_rate", "", Hr(104), U, "cut-off 100 bpm"},
      {"The heart rate is 83 bpm, which is within the normal range of 60-100 bpm.", "heart_rate", "60-100", nullptr, S,
       "60..100 bpm"},
      {"The heart rate is 83 bpm, which is within the normal range of 60-100 bpm.", "heart_rate", "60-100", Hr(150), C,
       ""},
      {"The heart rate is 150 bpm, which is above the normal range of 60-100 bpm.", "heart_rate", "60-100", Hr(150), S,
       ">= 100 bpm"},
      {"The heart rate is 45 bpm, below the normal range of 60-100 bpm.", "heart_rate", "60-100", Hr(45), S, ""},
      // The direction word inside the claim's own span, before its numbers.
      {"The heart rate is below the normal range of 60-100 bpm.", "heart_rate", "60-100", nullptr, C, ""},
      {"The heart rate is outside the normal range of 60-100 bpm.", "heart_rate", "60-100", nullptr, C, ""},
      {"The heart rate is below the normal range of 60-100 bpm.", "heart_rate", "60-100", Hr(45), S, ""},
      {"The heart rate is 72 bpm.", "heart_rate", "",
       [](EcgMeasurements& m) {
         m.rr = RhythmSummary();
         m.delineation.intervals.heart_rate_bpm = NAN;
       },
       U, "not measured"},
      {"The heart rate is 72 bpm.", "heart_rate", "", [](EcgMeasurements& m) { m.rr = RhythmSummary(); }, S,
       "delineation"},
      {"The atrial rate is 300 bpm.", "heart_rate", "", nullptr, U, "atrial rate"},
      // "without ectopy at 72 bpm": the cue is not about the number.
      {"The rhythm is regular without ectopy at 150 bpm.", "heart_rate", "", nullptr, U, "negated stated value"},
  });
}

TEST_CASE("verify: PR, QRS, QT and QTc", "[verify]") {
  RunRows({
      {"The PR interval is 0.24 seconds.", "pr", "", nullptr, C, "measured PR interval 160 ms"},
      {"The PR interval is within normal limits.", "pr", "", nullptr, S, "120..200 ms"},
      {"The PR interval is within normal limits.", "pr", "", Pr(260), C, ""},
      {"The PR interval is within normal limits.", "pr", "", Pr(205), U, "borderline"},
      {"The PR interval is prolonged.", "pr", "", nullptr, C, ""},
      {"The PR interval is prolonged.", "pr", "", Pr(240), S, ""},
      {"A normal PR interval is 0.12-0.20 s.", "pr", "", nullptr, S, ""},
      {"The PR interval is 160 ms.", "pr", "", Pr(NAN), U, "not measured"},
      // The example: "QRS 0.09 s, normal" against a measured 132 ms.
      {"The QRS duration is 0.09 s, normal.", "qrs", "0.09", Qrs(132), C, "measured QRS duration 132 ms"},
      {"The QRS duration is normal.", "qrs", "", Qrs(132), C, "<= 100 ms"},
      {"The QRS duration is narrow at less than 0.10 seconds.", "qrs", "0.10", nullptr, S, ""},
      {"The QRS duration is narrow at less than 0.10 seconds.", "qrs", "0.10", Qrs(105), U, "borderline"},
      {"The QRS duration is narrow at less than 0.10 seconds.", "qrs", "0.10", Qrs(132), C, ""},
      {"The QRS duration is less than 95 ms.", "qrs", "", Qrs(108), U, "cut-off 100 ms"},
      {"The QRS duration is prolonged at over 160 ms.", "qrs", "160", nullptr, C, ""},
      // The QRS by either definition: global 90 ms, the leads' span 112 ms.
      {"The QRS duration is approximately 112 ms.", "qrs", "112", LeadSpan(112), S, "span of the leads"},
      {"The QRS duration is approximately 150 ms.", "qrs", "150", LeadSpan(112), C, ""},
      // A 100 Hz record cannot place boundaries to +-10 ms: no contradiction.
      {"The QRS duration is prolonged at over 160 ms.", "qrs", "160", [](EcgMeasurements& m) { m.fs = 100; }, U,
       "sampled at 100 Hz"},
      {"The QRS is ~90 msec.", "qrs", "", nullptr, S, ""},
      {"The QRS complexes are wide.", "qrs", "", nullptr, C, ">= 120 ms"},
      {"The QRS complexes are wide.", "qrs", "", Qrs(150), S, ""},
      {"The QT interval measures 0.40 s.", "qt", "", nullptr, S, "within the +-25 ms tolerance"},
      {"The QT interval measures 0.48 s.", "qt", "", nullptr, C, ""},
      {"The QT interval is prolonged.", "qt", "", nullptr, U, "QTc"},
      {"QTc below 440 ms.", "qtc", "", nullptr, S, "(Bazett)"},
      {"QTc below 440 ms.", "qtc", "", Qtc(500, 490), C, ""},
      {"QTc below 440 ms.", "qtc", "", Qtc(480, 475), U, "cut-off 460 ms"},
      {"The QTc is approximately 420 ms.", "qtc", "", nullptr, S, "(Bazett)"},
      {"The QTc is approximately 420 ms.", "qtc", "", Qtc(470, 425), S, "(Fridericia)"},
      {"The QTc is approximately 420 ms.", "qtc", "", Qtc(520, 500), C, ""},
      {"The QTc is prolonged.", "qtc", "", Qtc(520, 500), S, ""},
      {"The QTc is prolonged.", "qtc", "", Qtc(380, 370), C, ""},
      {"The QTc is within normal limits.", "qtc", "", Qtc(NAN, NAN), U, "not measured"},
      {"The QT interval is not prolonged.", "qt", "", nullptr, U, ""},
  });
}

TEST_CASE("verify: axis, circular and by class", "[verify]") {
  RunRows({
      {"The frontal plane axis is normal.", "axis", "", nullptr, S, "QRS axis 45 deg"},
      {"The frontal plane axis is normal.", "axis", "", Axis(-60), C, ""},
      {"The frontal plane axis is normal.", "axis", "", Axis(-40), U, "borderline"},
      {"There is left axis deviation.", "axis", "", Axis(-60), S, ""},
      {"There is left axis deviation.", "axis", "", nullptr, C, ""},
      {"There is right axis deviation.", "axis", "", Axis(170), S, ""},
      {"There is no left axis deviation.", "axis", "", nullptr, S, ""},
      {"The frontal QRS axis is 175 degrees.", "axis", "", Axis(-175), S, ""},  // 10 deg apart across +-180
      {"The frontal QRS axis is -45 degrees.", "axis", "", nullptr, C, ""},
      {"There is left axis deviation.", "axis", "",
       [](EcgMeasurements& m) {
         m.axes.qrs_deg = NAN;
         m.axes.qrs_class = "left";
       },
       S, "axis class"},
      {"The frontal plane axis is normal.", "axis", "",
       [](EcgMeasurements& m) {
         m.axes.qrs_deg = NAN;
         m.axes.qrs_class = "left";
       },
       C, ""},
      {"The frontal plane axis is normal.", "axis", "",
       [](EcgMeasurements& m) {
         m.axes.qrs_deg = NAN;
         m.axes.qrs_class = "";
       },
       U, "not measured"},
      {"Left anterior fascicular block is present.", "fascicular_block", "", Axis(-60), S, ""},
      {"Left anterior fascicular block is present.", "fascicular_block", "", nullptr, C, ""},
      {"There is a left posterior fascicular block.", "fascicular_block", "", nullptr, C, ""},
      {"There is a left posterior fascicular block.", "fascicular_block", "", Axis(120), U, "not measured"},
  });
}

TEST_CASE("verify: rhythm, ectopy and regularity", "[verify]") {
  Edit two_pvcs = [](EcgMeasurements& m) { m.beats[3].label = m.beats[7].label = 'V'; };
  Edit unclassified = [](EcgMeasurements& m) {
    for (BeatInfo& b : m.beats) b.label = 'Q';
  };
  RunRows({
      {"This ECG shows normal sinus rhythm.", "rhythm", "", nullptr, S, "sinus rhythm"},
      {"This ECG shows normal sinus rhythm.", "rhythm", "", Label("atrial fibrillation"), C, ""},
      {"This ECG shows normal sinus rhythm.", "rhythm", "", Label(""), U, "not classified"},
      {"This ECG shows normal sinus rhythm.", "rhythm", "", Label("irregular rhythm"), U, ""},
      {"The heart rate is 111 bpm, consistent with sinus tachycardia.", "rhythm", "", nullptr, C, "heart rate 72"},
      {"The heart rate is 111 bpm, consistent with sinus tachycardia.", "rhythm", "",
       Both(Hr(111), Label("sinus tachycardia")), S, ""},
      {"The heart rate is 55 bpm, consistent with sinus bradycardia.", "rhythm", "", Hr(55), S, ""},
      {"There is no sinus bradycardia.", "rhythm", "", nullptr, S, ""},
      {"There is no sinus bradycardia.", "rhythm", "", Hr(45), C, ""},
      {"There is no evidence of atrial fibrillation or flutter.", "rhythm", "fibrillation", nullptr, S, ""},
      {"There is no evidence of atrial flutter.", "rhythm", "", nullptr, S, ""},
      {"The rhythm is irregularly irregular, consistent with atrial fibrillation.", "rhythm", "atrial",
       Label("atrial fibrillation"), S, ""},
      {"The rhythm is irregularly irregular, consistent with atrial fibrillation.", "rhythm", "atrial", nullptr, C,
       ""},
      // No label yet: a clearly regular RR contradicts atrial fibrillation.
      {"The rhythm is atrial fibrillation.", "rhythm", "atrial", Both(Label(""), Cv(0.02)), C, "coefficient"},
      {"The rhythm is atrial fibrillation.", "rhythm", "atrial", Both(Label(""), Cv(0.25)), U, ""},
      {"Frequent premature ventricular complexes are seen.", "rhythm", "", nullptr, C, "0 ventricular"},
      {"Frequent premature ventricular complexes are seen.", "rhythm", "", two_pvcs, S, "2 ventricular"},
      {"Frequent premature ventricular complexes are seen.", "rhythm", "", unclassified, U, "not classified"},
      {"There are no ectopic beats.", "rhythm", "", nullptr, S, ""},
      {"There are no ectopic beats.", "rhythm", "", two_pvcs, C, ""},
      {"The rhythm is regular.", "rhythm", "", nullptr, S, ""},
      {"The rhythm is regular.", "rhythm", "", Cv(0.25), C, ""},
      {"The rhythm is regular.", "rhythm", "", Cv(0.11), U, ""},
      {"A paced rhythm is seen.", "rhythm", "", nullptr, U, "pacing"},
      {"The narrow QRS complexes rule out ventricular tachycardia.", "rhythm", "", Label(""), S, ""},
      {"This is ventricular tachycardia.", "rhythm", "", Label(""), C, ""},
  });
}

TEST_CASE("verify: conduction blocks and pre-excitation", "[verify]") {
  RunRows({
      {"This is diagnostic of a complete right bundle branch block.", "bundle_branch_block", "", nullptr, C,
       "QRS duration 90 ms"},
      {"This is diagnostic of a complete right bundle branch block.", "bundle_branch_block", "", Bbb("RBBB", 140), S,
       ""},
      {"This is diagnostic of a complete right bundle branch block.", "bundle_branch_block", "", Bbb("LBBB", 140), C,
       "LBBB"},
      {"This is diagnostic of a complete right bundle branch block.", "bundle_branch_block", "",
       Both(NoCriteria(), Qrs(140)), U, "not measured"},
      {"This wide QRS morphology rules out a left bundle branch block.", "bundle_branch_block", "", nullptr, S, ""},
      {"This wide QRS morphology rules out a left bundle branch block.", "bundle_branch_block", "", Bbb("LBBB", 150),
       C, ""},
      // Today's measurements (no criteria): a narrow QRS alone excludes a complete block.
      {"The narrow QRS rules out bundle branch blocks.", "bundle_branch_block", "", NoCriteria(), S, ""},
      {"An incomplete right bundle branch block is present.", "bundle_branch_block", "",
       Bbb("incomplete RBBB", 110), S, ""},
      {"An incomplete right bundle branch block is present.", "bundle_branch_block", "", Qrs(80), C, ""},
      {"First degree AV block is present.", "av_block", "", nullptr, C, ""},
      {"First degree AV block is present.", "av_block", "", Pr(240), S, ""},
      {"There is no AV block.", "av_block", "", nullptr, S, ""},
      {"There is no AV block.", "av_block", "", Pr(260), C, ""},
      {"There is no AV block.", "av_block", "", Label(""), U, ""},
      {"Mobitz type II block is present.", "av_block", "", nullptr, U, "not measured"},
      {"There is no evidence of pre-excitation.", "preexcitation", "", nullptr, S, ""},
      {"This is Wolff-Parkinson-White.", "preexcitation", "", nullptr, C, ""},
      {"This is Wolff-Parkinson-White.", "preexcitation", "", Pr(100), U, "delta"},
  });
}

TEST_CASE("verify: voltage, LVH and the amplitude gate", "[verify]") {
  Edit big_sokolow = [](EcgMeasurements& m) { m.criteria.sokolow_lyon_mv = 4.5; };
  Edit sv1_rv5 = [](EcgMeasurements& m) {
    SetLead(m, "V1", &LeadAmplitudes::s_mv, -1.5);
    SetLead(m, "V5", &LeadAmplitudes::r_mv, 2.3);
  };
  Edit low_limb = [](EcgMeasurements& m) {
    SetLeads(m, {"I", "II", "III", "aVR", "aVL", "aVF"}, &LeadAmplitudes::qrs_pp_mv, 0.3);
  };
  Edit gate = [](EcgMeasurements& m) {
    m.amplitudes_plausible = false;
    m.warnings.push_back("QRS amplitudes are 5x physiological: check the gain");
  };
  RunRows({
      {"The R wave in lead aVL is greater than 11 mm.", "voltage", "", nullptr, C, "R in aVL 0.50 mV"},
      {"The R wave in aVL is less than 11 mm.", "voltage", "", nullptr, S, ""},
      {"SV1 + RV5 measures 38 mm.", "voltage", "", nullptr, C, "S V1 + R V5"},
      {"SV1 + RV5 measures 38 mm.", "voltage", "", sv1_rv5, S, ""},
      {"The S wave in V1 and R wave in V6 do not meet the Sokolow-Lyon voltage criteria.", "voltage", "", nullptr, S,
       ""},
      {"The S wave in V1 and R wave in V6 do not meet the Sokolow-Lyon voltage criteria.", "voltage", "", big_sokolow,
       C, "Sokolow"},
      {"There is no evidence of left ventricular hypertrophy.", "lvh", "", nullptr, S, ""},
      // "No LVH" is a diagnosis: met voltage criteria leave it unverifiable; a claim about the criteria is judged.
      {"There is no evidence of left ventricular hypertrophy.", "lvh", "", big_sokolow, U, "voltage alone"},
      {"The voltage criteria for LVH are not met.", "lvh", "", big_sokolow, C, ""},
      {"Voltage criteria for LVH are met.", "lvh", "", nullptr, C, ""},
      {"Voltage criteria for LVH are met.", "lvh", "", [](EcgMeasurements& m) { m.criteria.r_avl_mv = 1.4; }, S,
       "aVL"},
      // Cornell between the women's 2.0 and the men's 2.8 mV: present is not contradicted, absent neither.
      {"There is no evidence of left ventricular hypertrophy.", "lvh", "",
       [](EcgMeasurements& m) { m.criteria.cornell_mv = 2.5; }, S, ""},
      {"There is no low voltage in the limb or precordial leads.", "voltage", "", nullptr, S, ""},
      {"There is no low voltage in the limb or precordial leads.", "voltage", "", low_limb, C, "limb"},
      {"Low QRS voltage is present in the limb leads.", "voltage", "", nullptr, C, ""},
      {"Low QRS voltage is present in the limb leads.", "voltage", "", low_limb, S, ""},
      {"There is no evidence of chamber hypertrophy.", "lvh", "", nullptr, U, "right ventricular"},
      {"There is no evidence of chamber hypertrophy.", "lvh", "", big_sokolow, U, "voltage alone"},
      {"There is no evidence of left ventricular hypertrophy.", "lvh", "", gate, U, "5x physiological"},
      {"The R wave in aVL is less than 11 mm.", "voltage", "", gate, U, "amplitude claim not judged"},
      {"No ST elevation in II, III or aVF.", "st", "", gate, U, "5x physiological"},
      {"There are no pathologic Q waves.", "q_wave", "", gate, U, "gain"},
      // Not amplitude claims: still judged behind the gate.
      {"The QRS duration is normal.", "qrs", "", gate, S, ""},
      // A hedge: "LVH cannot be accurately diagnosed" is no claim of LVH.
      {"Therefore, LVH cannot be accurately diagnosed.", "lvh", "", nullptr, U, "hedged"},
  });
}

TEST_CASE("verify: ST, Q waves, R progression, P and T waves, morphology", "[verify]") {
  Edit inferior_ste = [](EcgMeasurements& m) { SetLeads(m, {"II", "III", "aVF"}, &LeadAmplitudes::st_j_mv, 0.3); };
  Edit q_inferior = [](EcgMeasurements& m) {
    m.criteria.pathological_q_leads = {"III", "aVF"};
    SetLeads(m, {"III", "aVF"}, &LeadAmplitudes::q_ms, 45);
    SetLeads(m, {"III", "aVF"}, &LeadAmplitudes::q_mv, -0.4);
  };
  const Edit q_v2_near = [](EcgMeasurements& m) {
    SetLead(m, "V2", &LeadAmplitudes::q_ms, 15);
    SetLead(m, "V2", &LeadAmplitudes::q_mv, -0.08);
  };
  const Edit q_normal_variants = [](EcgMeasurements& m) {
    SetLead(m, "III", &LeadAmplitudes::q_ms, 40);
    SetLead(m, "III", &LeadAmplitudes::q_mv, -0.3);
    SetLeads(m, {"V5", "V6"}, &LeadAmplitudes::q_ms, 16);
    SetLeads(m, {"V5", "V6"}, &LeadAmplitudes::q_mv, -0.08);
  };
  const Edit q_doubtful = [](EcgMeasurements& m) {
    SetLeads(m, {"V3", "V4"}, &LeadAmplitudes::q_ms, 88);
    SetLeads(m, {"V3", "V4"}, &LeadAmplitudes::q_mv, -0.4);
    m.criteria.doubtful_q_leads = {"V3", "V4"};
  };
  RunRows({
      {"No ST elevation in II, III or aVF.", "st", "", nullptr, S, "no ST elevation"},
      {"No ST elevation in II, III or aVF.", "st", "", inferior_ste, C, "present in 3 lead(s)"},
      // One lead is not ST elevation "in contiguous leads".
      {"No ST elevation in II, III or aVF.", "st", "",
       [](EcgMeasurements& m) { SetLead(m, "III", &LeadAmplitudes::st_j_mv, 0.3); }, S, ""},
      {"There is ST elevation in the inferior leads.", "st", "", inferior_ste, S, ""},
      {"There is ST elevation in the inferior leads.", "st", "", nullptr, C, ""},
      {"There is ST elevation of 2 mm in V1-V3.", "st", "mm", nullptr, C, "largest ST elevation"},
      {"There is ST elevation of 2 mm in V1-V3.", "st", "mm",
       [](EcgMeasurements& m) { SetLead(m, "V2", &LeadAmplitudes::st_j_mv, 0.22); }, S, ""},
      {"ST depression of 0.1 mV is seen in leads II, III and aVF.", "st", "", nullptr, C, ""},
      {"ST depression of 0.1 mV is seen in leads II, III and aVF.", "st", "",
       [](EcgMeasurements& m) { SetLeads(m, {"II", "III"}, &LeadAmplitudes::st_j60_mv, -0.1); }, S, ""},
      {"There is ST depression in the inferior leads.", "st", "", nullptr, C, ""},
      {"There is ST depression in the inferior leads.", "st", "",
       [](EcgMeasurements& m) { SetLeads(m, {"II", "III"}, &LeadAmplitudes::st_j60_mv, -0.12); }, S, ""},
      {"The ST segments are isoelectric.", "st", "", nullptr, S, ""},
      {"The ST segments are isoelectric.", "st", "",
       [](EcgMeasurements& m) { SetLeads(m, {"V2", "V3"}, &LeadAmplitudes::st_j_mv, 0.4); }, C, ""},
      {"No ST elevation in II, III or aVF.", "st", "",
       [](EcgMeasurements& m) { SetLeads(m, {"II", "III", "aVF"}, &LeadAmplitudes::st_j_mv, NAN); }, U,
       "not measured"},
      {"There are no pathologic Q waves.", "q_wave", "", nullptr, S, ""},
      {"There are no pathologic Q waves.", "q_wave", "", q_inferior, C, ""},
      {"Pathologic Q waves are present in leads V1 through V4.", "q_wave", "", nullptr, C, ""},
      {"Pathologic Q waves are present in leads V1 through V4.", "q_wave", "",
       [](EcgMeasurements& m) { m.criteria.pathological_q_leads = {"V2", "V3"}; }, S, ""},
      // A Q in V2 within the tolerance of the Fourth Universal Definition (not listed): borderline.
      {"Pathologic Q waves are present in leads V1 through V4.", "q_wave", "", q_v2_near, U, "borderline"},
      {"There are no pathologic Q waves.", "q_wave", "", q_v2_near, U, "borderline"},
      // An isolated Q in III, and a septal q in V5-V6, are normal: "no pathologic Q waves" holds.
      {"There are no pathologic Q waves.", "q_wave", "", q_normal_variants, S, "normal"},
      // A Q as wide as the QRS is a delineation failure: never a contradiction.
      {"There are no pathologic Q waves.", "q_wave", "", q_doubtful, U, "doubtful"},
      {"Pathologic Q waves are present in leads V1 through V4.", "q_wave", "", q_doubtful, U, "doubtful"},
      {"There are no pathologic Q waves.", "q_wave", "", NoCriteria(), U, "not measured"},
      {"Q waves in III are 0.04 s wide.", "q_wave", "", nullptr, C, ""},
      {"Q waves in III are 0.04 s wide.", "q_wave", "",
       [](EcgMeasurements& m) { SetLead(m, "III", &LeadAmplitudes::q_ms, 42); }, S, ""},
      {"R wave progression from V1 to V4 is normal.", "r_progression", "", nullptr, S, ""},
      {"R wave progression from V1 to V4 is normal.", "r_progression", "",
       [](EcgMeasurements& m) { m.criteria.r_progression = "poor"; }, C, ""},
      {"R wave progression from V1 to V4 is normal.", "r_progression", "",
       [](EcgMeasurements& m) {
         m.criteria.r_progression = "poor";
         SetLead(m, "V3", &LeadAmplitudes::r_mv, 0.28);
       },
       U, "borderline"},
      {"There is poor R wave progression in V1-V4.", "r_progression", "", nullptr, C, ""},
      {"Upright P waves in leads II, III, and aVF.", "p_wave", "", nullptr, S, ""},
      {"Upright P waves in leads II, III, and aVF.", "p_wave", "",
       [](EcgMeasurements& m) { SetLead(m, "III", &LeadAmplitudes::p_mv, -0.2); }, C, "III -0.20 mV"},
      {"Irregularly irregular rhythm with absent P waves.", "p_wave", "", nullptr, C, ""},
      {"Irregularly irregular rhythm with absent P waves.", "p_wave", "",
       [](EcgMeasurements& m) { m.delineation.p_present = false; }, S, ""},
      {"There is no right or left atrial abnormality.", "p_wave", "right", nullptr, S, ""},
      {"There is no right or left atrial abnormality.", "p_wave", "right",
       [](EcgMeasurements& m) { SetLead(m, "II", &LeadAmplitudes::p_mv, 0.35); }, C, "P amplitude in II"},
      {"T wave inversion in V1-V3.", "t_wave", "", nullptr, C, ""},
      {"T wave inversion in V1-V3.", "t_wave", "",
       [](EcgMeasurements& m) { SetLeads(m, {"V1", "V2", "V3"}, &LeadAmplitudes::t_mv, -0.3); }, S, ""},
      {"Nonspecific T wave flattening is noted in the anterior precordial leads V2-V4.", "t_wave", "", nullptr, C, ""},
      {"Nonspecific T wave flattening is noted in the anterior precordial leads V2-V4.", "t_wave", "",
       [](EcgMeasurements& m) { SetLeads(m, {"V2", "V3", "V4"}, &LeadAmplitudes::t_mv, 0.04); }, S, ""},
      {"The T waves are not characteristically tented.", "t_wave", "", nullptr, U, "not measured"},
      {"There is an absence of an rSR' pattern in V1.", "qrs_morphology", "", nullptr, S, ""},
      {"There is an absence of an rSR' pattern in V1.", "qrs_morphology", "",
       [](EcgMeasurements& m) { SetLead(m, "V1", &LeadAmplitudes::r_prime_mv, 0.4); }, C, ""},
      {"V1 shows a QS complex.", "qrs_morphology", "", nullptr, C, ""},
  });
}

TEST_CASE("verify: kinds that are never measured, and no record", "[verify]") {
  RunRows({
      {"Standard 25 mm/s speed.", "paper_speed", "", nullptr, U, "printed trace"},
      {"with 10 mm/mV calibration", "calibration", "", nullptr, U, "printed trace"},
      {"There is no hyperkalemia.", "electrolyte", "", nullptr, U, "electrolyte"},
      {"This is an anteroseptal infarct.", "infarction", "", nullptr, U, "clinical diagnosis"},
      {"There are no prominent U waves.", "u_wave", "", nullptr, U, ""},
      {"There is no right ventricular hypertrophy.", "rvh", "", nullptr, U, ""},
  });
  const std::string text = "The heart rate is 150 bpm. The QRS duration is 0.20 s. There is ST elevation in V1-V4.";
  const std::vector<Claim> claims = ExtractClaims(text);
  REQUIRE(claims.size() >= 3);
  for (const ClaimVerdict& v : VerifyClaims(claims, nullptr, text)) {
    CHECK(v.verdict == V::kUnverifiable);
    CHECK(v.reason.find("no record") != std::string::npos);
    CHECK(std::isnan(v.measured));
  }
  CHECK(VerifyClaims({}, nullptr).empty());
}

TEST_CASE("verify: hand-built claims without the text, every relation", "[verify]") {
  const EcgMeasurements m = NormalEcg();
  auto claim = [](const char* kind, Claim::Relation rel, double v, double hi, const char* unit, bool neg = false) {
    Claim c;
    c.kind = kind;
    c.relation = rel;
    c.value = v;
    c.value_hi = hi;
    c.unit = unit;
    c.negated = neg;
    return c;
  };
  struct Case {
    Claim c;
    V::Verdict want;
  };
  const double N = NAN;
  const std::vector<Case> cases = {
      {claim("qrs", Claim::kEquals, 90, N, "ms"), S},
      {claim("qrs", Claim::kApprox, 110, N, "ms"), C},
      {claim("qrs", Claim::kLess, 100, N, "ms"), S},
      {claim("qrs", Claim::kLessEq, 80, N, "ms"), U},  // 90 is within 10 ms of <= 80
      {claim("qrs", Claim::kGreater, 120, N, "ms"), C},
      {claim("qrs", Claim::kGreaterEq, 85, N, "ms"), S},
      {claim("qrs", Claim::kRange, 80, 100, "ms"), S},
      {claim("qrs", Claim::kRange, 120, 200, "ms"), C},
      {claim("qrs", Claim::kGreater, 120, N, "ms", true), S},  // "not > 120"
      {claim("qrs", Claim::kEquals, 90, N, "ms", true), U},    // "not 90": ambiguous
      {claim("qrs", Claim::kEquals, N, N, "ms"), U},
      {claim("heart_rate", Claim::kRange, 60, 100, "bpm"), S},  // no text: read as "in the range"
      {claim("heart_rate", Claim::kRange, 100, 60, "bpm"), S},  // reversed bounds
      {claim("axis", Claim::kGreater, 90, N, "deg"), C},
      {claim("axis", Claim::kLess, 90, N, "deg"), S},
      {claim("sleep_apnea", Claim::kEquals, 1, N, ""), U},
  };
  std::vector<Claim> claims;
  for (const Case& c : cases) claims.push_back(c.c);
  const std::vector<ClaimVerdict> v = VerifyClaims(claims, &m);
  REQUIRE(v.size() == cases.size());
  for (size_t i = 0; i < cases.size(); ++i) {
    INFO(i << ": " << cases[i].c.kind << " " << RelationName(cases[i].c.relation) << " " << cases[i].c.value << " -> "
           << VerdictName(v[i].verdict) << " -- " << v[i].reason);
    CHECK(v[i].verdict == cases[i].want);
  }
  CHECK(std::string(VerdictName(V::kSupported)) == "supported");
  CHECK(std::string(VerdictName(V::kContradicted)) == "contradicted");
  CHECK(std::string(VerdictName(V::kUnverifiable)) == "unverifiable");
  CHECK(ClaimTolerance("heart_rate", "bpm", 40) == 3);
  CHECK(ClaimTolerance("heart_rate", "bpm", 120) == Approx(6));
  CHECK(ClaimTolerance("pr", "ms", 160) == 10);
  CHECK(ClaimTolerance("qtc", "ms", 440) == 25);
  CHECK(ClaimTolerance("axis", "deg", 0) == 15);
  CHECK(ClaimTolerance("st", "mV", 0.1) == Approx(0.05));
  CHECK(ClaimTolerance("voltage", "mV", 3.0) == Approx(0.3));
}

// The verdicts of a text against a measurement, keyed by "kind|text".
std::multiset<std::string> Contradicted(const std::string& text, const EcgMeasurements& m) {
  const std::vector<Claim> claims = ExtractClaims(text);
  const std::vector<ClaimVerdict> v = VerifyClaims(claims, &m, text);
  std::multiset<std::string> out;
  for (size_t i = 0; i < claims.size(); ++i)
    if (v[i].verdict == V::kContradicted) out.insert(claims[i].kind + "|" + claims[i].text);
  return out;
}

TEST_CASE("verify: real-style output with a wrong rate and QRS width on HR06000", "[verify]") {
  const std::string good = ReadAll(kData + "/check/hr06000.txt");
  const std::string bad = ReadAll(kData + "/check/hr06000-wrong-rate-qrs.txt");
  REQUIRE(!good.empty());
  REQUIRE(!bad.empty());
  const std::vector<Claim> claims = ExtractClaims(good);
  CHECK(claims.size() >= 20);
  CHECK(claims.size() <= 30);

  const EcgMeasurements m = MeasureEcg(ReadEcgRecord(kData + "/ecg/cinc2021/HR06000"));
  // What the record is: about 69 bpm with a narrow QRS, so 150 bpm and 160 ms are clearly wrong.
  REQUIRE(m.rr.heart_rate_bpm > 60);
  REQUIRE(m.rr.heart_rate_bpm < 80);
  REQUIRE(m.delineation.intervals.qrs_ms < 110);

  const std::multiset<std::string> before = Contradicted(good, m), after = Contradicted(bad, m);
  std::multiset<std::string> added;
  for (const std::string& k : after)
    if (before.count(k) < after.count(k)) added.insert(k);
  for (const std::string& k : before) {
    INFO("contradicted in the unedited text: " << k);
    CHECK(after.count(k) >= 1);  // the edit takes nothing away
  }
  const std::multiset<std::string> want = {"heart_rate|heart rate is 150 bpm",
                                           "qrs|QRS duration is narrow at approximately 160 ms"};
  CHECK(added == want);

  // The two unedited claims are supported, with the measured values.
  const std::vector<ClaimVerdict> v = VerifyClaims(claims, &m, good);
  int checked = 0;
  for (size_t i = 0; i < claims.size(); ++i) {
    if (claims[i].text == "heart rate is 70 bpm" || claims[i].text == "QRS duration is narrow at approximately 90 ms") {
      INFO(claims[i].text << " -> " << v[i].reason);
      CHECK(v[i].verdict == V::kSupported);
      CHECK(std::isfinite(v[i].measured));
      ++checked;
    }
  }
  CHECK(checked == 2);
}

TEST_CASE("verify: the all-zero record leaves every measured claim unverifiable", "[verify]") {
  const EcgMeasurements m = MeasureEcg(ReadEcgRecord(kData + "/ecg/edge/bad-ecg"));
  CHECK(m.beats.empty());
  const std::string text = ReadAll(kData + "/check/hr06000.txt") + "\nThe QTc is 600 ms. Left axis deviation. "
                           "There is ST elevation in V1-V4. Atrial fibrillation. SV1 + RV5 measures 50 mm.";
  const std::vector<Claim> claims = ExtractClaims(text);
  const std::vector<ClaimVerdict> v = VerifyClaims(claims, &m, text);
  REQUIRE(v.size() == claims.size());
  for (size_t i = 0; i < claims.size(); ++i) {
    INFO(claims[i].kind << " \"" << claims[i].text << "\" -> " << VerdictName(v[i].verdict) << " -- " << v[i].reason);
    CHECK(v[i].verdict == V::kUnverifiable);
  }
}

TEST_CASE("verify: the real ECG-R1 outputs against a real record", "[verify]") {
  const std::string dir = SharedDir() + "/spec/real-outputs";
  if (!std::filesystem::exists(dir + "/05.txt")) {
    WARN("skipped: " << dir << " not found");
    return;
  }
  const EcgMeasurements m = MeasureEcg(ReadEcgRecord(kData + "/ecg/cinc2021/HR06000"));
  for (const char* name : {"05", "17", "23", "30", "33"}) {
    const std::string out = ReadAll(dir + "/" + name + ".txt");
    const std::vector<Claim> claims = ExtractClaims(out);
    const std::vector<ClaimVerdict> v = VerifyClaims(claims, &m, out);
    INFO(name);
    REQUIRE(v.size() == claims.size());
    for (const ClaimVerdict& x : v) CHECK(!x.reason.empty());
  }
  // 05 says 83 bpm; HR06000 beats at about 69: that claim (step 1 and narrative) is contradicted.
  const std::string out = ReadAll(dir + "/05.txt");
  const std::multiset<std::string> c = Contradicted(out, m);
  CHECK(c.count("heart_rate|heart rate is 83 bpm") == 1);
  CHECK(c.count("heart_rate|83 bpm") == 1);
}

TEST_CASE("verify: hostile texts and measurements never crash", "[verify]") {
  EcgMeasurements m = NormalEcg();
  m.leads.clear();  // no leads at all
  std::string junk;
  for (uint32_t i = 0; i < 200000; ++i) junk += static_cast<char>((i * 2654435761u >> 13) % 256u);
  junk += " The QRS is 90 ms. ST elevation in V1-V4. The axis is 400 degrees. HR 1e308 bpm.";
  const std::vector<Claim> claims = ExtractClaims(junk);
  const std::vector<ClaimVerdict> v = VerifyClaims(claims, &m, junk);
  CHECK(v.size() == claims.size());
  // Out-of-range claim offsets (hand-built claims) and a text that does not match them.
  Claim c;
  c.kind = "heart_rate";
  c.relation = Claim::kEquals;
  c.value = 72;
  c.unit = "bpm";
  c.start = 1000;
  c.end = 5;
  CHECK(VerifyClaims({c}, &m, "short").at(0).verdict == V::kSupported);
  c.value = 1e308;
  CHECK(VerifyClaims({c}, &m, "").at(0).verdict == V::kContradicted);
  m.rr.heart_rate_bpm = INFINITY;
  m.delineation.intervals.heart_rate_bpm = NAN;
  CHECK(VerifyClaims({c}, &m, "").at(0).verdict == V::kUnverifiable);
}

}  // namespace
}  // namespace ecgr1::test
