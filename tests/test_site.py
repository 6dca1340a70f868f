"""The tutorial site as a reader gets it. `bash scripts/docs.sh` renders the book with Quarto (`nbdev_docs`,
from the notebooks' saved outputs) into `_docs/`; these tests read what it wrote: every chapter of the sidebar has
a page with its sections and API reference, every saved figure is an image on its page, no internal link is
broken, the search index lists every chapter, and the render printed no warning. Then headless Chromium opens the
front page and one chapter of each part at a desktop and a phone width and checks what a reader sees; screenshots
go to `_screenshots/`. The site is rendered again first when a notebook or its configuration is newer."""
import ast, asyncio, base64, configparser, functools, html, http.server, json, os, re, shutil, struct
import subprocess, threading, time, urllib.parse, urllib.request
from pathlib import Path
import pytest, yaml

ROOT = Path(__file__).resolve().parents[1]
NBS, DOCS, PROC = ROOT/'nbs', ROOT/'_docs', ROOT/'_proc'
PAGES = sorted(p.name for p in NBS.glob('*.ipynb'))
CHAPTERS = sorted(p for p in PAGES if p[0].isdigit())
# papermill's entry point: a template that is run, not read, so it has no saved outputs
TEMPLATES = {'run.ipynb'}
SHOTS = ROOT/'_screenshots'
PARTS = ['Part I: the method, on planted data', 'Part II: real data, encoders and extraction',
         'Part III: faster and larger', 'Part IV: understanding']
BROWSED = ['index.ipynb', '12_search.ipynb', '20_datasets.ipynb', '31_fast_search.ipynb',
           '41_figures.ipynb']
WIDTHS = {'desktop': (1280, 900), 'phone': (390, 844)}
PLOTS = re.compile(r'\bplt\.\w+\(|\bplot_\w+\(')

def nb_json(path): return json.loads(Path(path).read_text(encoding='utf-8'))
def src(cell): return ''.join(cell['source'])
def is_export(cell): return re.search(r'^#\|\s*export', src(cell), re.M) is not None
def page_of(nb): return 'index.html' if nb == 'index.ipynb' else re.sub(r'^\d+[a-z]?_', '',
    nb[:-len('.ipynb')]) + '.html'
def text(h):
    "The text of HTML `h` as a reader reads it (Quarto's typographic quotes and dashes as typed)."
    t = html.unescape(re.sub(r'<[^>]+>', '', h)).strip()
    return t.translate(str.maketrans({'\u2018': "'", '\u2019': "'", '\u201c': '"', '\u201d': '"',
                                      '\u2013': '--', '\u2014': '---'}))

def png_size(raw):
    "Width and height of a PNG from its IHDR chunk (fails on anything that is not a PNG)."
    assert raw[:8] == b'\x89PNG\r\n\x1a\n', 'not a PNG'
    return struct.unpack('>II', raw[16:24])

def heading_lines(path, level='#{1,6}'):
    return [l.lstrip('#').strip() for c in nb_json(path)['cells'] if c['cell_type'] == 'markdown'
            for l in src(c).splitlines() if re.match(level + r'\s', l)]

def saved_pngs(nb_path):
    return sum('image/png' in o.get('data', {}) for c in nb_json(nb_path)['cells']
               for o in c.get('outputs', []))

@pytest.fixture
def report(capsys):
    "Prints a line for the CI log, past pytest's capture."
    def say(line):
        with capsys.disabled(): print(f'\nsite: {line}', flush=True)
    return say

# ---------------------------------------------------------------- the site's configuration

def _flatten(items):
    for it in items:
        if isinstance(it, dict):
            if 'href' in it: yield it['href']
            yield from _flatten(it.get('contents', []))
        else: yield it

SIDEBAR = list(_flatten(yaml.safe_load((NBS/'sidebar.yml').read_text())['website']['sidebar']['contents']))

