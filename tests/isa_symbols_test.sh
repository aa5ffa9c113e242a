#!/usr/bin/env bash
# isa_symbols_test.sh NM OBJECT... — the per-instruction-set objects (kernels
# compiled with -mavx2, -mavx512f, ...) must not define shared (weak, COMDAT)
# symbols: the linker keeps one copy of each for the whole program, and if it
# kept the AVX-512 one, a CPU without AVX-512 would run it from the baseline
# path and crash. Eigen's instances are renamed per file (ecgr1_eigen_*);
# everything else must be local. Allowed: the C++ personality reference and
# clang's terminate helper, which hold no vector code.
set -euo pipefail
NM=${1:-nm}
shift
IFS=';' read -r -a objects <<< "$(IFS=';'; echo "$*")"  # CTest may pass the list as one ;-joined argument
[ ${#objects[@]} -gt 0 ] || { echo "isa_symbols: no object files given"; exit 1; }
bad=0
for obj in "${objects[@]}"; do
  [ -f "$obj" ] || { echo "isa_symbols: $obj does not exist"; exit 1; }
  while read -r sym; do
    case "$sym" in
      DW.ref.__gxx_personality_v0 | __clang_call_terminate) ;;
      *ecgr1_eigen_*) ;;
      *) echo "isa_symbols: $obj defines the shared symbol $sym"; bad=1 ;;
    esac
  done < <("$NM" --defined-only "$obj" | awk '$2 ~ /^[WVu]$/ { print $3 }')
done
if [ "$bad" != 0 ]; then
  echo "isa_symbols: FAILED: give these internal linkage (an anonymous namespace) or rename them per instruction set"
  exit 1
fi
echo "isa_symbols: ${#objects[@]} objects, no shared symbols outside the renamed Eigen copies"
