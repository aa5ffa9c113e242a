// verify.h — judges each extracted claim (claims.h) against what the signal
// measured (ecg_measurements.h): supported, contradicted or unverifiable,
// with the measured value and a one-line reason.
//
// Tolerances come from the measurement standards (IEC 60601-2-25 and the
// issue's table): heart rate +-max(3 bpm, 5 %), PR and QRS +-10 ms, QT and QTc
// +-25 ms, axis +-15 deg, amplitudes +-max(0.05 mV, 10 %); a value within the
// tolerance of a protocol cut-off (dead band) is never called contradicted.
#pragma once

#include <string>
#include <vector>

#include "check/claims.h"
#include "measure/ecg_measurements.h"

namespace ecgr1 {

struct ClaimVerdict {
  enum Verdict { kSupported, kContradicted, kUnverifiable };
  Verdict verdict = kUnverifiable;
  double measured = NAN;    // in the claim's canonical unit, NaN when none
  std::string measured_text;  // for qualitative measurements ("sinus rhythm", "RBBB", "V1 V2"), else ""
  std::string reason;       // one line
};

const char* VerdictName(ClaimVerdict::Verdict v);

// `m` may be null (no record given): every claim is unverifiable.
std::vector<ClaimVerdict> VerifyClaims(const std::vector<Claim>& claims, const EcgMeasurements* m);

}  // namespace ecgr1
