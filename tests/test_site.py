"""The tutorial site, checked without Quarto: the sidebar in book order, nbdev's processing of every page (what
`nbdev_docs` does before Quarto renders), the API reference from exported docstrings, figures saved in the notebooks,
links between chapters, and every processed page rendered to HTML by nbconvert and loaded in headless chromium
(pages load, figures show, no error output). Screenshots of three pages are written to `_screenshots/`."""
import ast, base64, configparser, json, re, shutil, struct, subprocess, sys
from pathlib import Path
import numpy as np, pytest, yaml

ROOT = Path(__file__).resolve().parents[1]
NBS = ROOT/'nbs'
PAGES = sorted(p.name for p in NBS.glob('*.ipynb'))
CHAPTERS = sorted(p for p in PAGES if p[0].isdigit())
TEMPLATES = {'run.ipynb'}   # papermill's entry point: a template that is run, not read, so it has no saved outputs
SHOTS = ROOT/'_screenshots'
SHOT_PAGES = ['index.ipynb', '40_landscape.ipynb', '41_figures.ipynb']
W, H = 1280, 6000   # tall enough to reach the first figures
PLOTS = re.compile(r'\bplt\.\w+\(|\bplot_\w+\(')

def nb_json(path): return json.loads(Path(path).read_text(encoding='utf-8'))
def src(cell): return ''.join(cell['source'])
def is_export(cell): return re.search(r'^#\|\s*export', src(cell), re.M) is not None

