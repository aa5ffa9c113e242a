// quant_report.cc — measures the accuracy of the q8 / q4 weight types and
// prints the markdown tables of weights/QUANT.md.
//
//   ecgr1_quant_report [--rows N] [--cols N] [--seed S] [--no-synthetic] [--no-golden] [--detail]
//
// (a) Round trip (quantize, dequantize) relative RMS error ||w - w'|| / ||w||
//     of every matrix of the golden checkpoint (tests/data/golden_a/model),
//     summarized per tensor kind, and of synthetic matrices (Gaussian,
//     Student-t, outlier input channels) of a real 8B shape. Besides q8 and q4
//     it measures three q4 variants computed only here: asymmetric (f16 scale
//     + f16 min per 32 weights, codes 0..15, 5.0 bits per weight), symmetric
//     with d = amax / 7 (15 levels), and the stored q4 layout with the scale
//     searched for least squared error (a converter-only change), to justify
//     the stored q4 by error per bit.
// (b) End to end on the five golden cases (teacher-forced: the prompt and the
//     reference's 16 generated tokens): the q8 and q4 files against our f32
//     file at every position (relative logit error, KL(f32 || q), top-1
//     agreement) and against the reference (transformers) top-1 where its
//     top-1/top-2 margin is above 0.05.
//
// Not a test: it prints numbers, it asserts nothing (tests/test_quant_golden.cc
// holds the floors).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "base/bf16.h"
#include "base/dtype.h"
#include "base/tensor.h"
#include "convert/convert.h"
#include "engine/model.h"
#include "format/ecgr1_file.h"
#include "golden.h"
#include "golden_run.h"
#include "kernels/cpu_features.h"
#include "test_util.h"
#include "quant/tiled_quant.h"

