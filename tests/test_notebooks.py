"Every chapter's own tests (its demo cells), run by nbdev_test, one notebook at a time."
import subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted(p.name for p in (ROOT/'nbs').glob('[0-9]*.ipynb'))

def test_every_chapter_is_collected():
    assert len(CHAPTERS) >= 8, CHAPTERS

@pytest.mark.parametrize('nb', CHAPTERS)
def test_chapter(nb):
    bindir = Path(sys.executable).parent
    r = subprocess.run([str(bindir/'nbdev_test'), '--path', f'nbs/{nb}', '--do_print'], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-5000:]
