"""No import cycles between the modules of a crate.

Usage: python3 .ci/module-cycles.py CRATE_SRC [CRATE_SRC ...]   (e.g. src server/src)

For every module of each crate (lib.rs or main.rs is the root; `a.rs`, `a/mod.rs` and
`a/b.rs` are `a` and `a::b`), every path it names through `crate::`, `super::`, `self::`, a
child module, or a name it imported is followed to the module that *defines* the item:
a `pub use` is followed through to where the item lives, so a module that only re-exports
(a hub such as lib.rs or cognito.rs) is not a dependency of those who import through it, and
its own re-exports are not dependencies of its own. A hub's other code counts like anyone's.
Test modules (`#[cfg(test)] mod x { ... }`) are left out. Prints each cycle (a strongly
connected set of modules, with the names that tie them) and exits 1 if there is one.

It reads Rust as text: macros that name paths, and items defined inside functions, are not
seen. It errs towards finding edges, never towards hiding them: a path it cannot resolve to
a module of the crate is external.
"""
import pathlib
import re
import sys

IDENT = r"[A-Za-z_][A-Za-z0-9_]*"


def strip(text):
    """Comments, strings and char literals blanked (lengths kept), test modules removed."""
    out, i, n = [], 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i)); i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j): depth += 1; j += 2
                elif text.startswith("*/", j): depth -= 1; j += 2
                else: j += 1
            out.append(re.sub(r"[^\n]", " ", text[i:j])); i = j
        elif c == "r" and re.match(r'r#*"', text[i:i + 10]) and (i == 0 or not re.match(r"[A-Za-z0-9_]", text[i - 1])):
            hashes = re.match(r'r(#*)"', text[i:]).group(1)
            end = text.find('"' + hashes, i + 2 + len(hashes))
            end = n if end < 0 else end + 1 + len(hashes)
            out.append(re.sub(r"[^\n]", " ", text[i:end])); i = end
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(re.sub(r"[^\n]", " ", text[i:j + 1])); i = j + 1
        elif c == "'" and re.match(r"'(\\.|[^\\'])'", text[i:i + 4] + text[i + 4:i + 12]):
            m = re.match(r"'(\\[^']*|[^\\'])'", text[i:])
            if m:
                out.append(" " * len(m.group(0))); i += len(m.group(0))
            else:
                out.append(c); i += 1
        else:
            out.append(c); i += 1
    code = "".join(out)
    # Test modules: `#[cfg(test)]` then `mod name {` ... matching `}`.
    while True:
        m = re.search(r"#\[cfg\(test\)\]\s*(?:#\[[^\]]*\]\s*)*mod\s+" + IDENT + r"\s*\{", code)
        if not m:
            return code
        depth, j = 1, m.end()
        while j < len(code) and depth:
            depth += {"{": 1, "}": -1}.get(code[j], 0); j += 1
        code = code[:m.start()] + re.sub(r"[^\n]", " ", code[m.start():j]) + code[j:]


def use_trees(tree, prefix=()):
    """`a::{b, c::d as e, self, *}` -> [(path segments, bound name)]."""
    tree = tree.strip()
    out, depth, start, parts = [], 0, 0, []
    # split the top level on `::` into a prefix and a last part (which may be a group)
    m = re.match(r"^((?:" + IDENT + r"\s*::\s*)*)(.*)$", tree, re.S)
    head = [s.strip() for s in m.group(1).split("::") if s.strip()]
    rest = m.group(2).strip()
    path = prefix + tuple(head)
    if rest.startswith("{"):
        inner = rest[1:rest.rindex("}")]
        for i, ch in enumerate(inner):
            if ch == "{": depth += 1
            elif ch == "}": depth -= 1
            elif ch == "," and depth == 0:
                parts.append(inner[start:i]); start = i + 1
        parts.append(inner[start:])
        for part in parts:
            if part.strip():
                out += use_trees(part, path)
    elif rest == "*":
        out.append((path + ("*",), None))
    elif rest:
        m2 = re.match(r"^(" + IDENT + r")(?:\s+as\s+(" + IDENT + r"))?$", rest)
        if m2:
            name = m2.group(1)
            if name == "self":
                out.append((path, m2.group(2) or (path[-1] if path else None)))
            else:
                out.append((path + (name,), m2.group(2) or name))
    return out