namespace ecgr1 {
namespace {

using test::CaseRun;
using test::GoldenCase;
using test::GoldenModel;

// ---------------------------------------------------------------- round trip

enum class Scheme { kBf16, kQ8, kQ4, kQ4Asym, kQ4Sym7, kQ4Search };

const char* SchemeName(Scheme s) {
  switch (s) {
    case Scheme::kBf16: return "bf16";
    case Scheme::kQ8: return "q8";
    case Scheme::kQ4: return "q4";
    case Scheme::kQ4Asym: return "q4 asym (scale+min)";
    case Scheme::kQ4Sym7: return "q4 sym amax/7";
    case Scheme::kQ4Search: return "q4, searched scale";
  }
  return "?";
}

double SchemeBits(Scheme s) {
  switch (s) {
    case Scheme::kBf16: return 16.0;
    case Scheme::kQ8: return BitsPerWeight(DType::kQ8);
    case Scheme::kQ4: return BitsPerWeight(DType::kQ4);
    case Scheme::kQ4Asym: return (32 * 4 + 16 + 16) / 32.0;  // codes + f16 scale + f16 min
    case Scheme::kQ4Sym7:
    case Scheme::kQ4Search: return (32 * 4 + 16) / 32.0;
  }
  return 0;
}

// Relative RMS error of w [rows, cols] after a round trip through scheme s.
// q8 / q4 go through the real converter and the real layout.
double RoundTripError(const float* w, size_t rows, size_t cols, Scheme s) {
  double err2 = 0, norm2 = 0;
  auto add = [&](double a, double b) {
    err2 += (a - b) * (a - b);
    norm2 += a * a;
  };
  if (s == Scheme::kQ8 || s == Scheme::kQ4) {
    const DType t = s == Scheme::kQ8 ? DType::kQ8 : DType::kQ4;
    TensorView src;
    src.name = "w";
    src.dtype = DType::kF32;
    src.shape = {rows, cols};
    src.data = reinterpret_cast<const uint8_t*>(w);
    src.nbytes = rows * cols * 4;
    uint64_t bytes = 0;
    TensorBytes(t, src.shape, &bytes);
    std::vector<uint8_t> q(bytes);
    ConvertTensor(src, t, q.data());
    std::vector<float> row(cols);
    for (size_t r = 0; r < rows; ++r) {
      quant::DequantizeRow(t, q.data(), cols, r, row.data());
      for (size_t c = 0; c < cols; ++c) add(w[r * cols + c], row[c]);
    }
  } else if (s == Scheme::kBf16) {
    for (size_t i = 0; i < rows * cols; ++i) add(w[i], Bf16ToF32(F32ToBf16(w[i])));
  } else {
    for (size_t r = 0; r < rows; ++r)
      for (size_t b = 0; b < cols / 32; ++b) {
        const float* x = w + r * cols + b * 32;
        float lo = x[0], hi = x[0], amax = 0;
        for (size_t k = 0; k < 32; ++k) {
          lo = std::min(lo, x[k]);
          hi = std::max(hi, x[k]);
          amax = std::max(amax, std::fabs(x[k]));
        }
        if (s == Scheme::kQ4Asym) {  // w = d * q + m, q in 0..15 (llama.cpp Q4_1-like)
          const float d = F16ToF32(F32ToF16((hi - lo) / 15.0f)), m = F16ToF32(F32ToF16(lo));
          const float id = d != 0 ? 1.0f / d : 0.0f;
          for (size_t k = 0; k < 32; ++k) {
            const float q = std::max(0.0f, std::min(15.0f, std::nearbyint((x[k] - m) * id)));
            add(x[k], d * q + m);
          }
        } else if (s == Scheme::kQ4Search) {  // the q4 layout, d chosen for least squared error
          float m = 0;
          for (size_t k = 0; k < 32; ++k)
            if (std::fabs(x[k]) > std::fabs(m)) m = x[k];
          double best = -1;
          float best_d = 0;
          for (int step = 0; step <= 24; ++step) {  // d = m / -8 x 0.76 .. 1.24
            const float d = F16ToF32(F32ToF16(m / -8.0f * (0.76f + 0.02f * step)));
            const float id = d != 0 ? 1.0f / d : 0.0f;
            double e = 0;
            for (size_t k = 0; k < 32; ++k) {
              const float q = std::max(-8.0f, std::min(7.0f, std::nearbyint(x[k] * id)));
              e += (x[k] - d * q) * (x[k] - d * q);
            }
            if (best < 0 || e < best) best = e, best_d = d;
          }
          const float id = best_d != 0 ? 1.0f / best_d : 0.0f;
          for (size_t k = 0; k < 32; ++k)
            add(x[k], best_d * std::max(-8.0f, std::min(7.0f, std::nearbyint(x[k] * id))));
        } else {  // w = d * q, q in -7..7
          const float d = F16ToF32(F32ToF16(amax / 7.0f));
          const float id = d != 0 ? 1.0f / d : 0.0f;
          for (size_t k = 0; k < 32; ++k) {
            const float q = std::max(-7.0f, std::min(7.0f, std::nearbyint(x[k] * id)));
            add(x[k], d * q);
          }
        }
      }
  }
  return norm2 > 0 ? std::sqrt(err2 / norm2) : 0.0;
}

// The kind of a golden checkpoint matrix, or "" to skip it.
std::string KindOf(const std::string& name) {
  static const std::pair<const char*, const char*> kinds[] = {
      {"self_attn.q_proj", "q"},       {"self_attn.k_proj", "k"},     {"self_attn.v_proj", "v"},
      {"self_attn.o_proj", "o"},       {"mlp.gate_proj", "gate"},     {"mlp.up_proj", "up"},
      {"mlp.down_proj", "down"},       {"embed_tokens", "embed"},     {"lm_head", "lm_head"},
      {"model.visual.", "vision (bf16)"}, {"model.ecg_tower.", "ECG tower (bf16)"},
      {"model.ecg_projector.", "ECG projector (bf16)"}};
  for (const auto& [key, kind] : kinds)
    if (name.find(key) != std::string::npos) return kind;
  return "";
}

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::string Pct(double x) {  // relative error as a percentage
  char b[32];
  std::snprintf(b, sizeof b, x < 0.001 ? "%.4f%%" : "%.3f%%", 100 * x);
  return b;
}

void GoldenRoundTrip() {
  const Model& model = GoldenModel(DType::kF32);
  const std::vector<Scheme> schemes = {Scheme::kQ8, Scheme::kQ4, Scheme::kQ4Asym, Scheme::kQ4Sym7, Scheme::kQ4Search};
  struct Acc {
    size_t n = 0;
    std::string shape;
    std::vector<double> e[5];
  };
  std::vector<std::string> order;
  std::map<std::string, Acc> acc;
  for (const TensorView& t : model.file().tensors()) {
    if (t.shape.size() != 2 || t.dtype != DType::kF32 || t.shape[1] % 32 != 0) continue;
    const std::string kind = KindOf(t.name);
    if (kind.empty()) continue;
    if (!acc.count(kind)) order.push_back(kind);
    Acc& a = acc[kind];
    const std::string shape = ShapeString(t.shape);
    if (a.shape.find(shape) == std::string::npos) a.shape += (a.shape.empty() ? "" : " ") + shape;
    ++a.n;
    for (size_t s = 0; s < schemes.size(); ++s)
      a.e[s].push_back(RoundTripError(t.as<float>(), t.shape[0], t.shape[1], schemes[s]));
  }
  std::printf("### Round trip on the golden checkpoint (tests/data/golden_a, bf16 weights)\n\n");
  std::printf("Relative RMS error ||w - w'|| / ||w|| per matrix, min / median / max over the tensors of each kind.\n");
  std::printf("Matrices whose columns are not a multiple of 32 are left out (they stay bf16). The kinds marked\n");
  std::printf("(bf16) stay bf16 in q8/q4 files: their columns show what quantizing them would cost.\n\n");
  std::printf("| kind | tensors | shape | q8 (%.1f bpw) | q4 (%.1f bpw) | q4 asym (%.1f bpw), median | q4 sym amax/7 (%.1f bpw), median | q4 searched scale (%.1f bpw), median |\n",
              SchemeBits(Scheme::kQ8), SchemeBits(Scheme::kQ4), SchemeBits(Scheme::kQ4Asym), SchemeBits(Scheme::kQ4Sym7),
              SchemeBits(Scheme::kQ4Search));
  std::printf("|---|---|---|---|---|---|---|---|\n");
  for (const std::string& k : order) {
    const Acc& a = acc[k];
    auto mmm = [](const std::vector<double>& v) {
      return Pct(*std::min_element(v.begin(), v.end())) + " / " + Pct(Median(v)) + " / " +
             Pct(*std::max_element(v.begin(), v.end()));
    };
    std::printf("| %s | %zu | %s | %s | %s | %s | %s | %s |\n", k.c_str(), a.n, a.shape.c_str(), mmm(a.e[0]).c_str(),
                mmm(a.e[1]).c_str(), Pct(Median(a.e[2])).c_str(), Pct(Median(a.e[3])).c_str(),
                Pct(Median(a.e[4])).c_str());
  }
  std::printf("\n");
}

struct Synthetic {
  std::string name;
  std::vector<float> w;
};

// Matrices of a real shape: Gaussian, Student-t (3 and 5 degrees of freedom),
// and Gaussian / Student-t 4 with 8 outlier input channels (columns x 20).
std::vector<Synthetic> MakeSynthetic(size_t rows, size_t cols, uint64_t seed) {
  std::vector<Synthetic> out;
  auto gen = [&](const std::string& name, auto dist, size_t outliers) {
    std::mt19937_64 rng(seed + out.size());
    Synthetic s{name, std::vector<float>(rows * cols)};
    for (float& x : s.w) x = 0.02f * static_cast<float>(dist(rng));
    std::vector<size_t> cols_out;
    for (size_t i = 0; i < outliers; ++i) cols_out.push_back((i * 2654435761u + 17) % cols);
    for (size_t r = 0; r < rows; ++r)
      for (size_t c : cols_out) s.w[r * cols + c] *= 20.0f;
    out.push_back(std::move(s));
  };
  gen("Gaussian", std::normal_distribution<double>(0, 1), 0);
  gen("Student-t, 5 dof", std::student_t_distribution<double>(5), 0);
  gen("Student-t, 3 dof", std::student_t_distribution<double>(3), 0);
  gen("Gaussian, 8 outlier columns x20", std::normal_distribution<double>(0, 1), 8);
  gen("Student-t 4 dof, 8 outlier columns x20", std::student_t_distribution<double>(4), 8);
  return out;
}

void SyntheticRoundTrip(size_t rows, size_t cols, uint64_t seed) {
  const std::vector<Scheme> schemes = {Scheme::kBf16,   Scheme::kQ8,     Scheme::kQ4,
                                       Scheme::kQ4Asym, Scheme::kQ4Sym7, Scheme::kQ4Search};
  std::printf("### Round trip on synthetic matrices [%zu, %zu]\n\n", rows, cols);
  std::printf("Relative RMS error (and signal-to-noise ratio, dB = -20 log10 error). Weights 0.02 x the\n");
  std::printf("distribution; outlier columns are 8 input channels multiplied by 20 in every row. Seed %llu.\n\n",
              static_cast<unsigned long long>(seed));
  std::printf("| distribution |");
  for (Scheme s : schemes) std::printf(" %s (%.1f bpw) |", SchemeName(s), SchemeBits(s));
  std::printf(" q4 asym gain over q4 |\n|---|");
  for (size_t i = 0; i <= schemes.size(); ++i) std::printf("---|");
  std::printf("\n");
  for (const Synthetic& s : MakeSynthetic(rows, cols, seed)) {
    std::printf("| %s |", s.name.c_str());
    double e_q4 = 0, e_asym = 0;
    for (Scheme sc : schemes) {
      const double e = RoundTripError(s.w.data(), rows, cols, sc);
      if (sc == Scheme::kQ4) e_q4 = e;
      if (sc == Scheme::kQ4Asym) e_asym = e;
      std::printf(" %s (%.1f dB) |", Pct(e).c_str(), -20 * std::log10(e));
    }
    std::printf(" %.2f dB for +0.5 bpw |\n", 20 * std::log10(e_q4 / e_asym));
  }
  std::printf("\nA uniform quantizer gains 6.02 dB per extra bit (q8 over q4: 4 bits, about 24 dB), so the\n");
  std::printf("asymmetric variant's extra 0.5 bit per weight is worth it only if it gains more than 3.01 dB.\n\n");
}

// ---------------------------------------------------------------- end to end

struct Miss {
  std::string type, name, region;
  size_t row;
  double ref_margin, q_margin;  // reference top-1 - top-2; our logit(our top-1) - logit(reference top-1)
};
std::vector<Miss> g_misses;

using E2E = test::AccuracyTally;

E2E Compare(const CaseRun& f, const CaseRun& q, const GoldenCase& g, const std::string& type = "",
            const std::string& name = "") {
  const test::ReferenceTop10 ref(g);
  E2E e;
  test::ForEachLogitRow(f, q, [&](size_t i, const float*, const float* lq, const test::LogitCompare& c) {
    const bool same_ref = e.Add(i, c, ref);
    if (ref.Margin(i) > test::kMarginRule && !same_ref && !type.empty())
      g_misses.push_back({type, name, q.Region(i), i, ref.Margin(i),
                          static_cast<double>(lq[c.top1_q]) - lq[ref.Top1(i)]});
  });
  return e;
}

void PrintE2ERow(const std::string& label, const E2E& e) {
  std::printf("| %s | %zu | %.2e | %.2e | %.2e | %.2e | %zu/%zu (%.1f%%) | %zu/%zu (%.1f%%) | %zu/%zu (%.1f%%) |\n",
              label.c_str(), e.rows, e.sum_rel / e.rows, e.max_rel, e.sum_kl / e.rows, e.max_kl,
              e.agree_f32, e.rows, 100.0 * e.agree_f32 / e.rows, e.agree_ref_margin, e.margin_rows,
              100.0 * e.agree_ref_margin / e.margin_rows, e.agree_ref, e.rows, 100.0 * e.agree_ref / e.rows);
}

// A copy of `m` whose q8 / q4 tensors are dequantized to f32: the same
// weights computed in f32 (no int8 activations; f32 towers), to separate the
// error of the weights from that of the activations.
std::unique_ptr<Model> DequantizedCopy(const Model& m, const std::string& path) {
  std::vector<Ecgr1TensorSpec> specs;
  for (const TensorView& t : m.file().tensors()) {
    Ecgr1TensorSpec s;
    s.name = t.name;
    s.shape = t.shape;
    s.dtype = quant::IsTiled(t.dtype) ? DType::kF32 : t.dtype;
    const TensorView* tp = &t;
    s.fill = [tp](uint8_t* dst, uint64_t nbytes) {
      if (!quant::IsTiled(tp->dtype)) return (void)std::memcpy(dst, tp->data, nbytes);
      const size_t rows = tp->shape[0], cols = tp->shape[1];
      for (size_t r = 0; r < rows; ++r)
        quant::DequantizeRow(tp->dtype, tp->data, cols, r, reinterpret_cast<float*>(dst) + r * cols);
    };
    specs.push_back(std::move(s));
  }
  WriteEcgr1(path, m.file().metadata(), specs);
  auto out = std::make_unique<Model>(path);
  std::remove(path.c_str());  // the mapping stays valid
  return out;
}

// A copy of `base` with some tensors stored in another type (quantized from
// the f32 file's tensor of the same name): `pick` returns the type for a
// tensor, given its name and its type in `base`. To measure the policy's
// choices (lm_head q8, towers bf16, embeddings in the requested type).
std::unique_ptr<Model> PolicyVariant(const Model& base, const std::function<DType(const std::string&, DType)>& pick,
                                     const std::string& path) {
  const Model& f32 = GoldenModel(DType::kF32);
  std::vector<Ecgr1TensorSpec> specs;
  for (const TensorView& t : base.file().tensors()) {
    Ecgr1TensorSpec s;
    s.name = t.name;
    s.shape = t.shape;
    s.dtype = pick(t.name, t.dtype);
    const TensorView* tp = &t;
    const TensorView* src = f32.file().Find(t.name);
    const DType to = s.dtype;
    s.fill = [tp, src, to](uint8_t* dst, uint64_t nbytes) {
      if (to == tp->dtype) return (void)std::memcpy(dst, tp->data, nbytes);
      ConvertTensor(*src, to, dst);
    };
    specs.push_back(std::move(s));
  }
  WriteEcgr1(path, base.file().metadata(), specs);
  auto out = std::make_unique<Model>(path);
  std::remove(path.c_str());
  return out;
}

bool IsTowerMatrix(const std::string& name, DType t, const TensorView& v) {
  return (name.rfind("model.visual.", 0) == 0 || name.rfind("model.ecg_", 0) == 0) && t == DType::kBF16 &&
         v.shape.size() == 2 && v.shape[1] % 32 == 0;
}

void GoldenEndToEnd(bool detail) {
  const auto t0 = std::chrono::steady_clock::now();
  std::map<std::string, CaseRun> f32;
  for (const std::string& name : test::GoldenCaseNames()) f32[name] = test::RunGoldenCase(GoldenModel(DType::kF32), name);
  {  // our f32 against the reference, as the baseline of the margin rule
    E2E all;
    for (const std::string& name : test::GoldenCaseNames()) all.Merge(Compare(f32[name], f32[name], GoldenCase(name)));
    std::printf("### End to end on the golden cases\n\n");
    std::printf("Teacher-forced: every prompt position and the 16 generation steps (the reference's tokens fed\n");
    std::printf("back), %zu positions over the 5 cases, full-vocabulary logits (151672). Rel. error =\n", all.rows);
    std::printf("||l_q - l_f32|| / ||l_f32|| per position; KL = KL(softmax(l_f32) || softmax(l_q)) in nats;\n");
    std::printf("\"ref top-1\" compares with the reference (transformers, f32) top-1, with margin > 0.05 = only\n");
    std::printf("positions whose reference top-1/top-2 logit margin exceeds 0.05. Our f32 file itself agrees\n");
    std::printf("with the reference top-1 at %zu/%zu positions (%zu/%zu with margin > 0.05).\n\n", all.agree_ref,
                all.rows, all.agree_ref_margin, all.margin_rows);
  }
  test::TempDir tmp;
  const std::unique_ptr<Model> q8w = DequantizedCopy(GoldenModel(DType::kQ8), tmp.File("q8w.ecgr1"));
  const std::unique_ptr<Model> q4w = DequantizedCopy(GoldenModel(DType::kQ4), tmp.File("q4w.ecgr1"));
  const Model& q8 = GoldenModel(DType::kQ8);
  const Model& q4 = GoldenModel(DType::kQ4);
  auto towers_as = [](const Model& base, DType to) {
    return [&base, to](const std::string& n, DType t) {
      return IsTowerMatrix(n, t, *base.file().Find(n)) ? to : t;
    };
  };
  const std::unique_ptr<Model> q4_lm4 = PolicyVariant(
      q4, [](const std::string& n, DType t) { return n == "lm_head.weight" ? DType::kQ4 : t; }, tmp.File("a.ecgr1"));
  const std::unique_ptr<Model> q4_emb8 = PolicyVariant(
      q4, [](const std::string& n, DType t) { return n.find("embed_tokens") != std::string::npos ? DType::kQ8 : t; },
      tmp.File("b.ecgr1"));
  const std::unique_ptr<Model> q8_tow8 = PolicyVariant(q8, towers_as(q8, DType::kQ8), tmp.File("c.ecgr1"));
  const std::unique_ptr<Model> q4_tow4 = PolicyVariant(q4, towers_as(q4, DType::kQ4), tmp.File("d.ecgr1"));
  struct Variant {
    std::string label;
    const Model* model;
    bool intrinsics;  // off: bf16 matrices are widened to f32 (towers in f32)
    bool per_case;
  };
  const bool bf16_towers = kernels::UseAvx512Bf16();
  std::vector<Variant> variants = {
      {"bf16", &GoldenModel(DType::kBF16), true, false},
      {"q8", &GoldenModel(DType::kQ8), true, true},
      {"q4", &GoldenModel(DType::kQ4), true, true},
  };
  if (bf16_towers) {
    variants.push_back({"q8, towers in f32", &GoldenModel(DType::kQ8), false, false});
    variants.push_back({"q4, towers in f32", &GoldenModel(DType::kQ4), false, false});
  }
  variants.push_back({"q8 weights, all f32 compute", q8w.get(), true, false});
  variants.push_back({"q4 weights, all f32 compute", q4w.get(), true, false});
  variants.push_back({"q8, vision/ECG towers q8 too", q8_tow8.get(), true, false});
  variants.push_back({"q4, vision/ECG towers q4 too", q4_tow4.get(), true, false});
  variants.push_back({"q4, lm_head q4 too", q4_lm4.get(), true, false});
  variants.push_back({"q4, embed_tokens q8", q4_emb8.get(), true, false});

  std::map<std::string, std::vector<std::pair<std::string, E2E>>> results;
  const bool intrinsics = kernels::IntrinsicsEnabled();  // off with ECGR1_NO_INTRINSICS=1
  for (const Variant& v : variants) {
    kernels::SetIntrinsicsEnabled(v.intrinsics && intrinsics);
    for (const std::string& name : test::GoldenCaseNames()) {
      const CaseRun q = test::RunGoldenCase(*v.model, name);
      results[v.label].push_back({name, Compare(f32[name], q, GoldenCase(name), v.label, name)});
    }
    kernels::SetIntrinsicsEnabled(intrinsics);
  }
  const char* header =
      "| %s | positions | rel. error mean | rel. error max | KL mean | KL max | top-1 = f32 | ref top-1, margin > 0.05 | ref top-1, all |\n"
      "|---|---|---|---|---|---|---|---|---|\n";
  std::printf(header, "file");
  for (const Variant& v : variants) {
    E2E all;
    for (const auto& [name, e] : results[v.label]) all.Merge(e);
    PrintE2ERow(v.label, all);
  }
  std::printf("\n\"q8\" and \"q4\" are the files as they run (int8 activations in the decoder%s).\n",
              bf16_towers ? "; the vision encoder with bf16 activations on this AVX512-BF16 CPU, the ECG tower in f32" : "");
  if (bf16_towers)
    std::printf("\"towers in f32\": the same files with the intrinsics paths off (ECGR1_NO_INTRINSICS=1), so the\n"
                "bf16 towers widen their weights to f32 and keep f32 activations; the q8/q4 kernels give the\n"
                "same bits either way.\n");
  std::printf("\"weights, all f32 compute\": the q8/q4 tensors dequantized to f32 — only the weight rounding.\n");
  std::printf("The last four rows change one choice of the per-tensor policy (convert.h StoredType): the tower\n"
              "matrices (columns a multiple of 32) quantized too, lm_head in q4, embed_tokens in q8.\n\n");
  for (const Variant& v : variants) {
    if (!v.per_case) continue;
    std::printf(header, (v.label + ", case").c_str());
    for (const auto& [name, e] : results[v.label]) PrintE2ERow(name, e);
    std::printf("\n");
  }
  std::printf("Positions with a reference margin above 0.05 whose top-1 differs from the reference's\n");
  std::printf("(q8 variants; q4 counted%s):\n\n", detail ? " and listed" : ", --detail lists them");
  std::printf("| file | case | position | kind | reference margin | our top-1 logit - our logit of the reference top-1 |\n");
  std::printf("|---|---|---|---|---|---|\n");
  std::map<std::string, size_t> hidden;
  for (const Miss& m : g_misses)
    if (m.type.rfind("q8", 0) == 0 || detail)
      std::printf("| %s | %s | %zu | %s | %.4f | %.4f |\n", m.type.c_str(), m.name.c_str(), m.row, m.region.c_str(),
                  m.ref_margin, m.q_margin);
    else
      ++hidden[m.type];
  for (const auto& [type, n] : hidden) std::printf("| %s | (%zu positions) | | | | |\n", type.c_str(), n);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("\n(End-to-end section: %.1f s including conversion.)\n\n", s);
}

}  // namespace
}  // namespace ecgr1

