"Measured numbers live in one file that bench/ writes: README.md's result blocks are copies of its sections."
import subprocess, sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT/'bench'))
import results

def test_readme_blocks_are_the_results_file():
    r = subprocess.run([sys.executable, 'bench/results.py', '--check'], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr

def test_every_block_has_a_section_and_a_changed_section_is_caught():
    readme = (ROOT/'README.md').read_text()
    names = [m.group(2) for m in results.BLOCK.finditer(readme)]
    secs = results.sections()
    assert names and set(names) <= set(secs), set(names) - set(secs)
    assert results.filled(readme, {**secs, names[0]: secs[names[0]] + 'one more line\n'}) != readme