class Crate:
    def __init__(self, src):
        self.src = pathlib.Path(src)
        root = "lib.rs" if (self.src / "lib.rs").exists() else "main.rs"
        self.files = {}
        for p in self.src.rglob("*.rs"):
            rel = p.relative_to(self.src)
            if rel.name in ("lib.rs", "main.rs") and len(rel.parts) == 1:
                if rel.name != root:
                    continue
                name = ""
            elif rel.name == "mod.rs":
                name = "::".join(rel.parts[:-1])
            else:
                name = "::".join(rel.with_suffix("").parts)
            self.files[name] = strip(p.read_text())
        self.children = {m: set() for m in self.files}
        for m in self.files:
            if m:
                parent = m.rsplit("::", 1)[0] if "::" in m else ""
                if parent in self.children:
                    self.children[parent].add(m.rsplit("::", 1)[-1])
        # per module: its uses, split into re-exports (pub use) and private uses
        self.uses, self.reexports, self.defs = {}, {}, {}
        for m, code in self.files.items():
            private, public = [], []
            for vis, tree in re.findall(r"(?m)^\s*(pub(?:\([^)]*\))?\s+)?use\s+([^;]+);", code):
                (public if vis else private).extend(use_trees(tree))
            self.uses[m], self.reexports[m] = private, public
            self.defs[m] = set(re.findall(
                r"(?m)^\s*(?:pub(?:\([^)]*\))?\s+)?(?:const\s+fn|async\s+fn|unsafe\s+fn|fn|struct|enum|union|type|const|static|trait|macro_rules!)\s+(" + IDENT + ")",
                code))

    def child(self, module, name):
        full = f"{module}::{name}" if module else name
        return full if full in self.files else None

    def start(self, module, first):
        """The module a path's first segment names from `module`, or None if external."""
        if first == "crate":
            return ""
        if first == "self":
            return module
        if first == "super":
            return module.rsplit("::", 1)[0] if "::" in module else ""
        return self.child(module, first)

    def resolve(self, module, path, seen=None):
        """Where the item `path` (segments) named in `module` is defined: a module or None."""
        seen = seen or set()
        if not path:
            return None
        at = self.start(module, path[0])
        if at is None:
            # a name this module imported: follow what it stands for
            for upath, bound in self.uses[module] + self.reexports[module]:
                if bound == path[0] and (module, path[0]) not in seen:
                    seen.add((module, path[0]))
                    return self.resolve(module, tuple(upath) + tuple(path[1:]), seen)
            return None
        rest = list(path[1:])
        while rest and rest[0] == "super":
            at = at.rsplit("::", 1)[0] if "::" in at else ""
            rest.pop(0)
        while rest and self.child(at, rest[0]):
            at = self.child(at, rest[0]); rest.pop(0)
        if not rest or rest[0] == "*":
            return at
        name = rest[0]
        if name in self.defs.get(at, ()):
            return at
        # re-exported: follow it to where it lives
        for upath, bound in self.reexports.get(at, []):
            key = (at, name, tuple(upath))
            if key in seen:
                continue
            if bound == name:
                seen.add(key)
                return self.resolve(at, tuple(upath), seen) or at
            if upath and upath[-1] == "*":
                seen.add(key)
                target = self.resolve(at, tuple(upath[:-1]), seen)
                if target is not None and name in self.defs.get(target, ()):
                    return target
        return at

    def edges(self):
        edges = {m: {} for m in self.files}
        for m, code in self.files.items():
            # Paths in the code, not in the `use` declarations (those were read above).
            code = re.sub(r"(?m)^\s*(pub(?:\([^)]*\))?\s+)?use\s+[^;]+;", "", code)
            found = []
            for upath, _ in self.uses[m]:
                found.append(tuple(upath))
            for p in re.findall(r"\b((?:crate|super|self)(?:\s*::\s*" + IDENT + r")+)", code):
                found.append(tuple(s.strip() for s in p.split("::")))
            bound = {b: u for u, b in self.uses[m] if b}
            for first, rest in re.findall(r"\b(" + IDENT + r")\s*::\s*(" + IDENT + r")", code):
                if first in bound or self.child(m, first):
                    found.append((first, rest))
            for path in found:
                target = self.resolve(m, path)
                if target is None or target == m or m.startswith(target + "::") and target in ("",):
                    continue
                if target == m:
                    continue
                edges[m].setdefault(target, set()).add(path[-1])
        return edges


def cycles(edges):
    """Tarjan's strongly connected components with more than one module."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]; counter[0] += 1
        stack.append(v); on.add(v)
        for w in edges[v]:
            if w not in index:
                visit(w); low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop(); on.discard(w); component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    sys.setrecursionlimit(10000)
    for v in edges:
        if v not in index:
            visit(v)
    return out


failed = False
for src in sys.argv[1:]:
    crate = Crate(src)
    edges = crate.edges()
    found = cycles(edges)
    name = lambda m: m or "(root)"
    for component in found:
        failed = True
        print(f"{src}: a cycle between {', '.join(map(name, component))}:")
        for m in component:
            for target, names in sorted(edges[m].items()):
                if target in component:
                    print(f"  {name(m)} -> {name(target)}: {', '.join(sorted(names))}")
    count = sum(len(t) for t in edges.values())
    print(f"module-cycles: {src}: {len(crate.files)} modules, {count} edges, {len(found)} cycles")
sys.exit(1 if failed else 0)
