"The package's import graph has no cycle: every `from .x import`, `from hume_nb.x import` and `import hume_nb.x`, inside functions too."
import ast
from pathlib import Path

PKG = Path(__file__).resolve().parents[1]/'hume_nb'

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

def test_no_import_cycle():
    graph = import_graph()
    assert len(graph) > 10 and 'datasets' in graph['encoders']
    cycle = find_cycle(graph)
    assert cycle is None, 'import cycle: ' + ' -> '.join(cycle)