def test_sidebar_lists_every_page_once_in_book_order():
    assert SIDEBAR[0] == 'index.ipynb'
    assert len(SIDEBAR) == len(set(SIDEBAR)) and sorted(SIDEBAR) == PAGES, set(SIDEBAR) ^ set(PAGES)
    assert [p for p in SIDEBAR if p in CHAPTERS] == CHAPTERS
    cfg = configparser.ConfigParser(delimiters=['=']); cfg.read(ROOT/'settings.ini')
    # without custom_sidebar, nbdev_docs rewrites sidebar.yml as a flat list in file order, dropping the sections
    assert cfg['DEFAULT'].getboolean('custom_sidebar')
    assert cfg['DEFAULT']['readme_nb'] == 'index.ipynb'
    quarto = yaml.safe_load((ROOT/'_quarto.yml').read_text())
    assert {'nbdev.yml',
            'sidebar.yml'} <= set(quarto['metadata-files']) and quarto['project']['type'] == 'website'
    assert quarto['format']['html']['code-overflow'] == 'wrap'   # long code lines wrap in the column
    assert (NBS/'_quarto.yml').resolve() == (ROOT/'_quarto.yml').resolve()

def test_deploy_workflow():
    wf = yaml.safe_load((ROOT/'.github/workflows/deploy.yaml').read_text())
    steps = [s for j in wf['jobs'].values() for s in j['steps']]
    assert {'uses': 'fastai/workflows/quarto-ghp@master'} in steps

# ---------------------------------------------------------------- the notebooks' saved outputs, which the site shows

def test_figures_are_saved_in_the_notebooks():
    "Every cell that draws (plt.*, plot_*) keeps its figure as a PNG: the site shows it without running anything."
    drawn = 0
    for page in PAGES:
        if page in TEMPLATES: continue
        for i, c in enumerate(nb_json(NBS/page)['cells']):
            if c['cell_type'] != 'code' or is_export(c) or not PLOTS.search(src(c)): continue
            pngs = [o['data']['image/png']
                    for o in c.get('outputs', []) if 'image/png' in o.get('data', {})]
            assert pngs, f'{page} cell {i} draws but has no saved figure:\n{src(c)[:300]}'
            for p in pngs:
                w, h = png_size(base64.b64decode(p)); assert w > 100 and h > 100, (page, i, w, h)
            drawn += len(pngs)
    assert drawn >= 10, drawn

def test_import_cells_hold_only_imports():
    "nbdev_docs runs every cell that imports (to document what it imports): such a cell must not need the chapter's state."
    mixed = []
    for p in sorted(NBS.glob('*.ipynb')):
        for c in json.loads(p.read_text(encoding='utf-8'))['cells']:
            s = ''.join(c['source'])
            if c['cell_type'] != 'code' or re.match(r'#\|\s*export', s): continue
            try: tree = ast.parse(s)
            except SyntaxError: continue
            nodes = list(ast.walk(tree))
            if any(isinstance(n, (ast.Import, ast.ImportFrom)) for n in nodes) and \
               any(isinstance(n, (ast.Expr, ast.Assign)) for n in nodes):
                mixed.append(f"{p.name}: {s.splitlines()[0][:80]}")
    assert not mixed, 'put these imports in a cell of their own: ' + '; '.join(mixed)

def test_no_error_outputs():
    for page in PAGES:
        for i, c in enumerate(nb_json(NBS/page)['cells']):
            for o in c.get('outputs', []):
                assert o['output_type'] != 'error', f'{page} cell {i}: {o.get("ename")}: {o.get("evalue")}'
                assert 'Traceback (most recent call last)' not in ''.join(o.get('text', '')), f'{page} cell {i}'

# ---------------------------------------------------------------- the rendered site

