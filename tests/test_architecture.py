"""The import rules of the README's architecture section, checked by reading every import."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "morphgen"

# Layers from the bottom up: a module may import its own layer and the layers below it.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "clock", "colour", "hashing", "progress", "scene", "labels", "labelsets", "config"),
    ("model",),
    ("sampling", "render"),
    ("io",),
    ("run", "gaps", "export"),
    ("bench",),
    ("commands", "cli", "__init__", "__main__"),
)
# Packages of one layer that must not import each other.
APART = (("sampling", "render"), ("run", "gaps"), ("run", "export"), ("gaps", "export"))


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every morphgen module ``path`` imports, at module level or inside functions."""
    tree = ast.parse(path.read_text(), str(path))
    found: set[str] = set()
    package = _module(path) if path.name == "__init__.py" else _module(path).rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            found.add(base)
            found |= {f"{base}.{a.name}" for a in node.names}
    return {m for m in found if m == "morphgen" or m.startswith("morphgen.")}


MODULES = {_module(p): _imports(p) for p in sorted(PACKAGE.rglob("*.py"))}


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _layer(top: str) -> int:
    return next(k for k, names in enumerate(LAYERS) if top in names)


def _real(name: str) -> str | None:
    """The module ``name`` refers to (an imported function's module), or None."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def test_every_top_level_module_has_a_layer() -> None:
    tops = {_top(m) for m in MODULES}
    assert tops <= {name for layer in LAYERS for name in layer}, "add it to LAYERS and the README"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_imports_go_down_the_layers(module: str) -> None:
    own = _top(module)
    wrong = []
    for name in MODULES[module]:
        target = _real(name)
        if target is None or _top(target) == own or target == "morphgen":
            continue
        other = _top(target)
        if _layer(other) > _layer(own) or {own, other} in [set(pair) for pair in APART]:
            wrong.append(target)
    assert not wrong, f"{module} imports {sorted(set(wrong))} (see the README's architecture)"


def test_runtime_model_code_never_imports_the_build_code() -> None:
    for module, names in MODULES.items():
        if module.startswith("morphgen.model.build") or not module.startswith("morphgen."):
            continue
        built = [n for n in names if n.startswith("morphgen.model.build")]
        assert not built, f"{module} imports {built}"


def test_scene_is_pure_data() -> None:
    assert MODULES["morphgen.scene"] == set()


def test_no_import_cycles() -> None:
    graph = {m: {_real(n) for n in names} - {None, m, "morphgen"} for m, names in MODULES.items()}
    # a package's __init__ re-exporting its modules is not a cycle through them
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt.startswith(node + "."):
                continue
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt) :] + [nxt]
                pytest.fail("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
