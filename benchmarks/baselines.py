"""Baselines measured beside mxbureau in the same run: the plain C walk (the limit) and the
pure-Python twin tokenizer (the peer, from tests/pytwin.py)."""
import ctypes
import os
import subprocess
import sys
import sysconfig
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))

from pytwin import pyscan  # noqa: E402

_LIB = None


def c_walk_lib():
    """Compile benchmarks/c_walk.c with the compiler and -O3 the extension uses; load it."""
    global _LIB
    if _LIB is None:
        cc = (sysconfig.get_config_var("CC") or "cc").split()[0]
        out = os.path.join(tempfile.mkdtemp(prefix="mxbureau-cwalk-"), "c_walk.so")
        subprocess.run([cc, "-O3", "-shared", "-fPIC", "-o", out, os.path.join(HERE, "c_walk.c")], check=True)
        lib = ctypes.CDLL(out)
        lib.c_walk.restype = ctypes.c_int64
        lib.c_walk.argtypes = [ctypes.c_void_p, ctypes.c_int64, ctypes.c_void_p]
        _LIB = lib
    return _LIB


def c_walk(buf, out):
    """Walk the fields of buf (uint8 array), writing value offsets to out (int64 array)."""
    return c_walk_lib().c_walk(buf.ctypes.data, len(buf), out.ctypes.data)


__all__ = ["c_walk", "pyscan"]
