#!/usr/bin/env python3
"""Independent reference values for writing the evaluation reports of
tests/data/check/eval/ (run by hand; not part of the build or the tests).

The truthful reports must not be written from `ecgr1 measure` (the test would
then only prove that check agrees with itself). This script measures, with
numpy alone and a method of its own (no code shared with src/measure), what a
careful reader would read off the trace: the heart rate from R peaks found on
the energy of the slope (Pan-Tompkins' idea, simplified), and per lead the
median beat's net QRS area (for the axis from I and aVF) and the sign and size
of the T wave. Use it next to the records' own labels (the Dx codes of the
CinC 2021 headers, the MUSE statements, LUDB's and MIT-BIH's annotations).

usage: tools/check_eval_reference.py RECORD.hea [...]   (12-lead 16-bit WFDB / MATLAB v4)
"""
import math
import sys

import numpy as np

LEADS = ["I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"]


def read(hea):
    lines = [l for l in open(hea) if l.strip() and not l.startswith("#")]
    rec = lines[0].split()
    n_sig, fs = int(rec[1]), float(rec[2].split("/")[0])
    sigs = [l.split() for l in lines[1 : 1 + n_sig]]
    fmt = sigs[0][1]
    offset = int(fmt.split("+")[1]) if "+" in fmt else 0
    gains = [float(s[2].split("/")[0].split("(")[0]) for s in sigs]
    names = [s[-1] for s in sigs]
    path = hea.rsplit("/", 1)[0] + "/" + sigs[0][0]
    raw = np.fromfile(path, dtype="<i2", offset=offset)
    raw = raw[: (raw.size // n_sig) * n_sig].reshape(-1, n_sig)
    return fs, names, raw / np.array(gains)


def moving_mean(x, n):
    n = max(1, int(n))
    c = np.cumsum(np.concatenate([[0.0], x]))
    out = (c[n:] - c[:-n]) / n
    pad = n // 2
    return np.concatenate([np.full(pad, out[0]), out, np.full(x.size - out.size - pad, out[-1])])


def r_peaks(sig, fs):
    # Energy of the summed slopes of all leads, integrated over 120 ms.
    d = np.abs(np.diff(sig - moving_mean_2d(sig, fs * 0.6), axis=0)).sum(axis=1)
    e = moving_mean(d * d, fs * 0.12)
    thr = 0.3 * np.percentile(e, 99)
    peaks, i, refractory = [], 0, int(0.25 * fs)
    while i < e.size:
        if e[i] > thr:
            j = i
            while j < e.size and e[j] > thr:
                j += 1
            lo, hi = max(0, i - int(0.05 * fs)), min(sig.shape[0], j + int(0.05 * fs))
            ref = sig[lo:hi, 1] if sig.shape[1] > 1 else sig[lo:hi, 0]
            k = lo + int(np.argmax(np.abs(ref - np.median(ref))))
            if not peaks or k - peaks[-1] > refractory:
                peaks.append(k)
            i = j + refractory
        else:
            i += 1
    return np.array(peaks)


def moving_mean_2d(sig, n):
    return np.stack([moving_mean(sig[:, c], n) for c in range(sig.shape[1])], axis=1)


def main():
    for hea in sys.argv[1:]:
        fs, names, sig = read(hea)
        peaks = r_peaks(sig, fs)
        rr = np.diff(peaks) / fs * 1000
        print(f"== {hea}: {len(peaks)} beats, median RR {np.median(rr):.0f} ms -> {60000 / np.median(rr):.1f} bpm "
              f"(mean {60000 / rr.mean():.1f}), RR CV {rr.std() / rr.mean():.3f}")
        pre, post = int(0.3 * fs), int(min(0.6, 0.65 * np.median(rr) / 1000) * fs)
        beats = [p for p in peaks if p - pre >= 0 and p + post < sig.shape[0]]
        med = np.median(np.stack([sig[p - pre : p + post] for p in beats]), axis=0)
        net = {}
        for c, name in enumerate(names):
            m = med[:, c] - np.median(med[pre - int(0.1 * fs) : pre - int(0.06 * fs), c])
            qrs = m[pre - int(0.05 * fs) : pre + int(0.06 * fs)]
            t = m[pre + int(0.16 * fs) :]
            tk = int(np.argmax(np.abs(t)))
            net[name.upper()] = qrs.sum() / fs
            print(f"  {name:4s} QRS net {qrs.sum() / fs * 1000:+7.1f} uV*s  R {qrs.max():+.2f} S {qrs.min():+.2f} mV"
                  f"  T {t[tk]:+.2f} mV at {(tk + int(0.16 * fs)) / fs * 1000:.0f} ms after R")
        if "I" in net and "AVF" in net:
            print(f"  axis ~ {math.degrees(math.atan2(net['AVF'], net['I'])):.0f} deg (net QRS of I and aVF)")


if __name__ == "__main__":
    main()
