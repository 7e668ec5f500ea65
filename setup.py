"""Build the compiled core: every .pyx under src/mxbureau, with the Cython directives set here only."""
import os
from pathlib import Path

import numpy as np
from Cython.Build import cythonize
from setuptools import Extension, setup

# MXBUREAU_DEBUG=1 builds with bounds checks on, no optimisation and exact-size token buffers (MXB_DEBUG:
# no mmap, no pool) so that ASan sees every overrun; fuzz/build.sh adds the sanitizer flags.
DEBUG = os.environ.get("MXBUREAU_DEBUG") == "1"
DIRECTIVES = {"language_level": "3", "embedsignature": True,
              "boundscheck": DEBUG, "wraparound": False, "initializedcheck": DEBUG, "cdivision": True}
CFLAGS = ["-O0", "-g"] if DEBUG else ["-O3"]

SRC = Path("src")
extensions = [
    Extension(
        ".".join(pyx.relative_to(SRC).with_suffix("").parts),
        [str(pyx)],
        include_dirs=[np.get_include()],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_7_API_VERSION")] + ([("MXB_DEBUG", "1")] if DEBUG else []),
        extra_compile_args=CFLAGS,
    )
    for pyx in sorted(SRC.glob("mxbureau/**/*.pyx"))
]

# include_path: formats cimport the shared token index (mxbureau/_index.pxd).
setup(ext_modules=cythonize(extensions, compiler_directives=DIRECTIVES, include_path=[str(SRC)]))
