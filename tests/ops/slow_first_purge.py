"""Loaded into a real worker by test_interrupted_job: the first purge stops midway, long enough
to be killed there; any later run purges as usual."""

import os
import time
from pathlib import Path

from retention import services

_purge = services._purge


def _first_purge_hangs(*args, **kwargs):
    started = Path(os.environ["SLOW_PURGE_STARTED"])
    if not started.exists():
        started.write_text(str(os.getpid()))
        time.sleep(120)
    return _purge(*args, **kwargs)


services._purge = _first_purge_hangs