@pytest.fixture(scope='session')
def site():
    "_docs/ as scripts/docs.sh rendered it; rendered again when a notebook or the site's configuration is newer."
    sources = [*NBS.glob('*.ipynb'), *NBS.glob('*.yml'), ROOT/'_quarto.yml', ROOT/'settings.ini',
               ROOT/'bench/RESULTS.md']
    built = [DOCS/'index.html', DOCS/'search.json', PROC/'render.log']
    if not all(p.exists() for p in built) or min(p.stat().st_mtime
                                                 for p in built) < max(p.stat().st_mtime for p in sources):
        r = subprocess.run(['bash', 'scripts/docs.sh'], cwd=ROOT, capture_output=True, text=True,
                           timeout=1200)
        assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-5000:]
    return DOCS

def test_render_printed_no_warning(site):
    log = (PROC/'render.log').read_text(encoding='utf-8', errors='replace')
    assert 'Output created: _docs/index.html' in log, log[-2000:]
    bad = [l for l in log.splitlines() if re.search(r'warn|error|traceback', l, re.I)]
    # a `:::` here is a fenced div Quarto could not read; nbdev warns about cells that mix imports with other code
    assert not bad, '\n'.join(bad[:20])
    assert len(list(site.glob('*.html'))) == len(PAGES)

def test_quarto_refuses_the_raw_notebooks(site, tmp_path):
    "Quarto on nbs/ itself (nbdev's #| comments in) stops with the way to render, not ~1,000 `:::` warnings."
    quarto = shutil.which('quarto') or str(Path(os.environ.get('HUME_NB_QUARTO_PREFIX',
        Path.home()/'.local/quarto'))/'bin/quarto')
    shutil.copytree(NBS, tmp_path/'nbs', symlinks=False)
    r = subprocess.run([quarto, 'render'], cwd=tmp_path/'nbs', capture_output=True, text=True,
                       timeout=300)
    assert r.returncode != 0 and 'render the book with `bash scripts/docs.sh`' in r.stderr, r.stderr[-2000:]
    assert 'WARN' not in r.stderr and not (tmp_path/'nbs/_docs').exists(), r.stderr[-2000:]

def test_every_sidebar_chapter_has_a_page_with_its_sections(site):
    "The sidebar lists every notebook's page in book order under the four parts; each has its title and sections."
    front = (site/'index.html').read_text(encoding='utf-8')
    nav = front[front.index('id="quarto-sidebar"'):]
    links = [h.removeprefix('./')
             for h in re.findall(r'<a href="([^"]+)" class="sidebar-item-text sidebar-link', nav)]
    assert links == [page_of(p) for p in SIDEBAR], links
    assert [text(s) for s in re.findall(r'<span class="menu-text">(Part [^<]*)</span>', nav)] == PARTS
    for nb in PAGES:
        doc = (site/page_of(nb)).read_text(encoding='utf-8')
        title = heading_lines(NBS/nb, '#')[0]
        assert text(re.search(r'<h1 class="title">(.*?)</h1>', doc,
                              re.S)[1]) == text(title.replace('`', '')), nb
        shown = [text(h) for h in re.findall(r'<h2[^>]*>(.*?)</h2>', doc, re.S)]
        for s in heading_lines(NBS/nb, '##'):
            assert re.sub(r'[`*]', '', s) in shown, f'{nb}: section {s!r} is not on its page ({shown})'

def test_api_reference_from_docstrings(site):
    "Every public function and class a chapter exports has an entry with its docstring on the chapter's page."
    checked = 0
    for nb in CHAPTERS:
        doc = text((site/page_of(nb)).read_text(encoding='utf-8'))
        entries = {text(h) for h in re.findall(r'<h3[^>]*>(.*?)</h3>',
                                               (site/page_of(nb)).read_text(encoding='utf-8'), re.S)}
        for c in nb_json(NBS/nb)['cells']:
            if c['cell_type'] != 'code' or not is_export(c): continue
            for o in ast.parse(src(c)).body:
                if isinstance(o, (ast.FunctionDef, ast.ClassDef)) and not o.name.startswith('_'):
                    assert o.name in entries, f'{nb}: no API entry for {o.name}'
                    d = ast.get_docstring(o) or ''
                    lead = d.split('`')[0].replace('*', '')[:30]   # as rendered: up to the first code span
                    assert d and lead in doc, f'{nb}: {o.name} has no docstring on the page'
                    checked += 1
    assert checked >= 40, checked
    assert 'getattr' not in {text(h) for h in re.findall(r'<h[23][^>]*>(.*?)</h[23]>',
                                                         (site/'index.html').read_text())}

