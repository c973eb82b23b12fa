"""Imported once by ``workbench run``'s fork server: it dies with the run; the modules every kernel needs, and the tidy data.

See :mod:`workbench.batch.kernels`; :func:`workbench.tidy.catalog.load_tidy` reads the data again in a kernel
if any of its files changed after the server loaded it.
"""

import contextlib
import importlib
import os
import signal

# Ctrl-C is the run's to handle (the server would ignore it once it has imported its modules)
signal.signal(signal.SIGINT, signal.SIG_IGN)
from workbench.batch.kernels import PARENT_PID_VARIABLE, PRELOAD, die_with_parent

# the fork server dies with the run that started it (its workers die with it, their kernels with them)
if PARENT_PID_VARIABLE in os.environ:
    die_with_parent(int(os.environ.pop(PARENT_PID_VARIABLE)))

# a fresh kernel has ipykernel's inline backend in its environment before matplotlib is imported
_SET = "MPLBACKEND" not in os.environ
if _SET:
    os.environ["MPLBACKEND"] = "module://matplotlib_inline.backend_inline"
for _name in PRELOAD:
    with contextlib.suppress(Exception):
        importlib.import_module(_name)
if _SET:
    del os.environ["MPLBACKEND"]

# the tidy data every profile reads, loaded once: a kernel checks it against the files before use
with contextlib.suppress(Exception):
    from workbench.tidy.catalog import load_tidy

    load_tidy()
