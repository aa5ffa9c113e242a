// ecg_csv_npy.h — ECG records stored as CSV text or NumPy .npy arrays.
//
// Neither format carries units or (usually) a sampling rate, so both readers
// assume millivolts and take the rate from EcgReadOptions::fs; every
// assumption made is written to EcgRecord::notes for --json reports.
//
// CSV: one header row of lead names, then one row per sample.
//   - separator: the most frequent of ',', ';', TAB in the header row (none:
//     a single column); with ';' a decimal comma ("0,125") is accepted;
//   - names may be double-quoted ("" inside quotes is a quote);
//   - a first column named time / t / sample(s) / index / idx / n, a name
//     starting with "time" (e.g. "time (s)"), or an empty name (a pandas
//     index column) is dropped;
//   - lines starting with '#' are comments, kept in EcgRecord::comments; before
//     the header, "# fs=500", "# fs: 500", "# sampling_rate: 500 Hz" (also
//     sample_rate, sampling_frequency) give the rate when opt.fs is 0, and
//     "# units: uV" (uV, µV, mV, V) sets the unit, converted to mV;
//   - numbers are parsed strictly (std::from_chars, whole cell): an empty cell,
//     nan, inf, NA, N/A or null is an invalid sample -> 0, counted; anything
//     else that is not a number is an error naming the line and column;
//   - blank lines are skipped; a row with a different number of fields than
//     the header is an error naming the line.
//
// NPY (format versions 1.0, 2.0, 3.0): dtypes <f4 <f8 <i2 <i4 <i8 and their
// big-endian '>' twins (byte-swapped), C or Fortran order. Shapes:
//   - 2-D (a, b): the leads are the dimension equal to 12 if exactly one is,
//     otherwise the smaller one (at most 64 leads); size-1 dimensions beyond
//     two are squeezed; 1-D (n,) is one lead;
//   - the data size is checked against the file before anything is allocated.
// Integer arrays are taken as millivolt values as stored (no gain is known).
// Lead names: a 12-lead array is assumed to be in ECG-R1's training order
// I, II, III, aVR, aVF, aVL, V1..V6 (aVF before aVL, as MIMIC-IV-ECG) — an
// assumption noted in the record; other lead counts are named ch0, ch1, ...
// NaN and ±inf become 0 and are counted in invalid_samples.
#pragma once

#include <string>

#include "io/ecg_record.h"

namespace ecgr1 {

// Largest CSV / NPY file accepted, and most leads a record may have.
constexpr size_t kMaxEcgTextFileBytes = size_t{1} << 30;  // 1 GiB
constexpr size_t kMaxEcgNpyFileBytes = size_t{2} << 30;   // 2 GiB
constexpr size_t kMaxEcgLeads = 64;

// Both throw Error(kBadInput) with one line naming `path` and the problem.
EcgRecord ReadEcgCsv(const std::string& path, const EcgReadOptions& opt);
EcgRecord ReadEcgNpy(const std::string& path, const EcgReadOptions& opt);

// The lead names given to a 12-row .npy array: ECG-R1's training order
// (equal to kTrainingLeadOrder in preprocess/ecg_signal.h; a test checks it).
extern const char* const kNpyDefault12LeadNames[12];

}  // namespace ecgr1
