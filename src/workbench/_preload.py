"""Imported once by ``workbench run``'s fork server: the modules every notebook kernel needs (see :mod:`workbench.kernels`)."""

import contextlib
import importlib
import os

from workbench.kernels import PRELOAD

# a fresh kernel has ipykernel's inline backend in its environment before matplotlib is imported
_SET = "MPLBACKEND" not in os.environ
if _SET:
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
for _name in PRELOAD:
    with contextlib.suppress(Exception):
        importlib.import_module(_name)
if _SET:
    del os.environ["MPLBACKEND"]
