"""Every chapter's own tests (its demo cells), run by one `nbdev_test` call over all chapters, two at a time (one call
per chapter spent most of its time starting Python and torch again); each chapter is then its own test."""
import re, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = sorted(p.name for p in (ROOT/'nbs').glob('[0-9]*.ipynb'))

def test_every_chapter_is_collected():
    assert len(CHAPTERS) >= 8, CHAPTERS

@pytest.fixture(scope='module')
def tested():
    "({chapter: 'passed' | 'failed'} for every chapter nbdev_test ran, its output)."
    nbdev_test = Path(sys.executable).parent/'nbdev_test'
    r = subprocess.run([str(nbdev_test), '--path', 'nbs', '--file_glob', '[0-9]*.ipynb', '--do_print', '--timing'],
                       cwd=ROOT, capture_output=True, text=True)
    ran = {Path(f).name: 'passed' for f in re.findall(r'^- Completed (\S+\.ipynb)$', r.stdout, re.M)}
    failed = r.stderr.split('nbdev Tests Failed On The Following Notebooks:')[-1] if r.returncode else ''
    for nb in re.findall(r'([0-9]\w*\.ipynb)', failed): ran[nb] = 'failed'
    return ran, r.stdout[-3000:] + r.stderr[-20000:]

@pytest.mark.parametrize('nb', CHAPTERS)
def test_chapter(nb, tested):
    ran, out = tested
    assert ran.get(nb) == 'passed', f'{nb}: {ran.get(nb, "not run")}\n' + out
