#!/usr/bin/env bash
# Run the atheris harness on the ASan build: fuzz/run.sh [VENV] [libFuzzer flags...]
# e.g. fuzz/run.sh .venv-fuzz -runs=1000000 -max_len=4096
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${1:-.venv-fuzz}; shift || true
. "$VENV/bin/activate"
ASAN_LIB=$(python -c "import atheris, os; print(os.path.join(atheris.path(), 'asan_with_fuzzer.so'))")
# The instrumented extension needs the sanitizer runtime loaded first, for the seed writer too.
# The input copy (numpy) and the debug build's token buffers are exact-size malloc blocks, so ASan
# guards every byte the core touches; PYTHONMALLOC=malloc would add Python's own objects at half the
# rate. Leaks are the leak test's job (tests/test_hardening.py): CPython's would drown them here.
export LD_PRELOAD="$ASAN_LIB" ASAN_OPTIONS=detect_leaks=0:allocator_may_return_null=1
CORPUS=${CORPUS:-fuzz/corpus}
python fuzz/seeds.py "$CORPUS"
python fuzz/fuzz_scan.py -timeout=10 -rss_limit_mb=4096 "$@" "$CORPUS"