def test_every_saved_figure_is_an_image_on_its_page(site, report):
    n = 0
    for nb in PAGES:
        doc = (site/page_of(nb)).read_text(encoding='utf-8')
        imgs = [i for i in re.findall(r'<img src="([^"]+)"', doc) if not re.match(r'[a-z]+:', i)]
        # the processed notebook: what is left after hidden cells are dropped
        saved = saved_pngs(PROC/nb)
        assert len(imgs) >= saved, f'{nb}: {saved} figures saved, {len(imgs)} images on its page'
        for i in imgs:
            w, h = png_size((site/i).read_bytes()); assert w > 100 and h > 100, (nb, i, w, h)
        n += len(imgs)
    assert n >= 10, n
    report(f'{n} figures on {len(PAGES)} pages, every one a PNG file that exists')

def test_no_internal_link_is_broken(site, report):
    "Every href and src between the site's own files resolves to a file, and every #anchor to an id on its page."
    ids, broken, n = {}, [], 0
    def ids_of(p):
        if p not in ids: ids[p] = set(re.findall(r'\bid="([^"]+)"', p.read_text(encoding='utf-8')))
        return ids[p]
    for page in sorted(site.glob('*.html')):
        doc = re.sub(r'<(code|pre)\b.*?</\1>', '', page.read_text(encoding='utf-8'), flags=re.S)
        for target in re.findall(r'\b(?:href|src)="([^"]*)"', doc):
            target = html.unescape(target)
            # http(s), mailto, data: not checked offline
            if not target or re.match(r'[a-z]+:|//', target): continue
            path, _, anchor = target.partition('#')
            file = (page.parent/urllib.parse.unquote(path)).resolve() if path else page
            n += 1
            if not file.exists(): broken.append(f'{page.name}: {target} (no file)')
            elif anchor and file.suffix == '.html' and anchor not in ids_of(file):
                broken.append(f'{page.name}: {target} (no #{anchor})')
    assert not broken, '\n'.join(broken[:30])
    assert n >= 500, n
    report(f'{n} internal links checked on {len(list(site.glob("*.html")))} pages, 0 broken')

def test_search_index_lists_every_chapter(site, report):
    entries = json.loads((site/'search.json').read_text(encoding='utf-8'))
    pages = {e['href'].split('#')[0] for e in entries}
    assert pages == {page_of(p) for p in PAGES}, pages ^ {page_of(p) for p in PAGES}
    for nb in PAGES:   # each page is found by its title, and its sections by theirs
        own = [e for e in entries if e['href'].split('#')[0] == page_of(nb)]
        assert any(e['title'] == text(heading_lines(NBS/nb, '#')[0].replace('`', '')) for e in own), nb
    report(f'search index: {len(entries)} entries, every one of the {len(PAGES)} pages')

# ---------------------------------------------------------------- a reader's browser

FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-sync',
         '--disable-background-networking', '--disable-component-update', '--hide-scrollbars',
         '--remote-debugging-port=0',
         # nothing leaves the machine: a resource from another host (web fonts, MathJax's CDN) fails at once
         '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1']

def chromium():
    exe = shutil.which('chromium') or shutil.which('chromium-browser') or shutil.which('google-chrome')
    assert exe, 'chromium is missing: scripts/setup.sh installs it as root (apt-get install -y chromium)'
    return exe

