// muse_xml.h — GE MUSE "RestingECG" XML exports (MUSE 8/9): the 10 s rhythm
// waveform as an EcgRecord.
//
// Layout read (element names as GE writes them): /RestingECG/Waveform with
// WaveformType "Rhythm" (the "Median" waveform is GE's own median beat and is
// not used), SampleBase x 10^SampleExponent = Hz, and one LeadData per stored
// lead: LeadID, LeadSampleCountTotal, LeadSampleSize (2 = int16), LeadAmplitude-
// UnitsPerBit with LeadAmplitudeUnits (MICROVOLTS, MILLIVOLTS or VOLTS),
// LeadDataCRC32 and WaveFormData (base64 of little-endian int16 samples).
// MUSE stores 8 leads (I, II, V1-V6); the other limb leads are derived as the
// cart does: III = II - I, aVR = -(I + II)/2, aVL = I - II/2, aVF = II - I/2
// (said in the notes). A CRC32 mismatch is a note, as WFDB checksums are.
// The machine's own measurements (RestingECGMeasurements) and diagnosis
// statements are kept in `comments` ("GE VentricularRate: 90", "GE statement:
// ..."); patient demographics are not read.
//
// Untrusted input: the file is at most 64 MiB, at most 64 leads, at most
// 2^24 samples per lead, sample counts must agree with the decoded bytes, all
// leads the same length. Errors are Error(kBadInput), one line naming the file.
#pragma once

#include <string>

#include "io/ecg_record.h"

namespace ecgr1 {

EcgRecord ReadMuseXml(const std::string& path);

// Parses an in-memory document; `name` is used in messages.
EcgRecord ParseMuseXml(const std::string& bytes, const std::string& name);

}  // namespace ecgr1
