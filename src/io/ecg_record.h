// ecg_record.h — an ECG recording as read from disk, before any preprocessing.
//
// Every signal reader (WFDB incl. MATLAB v4 .mat and FLAC formats, CSV, NPY)
// returns this. Values are physical, converted to millivolts where the file
// states another voltage unit (uV, V); the unit as found is kept for reports.
// Missing/invalid-sample markers become 0, as ECG-R1's loader does, and are
// counted. Leads keep the file's order and names.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ecgr1 {

struct EcgRecord {
  std::string source;                  // the path given
  std::string format;                  // e.g. "wfdb (format 16)", "wfdb (MATLAB v4)", "csv", "npy"
  double fs = 0;                       // sampling rate of `signal`, Hz
  std::vector<std::string> leads;      // names as in the file ("I", "AVR", "v1", ...)
  std::vector<std::string> units;      // units as in the file ("mV", "uV", ...)
  std::vector<std::vector<double>> signal;  // [lead][sample], mV (physical, as wfdb rdsamp)
  uint64_t invalid_samples = 0;        // missing-value markers / NaN / inf set to 0
  std::vector<std::string> comments;   // header comment lines (WFDB '#' lines)
  std::vector<std::string> notes;      // what the reader had to do (for --json reports)
  size_t length() const { return signal.empty() ? 0 : signal[0].size(); }
};

// Millivolts per unit of a voltage unit as written in a file ("mV", "uV",
// "µV", "nV", "V", spelled out or not, any case; empty = mV), 0 when the unit
// is not a voltage ("NU", "mmHg", ...).
double MillivoltsPerUnit(const std::string& unit);

// True when lead `l` of `r` is a voltage (an ECG lead), also when its unit is unknown.
bool IsVoltageLead(const EcgRecord& r, size_t l);

// Options for readers that cannot know the sampling rate from the file.
struct EcgReadOptions {
  double fs = 0;  // Hz; required for CSV/NPY files that do not state it
};

// Reads a record, choosing the reader by name: "path/name", "path/name.hea",
// "path/name.dat" or "path/name.mat" (WFDB), ".csv", ".npy", ".xml" (GE MUSE). Throws
// Error(kBadInput) with one line naming the file and the problem.
EcgRecord ReadEcgRecord(const std::string& path, const EcgReadOptions& opt = {});

}  // namespace ecgr1
