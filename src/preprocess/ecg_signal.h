// ecg_signal.h — from an EcgRecord to the tower's input: 12 leads x 5000 samples.
//
// ECG-R1's own loader feeds the file's leads in file order, converts nothing,
// and truncates or zero-pads to 5000 samples whatever the sampling rate. We do
// exactly that for 500 Hz input (bit-compatible), and better otherwise:
//   - leads are reordered by name to the training order (MIMIC-IV-ECG):
//     I, II, III, aVR, aVF, aVL, V1..V6 — unless lead_order_file is set;
//   - other rates are resampled to 500 Hz with an anti-aliasing resampler
//     (libsoxr) before taking the 10 s window (unless resample is off);
//   - the 10 s window can start later than 0.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "io/ecg_record.h"

namespace ecgr1 {

// The lead order ECG-R1's signal training data (MIMIC-IV-ECG) uses.
extern const char* const kTrainingLeadOrder[12];

struct EcgSignalOptions {
  int leads = 12;                  // tower input channels
  int samples = 5000;              // tower input length
  double target_fs = 500;          // Hz
  bool lead_order_file = false;    // keep the file's order exactly (as the original)
  bool zero_fill_missing = false;  // missing leads become zeros instead of an error
  bool resample = true;            // false: pad/truncate as the original, whatever the rate
  double start_s = 0;              // start of the window, seconds
};

struct EcgTowerInput {
  std::vector<float> x;      // [leads * samples], lead-major, float32 as the original
  nlohmann::json report;     // what was done: format, rate in/out, resampled, lead order, leads found/missing, window
};

// Throws Error(kBadInput) naming the record (e.g. missing leads).
EcgTowerInput PrepareEcg(const EcgRecord& rec, const EcgSignalOptions& opt);

// Canonical name of a lead ("avr", "AVR", "aVR" -> "aVR"; "v1"/"V1"; "MLII" -> ""), "" if not a standard lead.
std::string CanonicalLeadName(const std::string& name);

}  // namespace ecgr1