int main(int argc, char** argv) {
  size_t rows = 4096, cols = 4096;
  uint64_t seed = 1;
  bool synthetic = true, golden = true, detail = false;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> const char* {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--rows") rows = std::strtoull(next(), nullptr, 10);
    else if (a == "--cols") cols = std::strtoull(next(), nullptr, 10);
    else if (a == "--seed") seed = std::strtoull(next(), nullptr, 10);
    else if (a == "--no-synthetic") synthetic = false;
    else if (a == "--no-golden") golden = false;
    else if (a == "--detail") detail = true;
    else {
      std::fprintf(stderr,
                   "usage: ecgr1_quant_report [--rows N] [--cols N] [--seed S] [--no-synthetic] [--no-golden] [--detail]\n");
      return a == "-h" || a == "--help" ? 0 : 2;
    }
  }
  if (cols % 32 != 0 || rows == 0 || cols == 0) {
    std::fprintf(stderr, "--cols must be a positive multiple of 32, --rows positive\n");
    return 2;
  }
  try {
    if (golden) ecgr1::GoldenRoundTrip();
    if (synthetic) ecgr1::SyntheticRoundTrip(rows, cols, seed);
    if (golden) ecgr1::GoldenEndToEnd(detail);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ecgr1_quant_report: %s\n", e.what());
    return 1;
  }
  return 0;
}
