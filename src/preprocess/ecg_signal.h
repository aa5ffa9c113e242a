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
// report keys: format, fs_in, fs_out (the rate fed: target_fs if resampled,
// else fs_in), resampled, lead_order ("training" | "file"), leads_used (file
// names, in input-row order), leads_missing, zero_filled, leads_ignored (file
// leads not fed), window_start_s (after rounding to a sample), samples_in,
// samples_out, padded_samples (per lead), invalid_samples, notes.
//
// Resampling (libsoxr, very high quality, linear phase, double precision):
// only the input span the window needs (plus >= 2 s margins) is converted;
// output sample k is at time k / target_fs from the record's first sample,
// and the window starts at output sample round(start_s * target_fs). At the
// record's ends the signal is continued by odd reflection rather than zeros
// (scipy's resample_poly pads with zeros and rings at the first and last few
// samples when the record does not start at 0 mV). Input rates 50..20000 Hz.
// Measured on sines at 1-80 Hz, 10 s records: the DFT below 100 Hz of the
// output matches the original's within 0.02% (360 Hz), 0.13% (1000 Hz with
// 300/450 Hz tones to reject), 0.09% (250 Hz); see tests/test_ecg_signal.cc.

// Throws Error(kBadInput) naming the record (e.g. missing leads).
EcgTowerInput PrepareEcg(const EcgRecord& rec, const EcgSignalOptions& opt);

// Canonical name of a lead ("avr", "AVR", "aVR" -> "aVR"; "v1"/"V1"; "MLII" -> ""), "" if not a standard lead.
// Case-insensitive; spaces, '_', '-', '.' and a leading "lead" are ignored
// ("Lead II", "lead_v4", "V 1"); DI/DII/DIII and D1/D2/D3 (CODE and some
// European exports) are I/II/III. Not accepted: MLII, V7-V9, V3R/V4R, -aVR,
// Frank X/Y/Z, bare digits.
std::string CanonicalLeadName(const std::string& name);

}  // namespace ecgr1