class Browser:
    "Headless Chromium driven over the DevTools protocol (tornado's websocket client): one page, its events kept."
    def __init__(self, profile):
        self.proc = subprocess.Popen([chromium(), *FLAGS, f'--user-data-dir={profile}', 'about:blank'],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file, t = Path(profile)/'DevToolsActivePort', time.time()
        while not (port_file.exists() and len(port_file.read_text().split()) == 2):
            assert self.proc.poll() is None and time.time() - t < 60, 'chromium did not start'
            time.sleep(0.1)
        port = port_file.read_text().split()[0]
        targets = json.loads(urllib.request.urlopen(f'http://127.0.0.1:{port}/json/list',
                                                    timeout=10).read())
        from tornado.websocket import websocket_connect
        self.loop, self.n, self.events = asyncio.new_event_loop(), 0, []
        url = next(t['webSocketDebuggerUrl'] for t in targets if t['type'] == 'page')
        async def connect(): return await websocket_connect(url, max_message_size=1 << 29)
        self.ws = self.loop.run_until_complete(connect())
        for domain in ('Page', 'Runtime', 'Log'): self.call(f'{domain}.enable')

    async def _read(self):
        msg = await self.ws.read_message()
        assert msg is not None, 'the browser closed the connection'
        return json.loads(msg)

    async def _call(self, method, params):
        self.n += 1; i = self.n
        await self.ws.write_message(json.dumps({'id': i, 'method': method, 'params': params}))
        while (m := await self._read()).get('id') != i: self.events.append(m)
        assert 'error' not in m, f'{method}: {m["error"]}'
        return m.get('result', {})

    def call(self, method, timeout=60, **params):
        return self.loop.run_until_complete(asyncio.wait_for(self._call(method, params), timeout))

    def wait(self, event, timeout=60):
        async def until():
            while not any(e.get('method') == event
                          for e in self.events): self.events.append(await self._read())
        self.loop.run_until_complete(asyncio.wait_for(until(), timeout))

    def close(self):
        self.ws.close(); self.loop.close(); self.proc.terminate(); self.proc.wait(timeout=30)

# what a reader sees, measured in the page once its images have loaded
SEEN_JS = '''(async () => {
  await Promise.all(Array.from(document.images).map(i =>
    i.complete ? 0 : new Promise(r => { i.onload = i.onerror = r; })));
  const vis = e => { if (!e) return false; const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; };
  const main = document.querySelector('main'), OUT = '.cell-output, .cell-output-display';
  const figs = Array.from(main.querySelectorAll('img')).map(i =>
    ({w: i.naturalWidth, shown: i.getBoundingClientRect().width, right: i.getBoundingClientRect().right}));
  const cells = Array.from(main.querySelectorAll('div.cell')).filter(c =>
    c.querySelector('pre code') && c.querySelector(OUT));
  const out = cells.length ? cells[0].querySelector(OUT) : null;
  return {title: document.title, h1: (document.querySelector('h1.title') || {}).textContent,
    parts: Array.from(document.querySelectorAll('#quarto-sidebar .sidebar-item-section')).map(e =>
      e.querySelector(':scope > .sidebar-item-container .menu-text').textContent),
    sidebar_shown: vis(document.querySelector('#quarto-sidebar')),
    sidebar_toggle_shown: vis(document.querySelector('.quarto-btn-toggle')),
    figs: figs, cells: cells.length, out_shown: vis(out) && out.textContent.trim().length > 0,
    width: window.innerWidth, scroll_width: document.documentElement.scrollWidth,
    wide_code: Array.from(main.querySelectorAll('pre')).filter(p => p.scrollWidth > p.clientWidth + 1).length};
})()'''

def console_errors(events, served, offline):
    "Uncaught exceptions, console.error calls and failed loads from the site; other hosts' failures go to `offline`."
    errors = []
    for e in events:
        m, p = e.get('method'), e.get('params', {})
        if m == 'Runtime.exceptionThrown':
            errors.append(p['exceptionDetails'].get('exception', {}).get('description', str(p)))
        elif m == 'Runtime.consoleAPICalled' and p['type'] in ('error', 'assert'):
            errors.append(' '.join(str(a.get('value', a.get('description'))) for a in p['args']))
        elif m == 'Log.entryAdded' and p['entry']['level'] == 'error':
            url = p['entry'].get('url', '')
            if url and not url.startswith(served): offline.add(urllib.parse.urlparse(url).netloc)
            else: errors.append(f"{p['entry']['text']} {url}")
    return errors

@pytest.fixture(scope='module')
def served(site):
    "The site over HTTP on 127.0.0.1, as a reader's browser gets it."
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a): pass
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0),
                                          functools.partial(Quiet, directory=str(site)))
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield f'http://127.0.0.1:{srv.server_address[1]}'
    srv.shutdown(); srv.server_close()

