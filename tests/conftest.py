"Shared settings for the test-suite."
import os, sys
# One thread per process: the chapters' tests run two processes at a time on two cores, and torch's threads waiting
# for each other there made the suite five times slower (a small run went from 21 s to 114 s beside one other).
# Set before torch is imported here; every subprocess (nbdev_test, the CLI, papermill's kernel) inherits it.
for _v in ('OMP_NUM_THREADS', 'MKL_NUM_THREADS'): os.environ.setdefault(_v, '1')
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]

@pytest.fixture(scope='session')
def root(): return ROOT

@pytest.fixture(scope='session')
def python(): return sys.executable
