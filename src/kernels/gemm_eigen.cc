// gemm_eigen.cc — Eigen's f32 GEMM at the architecture's baseline (SSE2 on
// x86-64, NEON on arm64). See gemm_eigen-inl.h.
#define ECGR1_EIGEN_NS ecgr1_eigen_baseline
#define ECGR1_GEMM_ENTRY GemmEigenBaseline
#include "kernels/gemm_eigen-inl.h"
