// wfdb_annotations.h — PhysioNet WFDB annotation files (MIT format: .atr,
// .qrs, .ecgpuwave, LUDB's per-lead .i/.ii/...).
//
// The file is a stream of 16-bit little-endian words. In each word the top
// 6 bits are a code A and the low 10 bits a value I:
//   A = 0, I = 0      end of file (a missing terminator is accepted);
//   A = 1..49         an annotation of type A, I samples after the previous one;
//   A = 59 (SKIP)     the next two words hold a 32-bit time increment, high
//                     word first (each word little-endian), added to the time;
//   A = 60 (NUM)      I is the `num` field of the annotation just read, and of
//                     the following ones until changed;
//   A = 61 (SUB)      I is the `subtype` of the annotation just read;
//   A = 62 (CHN)      I is the `chan` of the annotation just read, and of the
//                     following ones until changed;
//   A = 63 (AUX)      I bytes of auxiliary text follow, padded to an even count;
//                     they belong to the annotation just read.
// Codes 50..58 are not defined and are rejected. Type codes are mapped to the
// standard mnemonics (1 -> "N", 5 -> "V", 28 -> "+", 39 -> "(" ...).
// Untrusted input: the file is bounded in size, every read is checked against
// the end, times must not overflow; errors are Error(kBadInput) naming the file.
// Not handled: the AHA distribution format (a different byte layout).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ecgr1 {

constexpr size_t kWfdbMaxAnnotationBytes = size_t{256} << 20;  // 256 MiB

struct WfdbAnnotations {
  std::string source;               // the path given
  std::vector<int64_t> sample;      // sample index of each annotation (at the record's rate)
  std::vector<std::string> symbol;  // mnemonic: "N", "V", "+", "(", ...
  std::vector<int> type;            // WFDB type code (1..49)
  std::vector<int> subtype;         // 0 unless a SUB word follows
  std::vector<int> chan;            // persists until changed (CHN)
  std::vector<int> num;             // persists until changed (NUM)
  std::vector<std::string> aux;     // auxiliary text as stored (NULs kept), "" when none
  size_t size() const { return sample.size(); }
};

// The mnemonic of a WFDB annotation type code ("" for unassigned codes).
std::string WfdbAnnotationSymbol(int type);

// True for the annotation symbols that label a beat (a QRS complex) in the
// sense of AAMI EC57 / WFDB's bxb: N L R B A a J S V r F e j n E / f Q ?.
// Not beats: rhythm/noise/signal-quality marks (+ ~ | s T * D " = ! [ ] x ...),
// wave boundaries and peaks ( ) p t u, and '!' (ventricular flutter waves).
bool IsBeatSymbol(const std::string& symbol);

// Sample indices of the beat annotations (IsBeatSymbol), in file order.
std::vector<int64_t> BeatSamples(const WfdbAnnotations& a);

// Parses annotation bytes already in memory; `name` is used in messages.
WfdbAnnotations ParseWfdbAnnotations(const std::string& bytes, const std::string& name);

// Reads an annotation file, e.g. "path/100.atr". Throws Error(kBadInput).
WfdbAnnotations ReadWfdbAnnotations(const std::string& path);

}  // namespace ecgr1
