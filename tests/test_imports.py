"""The package's import graph has no cycle: every `from .x import`, `from hume_nb.x import` and `import hume_nb.x`, inside
functions too, and every import by name: `importlib.import_module('hume_nb.x')` and lazy 'hume_nb.x:name' / 'x:name' /
'hume_nb.x' strings (registry entries resolved later) count as imports of x."""
import ast, re
from pathlib import Path

PKG = Path(__file__).resolve().parents[1]/'hume_nb'
LAZY = re.compile(r'^(?:hume_nb\.)?([a-z_]\w*)(?::[A-Za-z_]\w*)?$')   # 'hume_nb.x', 'hume_nb.x:name', 'x:name'

def _imports(tree, mods):
    "The package modules that the nodes under `tree` import, wherever they stand (inside functions and `__main__` guards too)."
    out = set()
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level > 0: names = [node.module] if node.module else [a.name for a in node.names]
            elif node.module and node.module.startswith('hume_nb.'): names = [node.module[len('hume_nb.'):]]
            elif node.module == 'hume_nb': names = [a.name for a in node.names]
            else: names = []
            out |= {n.split('.')[0] for n in names if n.split('.')[0] in mods}
        elif isinstance(node, ast.Import):
            out |= {a.name.split('.')[1] for a in node.names if a.name.startswith('hume_nb.') and a.name.split('.')[1] in mods}
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):   # a module named in a string: imported by name later
            m = LAZY.match(node.value)
            if m and m[1] in mods and (node.value.startswith('hume_nb.') or ':' in node.value): out.add(m[1])
        out |= _imports(node, mods)
    return out

def import_graph():
    "{module: the package modules it imports} for every hume_nb/*.py but _modidx and __init__."
    files = {p.stem: p for p in PKG.glob('*.py') if p.stem not in ('_modidx', '__init__')}
    return {m: _imports(ast.parse(p.read_text()), set(files)) - {m} for m, p in files.items()}

def find_cycle(graph):
    "One cycle of `graph` as a list of modules (first = last), or None."
    state, stack = {}, []
    def visit(m):
        state[m] = 'open'; stack.append(m)
        for n in sorted(graph.get(m, ())):
            if state.get(n) == 'open': return stack[stack.index(n):] + [n]
            if n not in state and (c := visit(n)): return c
        state[m] = 'done'; stack.pop()
    for m in sorted(graph):
        if m not in state and (c := visit(m)): return c

def test_the_cycle_finder_finds_cycles():
    assert find_cycle({'a': {'b'}, 'b': {'c'}, 'c': {'a'}}) == ['a', 'b', 'c', 'a']
    assert find_cycle({'a': {'b'}, 'b': set(), 'c': {'a', 'b'}}) is None
    tree = ast.parse("from .x import f\ndef g():\n    import hume_nb.y\n    from hume_nb.z import h\nif __name__ == '__main__':\n    from .w import m\n")
    assert _imports(tree, {'x', 'y', 'z', 'w'}) == {'x', 'y', 'z', 'w'}
    lazy = ast.parse("import importlib\nR = {'a': 'hume_nb.x:f', 'b': 'y:G'}\ndef f(): importlib.import_module('hume_nb.z')\n"
                     "t = 'x: not a reference'\nu = 'plain words'\nv = 'w'\n")
    assert _imports(lazy, {'x', 'y', 'z', 'w'}) == {'x', 'y', 'z'}   # a bare word is not a reference; text is not either

def test_no_import_cycle_counting_lazy_references():
    graph = import_graph()
    assert len(graph) > 10 and 'inner' in graph['solvers'] and 'solvers' in graph['search']
    cycle = find_cycle(graph)
    assert cycle is None, 'import cycle: ' + ' -> '.join(cycle)
