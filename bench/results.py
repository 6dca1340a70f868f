"""The one results file, bench/RESULTS.md: every bench script writes its measured table into its own section, and
README.md's result blocks (`<!-- results: NAME -->` ... `<!-- /results: NAME -->`) are copied from those sections, so
that no number in the README is typed by hand. The front page includes the whole file (Quarto's include shortcode).

    python bench/results.py            # copy the sections into README.md
    python bench/results.py --check    # exit 1 if README.md differs from bench/RESULTS.md (a test runs this)

$HUME_NB_RESULTS names another file for the sections (bench/gpu_check.sh writes a GPU's measurements there, so they
never replace the CPU tables the README shows).
"""
import argparse, os, re, sys, tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(os.environ.get('HUME_NB_RESULTS') or ROOT/'bench'/'RESULTS.md')
SECTION = re.compile(r'<!-- section: (\w+) -->\n(.*?)<!-- /section: \1 -->\n', re.S)
BLOCK = re.compile(r'(<!-- results: (\w+) -->\n)(.*?)(<!-- /results: \2 -->)', re.S)
HEAD = 'Measured results, written by the scripts in `bench/`, one section each; README.md and the front page include them.\n\n'

def sections(text=None):
    "{name: markdown} of the results file."
    text = RESULTS.read_text() if text is None else text
    return {m.group(1): m.group(2) for m in SECTION.finditer(text)}

def _atomic(path, text):
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix='.tmp')
    with os.fdopen(fd, 'w') as f: f.write(text)
    os.chmod(tmp, 0o644); os.replace(tmp, path)

def write_section(name, markdown):
    "Replace (or add) section `name` of the results file with `markdown`, atomically; the other sections stay."
    secs = sections() if RESULTS.exists() else {}
    secs[name] = markdown.strip() + '\n'
    _atomic(RESULTS, HEAD + ''.join(f'<!-- section: {n} -->\n{m}<!-- /section: {n} -->\n\n' for n, m in secs.items()))

def filled(text, secs):
    "`text` with every result block replaced by its section."
    def sub(m):
        if m.group(2) not in secs: raise KeyError(f"README names results '{m.group(2)}' but {RESULTS} has no such section: run its bench script")
        return m.group(1) + secs[m.group(2)] + m.group(4)
    return BLOCK.sub(sub, text)

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0]); p.add_argument('--check', action='store_true')
    a = p.parse_args()
    readme = ROOT/'README.md'
    text = readme.read_text(); new = filled(text, sections())
    if a.check:
        if new != text: sys.exit('README.md is out of date with bench/RESULTS.md: run python bench/results.py')
        print(f'README.md matches bench/RESULTS.md ({len(BLOCK.findall(text))} blocks)'); return
    _atomic(readme, new); print(f'README.md: {len(BLOCK.findall(new))} result blocks written')

if __name__ == '__main__':
    main()