def test_pages_in_a_browser(served, tmp_path, report):
    """The front page and one chapter of each part, at a desktop and a phone width: the title, the four parts in
    the sidebar (shown on the desktop, behind its toggle on the phone), a figure that loaded and fits the screen, a
    code cell with its output, no sideways scrolling, and no error in the console; a screenshot of the first screen
    and of the first figure of each."""
    SHOTS.mkdir(exist_ok=True)
    b, t0, shots, offline = Browser(tmp_path/'profile'), time.time(), [], set()
    try:
        for nb in BROWSED:
            title = text(heading_lines(NBS/nb, '#')[0].replace('`', ''))
            for name, (w, h) in WIDTHS.items():
                b.call('Emulation.setDeviceMetricsOverride', width=w, height=h, deviceScaleFactor=1,
                       mobile=name == 'phone')
                b.events.clear()
                b.call('Page.navigate', url=f'{served}/{page_of(nb)}')
                b.wait('Page.loadEventFired')
                seen = b.call('Runtime.evaluate', expression=SEEN_JS, awaitPromise=True, returnByValue=True)
                seen, where = seen['result']['value'], f'{nb} at {w} px'
                assert seen['h1'] == title and seen['title'].startswith(title), (where, seen)
                assert 'hume_nb' in seen['title'] and seen['parts'] == PARTS, (where, seen)
                shown = seen['sidebar_shown'] if name == 'desktop' else seen['sidebar_toggle_shown']
                assert shown, (where, 'no sidebar, or no button to open it', seen)
                figs = seen['figs']
                fit = all(f['w'] > 100 and f['shown'] > 50 and f['right'] <= w + 1 for f in figs)
                assert figs and fit, (where, 'no figure, or one not loaded or wider than the screen', figs)
                assert seen['cells'] >= 1 and seen['out_shown'], (where, 'no code cell with its output shown')
                assert seen['scroll_width'] <= seen['width'] + 1, (where, 'the page scrolls sideways', seen)
                assert seen['wide_code'] == 0, (where, f"{seen['wide_code']} code blocks scroll sideways")
                errors = console_errors(b.events, served, offline)
                assert not errors, (where, errors)
                stem = SHOTS/f"{page_of(nb)[:-5]}_{name}"
                to_figure = "document.querySelector('main img').scrollIntoView({block: 'center'})"
                for suffix, js in (('', 'window.scrollTo(0, 0)'), ('_figure', to_figure)):
                    b.call('Runtime.evaluate', expression=js)
                    png = base64.b64decode(b.call('Page.captureScreenshot', format='png')['data'])
                    assert png_size(png) == (w, h)
                    Path(f'{stem}{suffix}.png').write_bytes(png)
                    shots.append(f'{stem.name}{suffix}.png')
    finally: b.close()
    report(f'browser: {len(BROWSED)} pages x {len(WIDTHS)} widths in {time.time() - t0:.1f} s, no console error '
           f"(not reached offline: {', '.join(sorted(offline)) or 'nothing'})")
    report(f"screenshots in _screenshots/: {' '.join(shots)}")
