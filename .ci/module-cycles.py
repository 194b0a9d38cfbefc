"""No import cycles between the library's modules.

Builds the module graph of src/: every name a module imports is mapped to the module that
defines it (a `pub` or `pub(crate)` item at its top level), plus direct `module::` paths;
re-export hubs (lib, cognito, cognito::wire) are skipped, since they only re-export. Prints
every cycle and exits 1 if there is one. Usage: python3 .ci/module-cycles.py src"""
import re, pathlib, sys, itertools
root = pathlib.Path(sys.argv[1])
mods = {}
for p in root.rglob('*.rs'):
    rel = p.relative_to(root).with_suffix('')
    name = str(rel).replace('/', '::')
    mods[name] = p.read_text()
# definitions: pub struct/enum/fn/type/const/trait NAME at top level of each module
defs = {}
for m, text in mods.items():
    for n in re.findall(r'^pub(?:\(crate\))?\s+(?:const\s+fn|fn|struct|enum|type|const|trait|static)\s+([A-Za-z_][A-Za-z0-9_]*)', text, re.M):
        defs.setdefault(n, set()).add(m)
    for n in re.findall(r'^impl(?:<[^>]*>)?\s+([A-Z][A-Za-z0-9_]*)', text, re.M):
        pass
edges = {m: set() for m in mods}
for m, text in mods.items():
    parent = m.rsplit('::', 1)[0] if '::' in m else ''
    # names used via use statements
    for block in re.findall(r'^use\s+([^;]+);', text, re.M | re.S):
        names = re.findall(r'\b([A-Za-z_][A-Za-z0-9_]*)\b', block)
        for n in names:
            for d in defs.get(n, ()):
                if d != m and not m.startswith(d + '::'):
                    edges[m].add(d)
    # direct module paths like members::Slot or account::{...}
    for sub in re.findall(r'\b([a-z_]+)::\{?', text):
        for cand in (f'{parent}::{sub}' if parent else sub, f'cognito::{sub}', sub):
            if cand in mods and cand != m and not m.startswith(cand + '::') and not cand.startswith(m + '::'):
                edges[m].add(cand)
# drop edges to parent modules that are only re-export hubs (lib, cognito, machine, wire)
hubs = {'lib', 'cognito', 'cognito::wire'}
for m in edges:
    edges[m] -= hubs
# cycles
def cycles():
    seen = set()
    for start in edges:
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for nxt in edges[node]:
                if nxt == start:
                    c = tuple(path)
                    k = frozenset(c)
                    if k not in seen:
                        seen.add(k); yield path
                elif nxt not in path and len(path) < 6:
                    stack.append((nxt, path + [nxt]))
found = list(cycles())
for c in found:
    print(' -> '.join(c + [c[0]]))
print(f'module-cycles: {len(mods)} modules, {sum(map(len, edges.values()))} edges, {len(found)} cycles')
sys.exit(1 if found else 0)
