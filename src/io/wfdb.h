// wfdb.h — PhysioNet WFDB records: header (.hea) parsing and signal decoding.
//
// Reads what wfdb-python's rdsamp(path) returns (physical values, all signals,
// all samples from the start, frames smoothed), with ECG-R1's NaN -> 0 rule
// applied and voltage units converted to mV:
//   - headers: record line "name[/nseg] nsig [fs[/counter[(base)]] [len [time [date]]]]",
//     signal lines "file fmt[xspf][:skew][+offset] [gain[(baseline)][/units]
//     [res [zero [init [checksum [blocksize [description]]]]]]]", '#' comments
//     anywhere (kept), blank lines ignored, tabs or spaces;
//   - formats 0 (null), 8, 16, 24, 32, 61, 80, 160, 212, 310, 311 and FLAC
//     508/516/524 (libFLAC, decoded from memory); MATLAB v4 .mat signal files
//     as the PhysioNet/CinC challenges write them (format 16 + 24-byte offset);
//   - several samples per frame: averaged per frame as rdsamp's smooth_frames
//     does (sum of the digital samples / spf, truncated toward zero, then the
//     invalid-marker test and gain); the output rate is the frame rate;
//   - skew: signal i's frame t is read from frame t + skew; frames past the end
//     of the file are missing samples;
//   - multi-segment records, fixed and variable layout ('~' gaps), segments
//     confined to the master header's folder and one level deep only;
//   - checksums are compared (mod 65536); a mismatch is a note, not an error.
// Physical value = (digital - baseline) / gain (gain 0 means 200). Samples
// equal to the format's invalid marker (e.g. -32768 in format 16, -2048 in
// 212) become 0 and are counted in EcgRecord::invalid_samples.
//
// Every count is bounded before anything is allocated: the header is at most
// 1 MiB, at most kWfdbMaxSignals signals and kWfdbMaxSpf samples per frame,
// the declared samples must be present in the signal file, and a record holds
// at most kWfdbMaxTotalSamples values (gaps of multi-segment records included).
// Errors are Error(kBadInput) with one line naming the file and the problem.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "io/ecg_record.h"

namespace ecgr1 {

constexpr size_t kWfdbMaxHeaderBytes = 1u << 20;
constexpr int kWfdbMaxSignals = 4096;
constexpr int kWfdbMaxSpf = 1024;
constexpr int kWfdbMaxSegments = 1 << 16;
constexpr uint64_t kWfdbMaxTotalSamples = uint64_t{1} << 28;  // 2 GiB of doubles

// One signal line of a header, as written (defaults filled in as WFDB does).
struct WfdbSignalSpec {
  std::string file_name;       // "100.dat", "~" for none
  int format = 0;              // 0, 8, 16, 24, 32, 61, 80, 160, 212, 310, 311, 508, 516, 524
  int spf = 1;                 // samples per frame ('x')
  uint64_t skew = 0;           // frames (':')
  bool has_byte_offset = false;
  uint64_t byte_offset = 0;    // bytes before the first sample ('+')
  double gain = 200;           // ADC units per physical unit (0 in the file -> 200)
  bool gain_was_zero = false;  // the file said 0 (or nothing)
  double baseline = 0;         // digital value of physical 0 (default: adc_zero)
  std::string units = "mV";    // as written; "mV" when absent
  bool units_given = false;
  int adc_res = 0;             // bits (0: unknown)
  int64_t adc_zero = 0;
  int64_t init_value = 0;      // default: adc_zero; first value of format 8
  bool has_checksum = false;
  int64_t checksum = 0;
  int64_t block_size = 0;
  std::string description;     // the lead name ("MLII", "V5", "I", ...)
};

struct WfdbSegmentSpec {
  std::string name;     // header name in the same folder, or "~" for a gap
  uint64_t length = 0;  // frames
};

struct WfdbHeader {
  std::string name;
  int n_seg = 0;  // 0: single-segment record
  int n_sig = 0;
  double fs = 250;  // frames per second (WFDB default 250)
  double counter_freq = 0;
  double base_counter = 0;
  bool has_sig_len = false;
  uint64_t sig_len = 0;  // frames
  std::string base_time, base_date;
  std::vector<WfdbSignalSpec> signals;    // n_sig entries (single-segment)
  std::vector<WfdbSegmentSpec> segments;  // n_seg entries (multi-segment)
  std::vector<std::string> comments;      // '#' lines without the '#'
  std::vector<std::string> notes;         // leniencies applied while parsing
};

// Parses header text; `what` (the header's path) names it in errors.
WfdbHeader ParseWfdbHeader(const std::string& text, const std::string& what);

// Reads a WFDB record given as "dir/name", "dir/name.hea", "dir/name.dat" or
// "dir/name.mat".
EcgRecord ReadWfdbRecord(const std::string& path);

}  // namespace ecgr1