def png_size(b64):
    "Width and height of a base64 PNG from its IHDR chunk (fails on anything that is not a PNG)."
    raw = base64.b64decode(b64)
    assert raw[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
    return struct.unpack('>II', raw[16:24])

def slug(heading):
    "The anchor pandoc (and so Quarto) gives a heading."
    h = re.sub(r'[`*]', '', heading).strip().lower()
    h = re.sub(r'\s+', '-', re.sub(r'[^\w\s.-]', '', h))
    return re.sub(r'^[^a-z]+', '', h)

def heading_lines(path, level='#{1,6}'):
    return [l.lstrip('#').strip() for c in nb_json(path)['cells'] if c['cell_type'] == 'markdown'
            for l in src(c).splitlines() if re.match(level + r'\s', l)]

def headings(page): return {slug(h) for h in heading_lines(NBS/page)}

# ---------------------------------------------------------------- the site's configuration

def _flatten(items):
    for it in items:
        if isinstance(it, dict):
            if 'href' in it: yield it['href']
            yield from _flatten(it.get('contents', []))
        else: yield it

def test_sidebar_lists_every_page_once_in_book_order():
    pages = list(_flatten(yaml.safe_load((NBS/'sidebar.yml').read_text())['website']['sidebar']['contents']))
    assert pages[0] == 'index.ipynb'
    assert len(pages) == len(set(pages)) and sorted(pages) == PAGES, set(pages) ^ set(PAGES)
    assert [p for p in pages if p in CHAPTERS] == CHAPTERS
    cfg = configparser.ConfigParser(delimiters=['=']); cfg.read(ROOT/'settings.ini')
    # without custom_sidebar, nbdev_docs rewrites sidebar.yml as a flat list in file order, dropping the sections
    assert cfg['DEFAULT'].getboolean('custom_sidebar')
    assert cfg['DEFAULT']['readme_nb'] == 'index.ipynb'
    quarto = yaml.safe_load((ROOT/'_quarto.yml').read_text())
    assert {'nbdev.yml', 'sidebar.yml'} <= set(quarto['metadata-files']) and quarto['project']['type'] == 'website'
    assert (NBS/'_quarto.yml').resolve() == (ROOT/'_quarto.yml').resolve()

def test_deploy_workflow():
    wf = yaml.safe_load((ROOT/'.github/workflows/deploy.yaml').read_text())
    steps = [s for j in wf['jobs'].values() for s in j['steps']]
    assert {'uses': 'fastai/workflows/quarto-ghp@master'} in steps

# ---------------------------------------------------------------- nbdev's processing, as nbdev_docs runs it

PROC = '''
import json, sys, warnings
from pathlib import Path
from nbdev.serve_drv import main
from nbdev.processors import FilterDefaults
out, report = Path(sys.argv[1]), {}
for page in sys.argv[2:]:
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        main((Path('nbs')/page, out/page, FilterDefaults))
    report[page] = [str(o.message) for o in w if 'imports and other code' in str(o.message)]
(out/'report.json').write_text(json.dumps(report))
'''

@pytest.fixture(scope='module')
def processed(tmp_path_factory):
    out = tmp_path_factory.mktemp('proc')
    r = subprocess.run([sys.executable, '-c', PROC, str(out), *PAGES], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-5000:]
    return out

def test_every_page_is_processed(processed):
    report = json.loads((processed/'report.json').read_text())
    assert sorted(report) == PAGES and all((processed/p).exists() for p in PAGES)
    for page in PAGES:
        # the title and description move into the page's front matter; every section must survive
        # (nbdev drops the whole first markdown cell, so it must hold nothing but the title and the description)
        fm = next(src(c) for c in nb_json(processed/page)['cells'] if c['cell_type'] == 'raw')
        assert 'title:' in fm, f'{page}: no title in the front matter'
        assert heading_lines(processed/page, '##') == heading_lines(NBS/page, '##'), f'{page}: sections lost in processing'
    # a cell mixing imports with other code is executed while the docs are built: keep imports in cells of their own
    assert not {p: w for p, w in report.items() if w}, report

def test_api_reference_from_docstrings(processed):
    "Every public function and class a chapter exports gets a show_doc entry with its docstring on the page."
    checked = 0
    for page in CHAPTERS:
        defs = {}
        for c in nb_json(NBS/page)['cells']:
            if c['cell_type'] == 'code' and is_export(c):
                for o in ast.parse(src(c)).body:
                    if isinstance(o, (ast.FunctionDef, ast.ClassDef)) and not o.name.startswith('_'): defs[o.name] = ast.get_docstring(o)
        docs = '\n'.join(''.join(o.get('data', {}).get('text/markdown', '')) for c in nb_json(processed/page)['cells']
                         for o in c.get('outputs', []))
        for name, doc in defs.items():
            assert f'### {name}' in docs, f'{page}: no API entry for {name}'
            assert doc and doc.split('`')[0][:30] in docs, f'{page}: {name} has no docstring on the page'
            checked += 1
    assert checked >= 40, checked

# ---------------------------------------------------------------- the notebooks' own content

def test_figures_are_saved_in_the_notebooks():
    "Every cell that draws (plt.* or plot_*) carries its figure as a PNG, so the site shows it without running anything."
    drawn = 0
    for page in PAGES:
        if page in TEMPLATES: continue
        for i, c in enumerate(nb_json(NBS/page)['cells']):
            if c['cell_type'] != 'code' or is_export(c) or not PLOTS.search(src(c)): continue
            pngs = [o['data']['image/png'] for o in c.get('outputs', []) if 'image/png' in o.get('data', {})]
            assert pngs, f'{page} cell {i} draws but has no saved figure:\n{src(c)[:300]}'
            for p in pngs:
                w, h = png_size(p); assert w > 100 and h > 100, (page, i, w, h)
            drawn += len(pngs)
    assert drawn >= 10, drawn

def test_no_error_outputs():
    for page in PAGES:
        for i, c in enumerate(nb_json(NBS/page)['cells']):
            for o in c.get('outputs', []):
                assert o['output_type'] != 'error', f'{page} cell {i}: {o.get("ename")}: {o.get("evalue")}'
                assert 'Traceback (most recent call last)' not in ''.join(o.get('text', '')), f'{page} cell {i}'

LINK = re.compile(r'\[[^\]]*\]\(([^)\s]+)\)')

def test_links_between_chapters_resolve():
    n = 0
    for page in PAGES:
        for c in nb_json(NBS/page)['cells']:
            if c['cell_type'] != 'markdown': continue
            for target in LINK.findall(src(c)):
                if re.match(r'[a-z]+:', target): continue   # http(s), mailto: not checked offline
                path, _, anchor = target.partition('#')
                if path:
                    m = re.fullmatch(r'([\w.-]+)\.(ipynb|html|qmd|md)', path)
                    assert m and f'{m[1]}.ipynb' in PAGES, f'{page}: link to a missing page: {target}'
                    path = f'{m[1]}.ipynb'
                if anchor: assert anchor in headings(path or page), f'{page}: no heading #{anchor} in {path or page}'
                n += 1
    assert n >= 10, f'only {n} links between pages'

# ---------------------------------------------------------------- rendered pages in a browser

def chromium():
    exe = shutil.which('chromium') or shutil.which('chromium-browser') or shutil.which('google-chrome')
    assert exe, 'chromium is missing: bash scripts/setup.sh installs it when run as root (apt-get install -y chromium)'
    return exe

# records every image's natural size on the body once the page has loaded; --dump-dom then reports it
SIZES_JS = '''<script>window.addEventListener('load', function () {
  document.body.setAttribute('data-img-sizes', JSON.stringify(Array.from(document.images).map(
    function (i) { return [i.naturalWidth, i.naturalHeight]; })));
});</script>'''

def browse(exe, profile, *args):
    r = subprocess.run([exe, '--headless', '--no-sandbox', '--disable-gpu', '--hide-scrollbars', '--no-first-run',
                        f'--user-data-dir={profile}', *args], capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-3000:]
    return r.stdout

@pytest.fixture(scope='module')
def html(processed, tmp_path_factory):
    out = tmp_path_factory.mktemp('html')
    r = subprocess.run([sys.executable, '-m', 'jupyter', 'nbconvert', '--to', 'html', '--output-dir', str(out),
                        *[str(processed/p) for p in PAGES]], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-5000:]
    return out

def test_pages_load_with_figures_and_without_errors(processed, html, tmp_path):
    exe = chromium()
    for page in PAGES:
        f = html/page.replace('.ipynb', '.html')
        f.write_text(f.read_text(encoding='utf-8').replace('</head>', SIZES_JS + '</head>', 1), encoding='utf-8')
        dom = browse(exe, tmp_path/'profile', '--virtual-time-budget=10000', '--dump-dom', f.as_uri())
        sections = [re.sub(r'[`*]', '', h) for h in heading_lines(processed/page, '##')]
        shown = [re.sub(r'<[^>]+>', '', h) for h in re.findall(r'<h2[^>]*>(.*?)</h2>', dom, re.S)]
        assert all(any(s.replace('&', '&amp;') in h or s in h for h in shown) for s in sections), f'{page}: {sections} not all in {shown}'
        assert len(re.sub(r'<[^>]+>', ' ', dom).split()) > 100, f'{page}: the page is nearly empty'
        m = re.search(r'data-img-sizes="([^"]*)"', dom)
        assert m, f'{page}: the load event never fired'
        sizes = json.loads(m[1].replace('&quot;', '"'))
        figures = sum('image/png' in o.get('data', {}) for c in nb_json(processed/page)['cells'] for o in c.get('outputs', []))
        assert len(sizes) >= figures, f'{page}: {figures} figures saved, {len(sizes)} images on the page'
        assert all(w > 0 and h > 0 for w, h in sizes), f'{page}: an image does not show: {sizes}'
        assert 'Traceback (most recent call last)' not in dom and 'output_error' not in dom, f'{page}: an error is shown'

def test_screenshots(processed, html, tmp_path):
    "Screenshots of three rendered pages, kept in _screenshots/ for a look by eye: non-blank, and in colour where the page has figures."
    import matplotlib.image as mpimg
    exe, stats = chromium(), {}
    SHOTS.mkdir(exist_ok=True)
    for page in SHOT_PAGES:
        png = SHOTS/page.replace('.ipynb', '.png')
        png.unlink(missing_ok=True)
        browse(exe, tmp_path/'profile', f'--window-size={W},{H}', '--virtual-time-budget=10000', f'--screenshot={png}',
               (html/page.replace('.ipynb', '.html')).as_uri())
        img = mpimg.imread(png)[..., :3]
        assert img.shape[:2] == (H, W), img.shape
        ink = (np.abs(img - img.reshape(-1, 3).max(0)).sum(-1) > 0.1).mean()   # share of pixels that are not the white page
        colour = (img.max(-1) - img.min(-1) > 0.2).mean()                        # share of coloured pixels (figures, code)
        figures = any('image/png' in o.get('data', {}) for c in nb_json(processed/page)['cells'] for o in c.get('outputs', []))
        stats[page] = (round(ink, 4), round(colour, 4), figures)
    assert all(ink > 0.02 and (colour > 0.005 or not figures) for ink, colour, figures in stats.values()), stats
