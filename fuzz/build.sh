#!/usr/bin/env bash
# Build mxbureau for fuzzing: bounds checks on, -O1 -g, exact-size token buffers (MXBUREAU_DEBUG=1),
# compiled by clang with AddressSanitizer and libFuzzer coverage, into its own virtualenv.
# Needs clang (Debian: apt-get install clang-14). Usage: fuzz/build.sh [VENV]   (default .venv-fuzz)
set -euo pipefail
cd "$(dirname "$0")/.."
VENV=${1:-.venv-fuzz}
CLANG=$(command -v clang || command -v clang-14)
python3 -m venv "$VENV"
. "$VENV/bin/activate"
pip install -q --upgrade pip
pip install -q --upgrade atheris numpy pyarrow pandas Cython "setuptools>=77" wheel
# -O1 keeps ASan's reports exact and runs ~3x faster than -O0 (setup.py's debug default).
# setuptools builds in ./build: objects compiled with the sanitizer there would be reused by a later
# in-place build of the worktree (undefined __sancov symbols at import), so it starts and ends empty.
rm -rf build
trap 'rm -rf build' EXIT
MXBUREAU_DEBUG=1 CC="$CLANG" LDSHARED="$CLANG -shared" \
  CFLAGS="-fsanitize=address,fuzzer-no-link -fno-omit-frame-pointer -O1 -g" \
  LDFLAGS="-fsanitize=address" \
  pip install -q --no-build-isolation --force-reinstall --no-deps .
echo "built into $VENV; run: fuzz/run.sh $VENV"
