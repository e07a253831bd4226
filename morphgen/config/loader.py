"""Load and validate YAML configs; every problem is reported as file, line, key path, expectation.

``load_config(path)`` reads a YAML file, validates it against ``Config`` (see
``morphgen.config.schema``, where every default is declared) and resolves relative paths
against the file's directory. All problems are gathered into one ``ConfigError``::

    configs/bad.yaml: 2 problems
      line 7: pose.yaw.std: Input should be greater than or equal to 0 (got -5)
      line 12: camera.focal: unknown key (did you mean 'focal_mm'?)
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from morphgen.config.schema import Config
from morphgen.errors import ConfigError

# Bounds on a YAML document: aliases can make a few hundred bytes expand into billions of
# nodes, and deep nesting exhausts Python's stack; no config comes near either.
MAX_NODES = 100_000
MAX_DEPTH = 64


def _duplicate_keys(root: yaml.Node, source: str) -> list[str]:
    """Problems for keys given twice in one mapping (PyYAML would keep the last silently).

    Each mapping is checked once however many aliases refer to it, and the walk stops with
    a ``ConfigError`` once the document, aliases expanded, passes ``MAX_NODES`` nodes or
    ``MAX_DEPTH`` levels.
    """
    problems: list[tuple[int, str]] = []
    checked: set[int] = set()
    stack: list[tuple[yaml.Node, str, int]] = [(root, "", 0)]
    expanded = 0
    while stack:
        node, path, depth = stack.pop()
        expanded += 1
        where = f"line {node.start_mark.line + 1}"
        if expanded > MAX_NODES:
            raise ConfigError(
                f"{source}: {where}: the document expands (through &anchors and *aliases) "
                f"to more than {MAX_NODES} values; a config needs far fewer"
            )
        if depth > MAX_DEPTH:
            raise ConfigError(
                f"{source}: {where}: {path}: nested more than {MAX_DEPTH} levels deep"
            )
        if isinstance(node, yaml.MappingNode):
            children = []
            seen: set[Any] = set()
            for key, value in node.value:
                name = getattr(key, "value", None)
                sub = f"{path}.{name}" if path else str(name)
                if name in seen and id(node) not in checked:
                    problems.append((key.start_mark.line + 1, f"{sub}: key given twice"))
                seen.add(name)
                children.append((value, sub, depth + 1))
            checked.add(id(node))
            stack.extend(reversed(children))
        elif isinstance(node, yaml.SequenceNode):
            items = [(item, f"{path}.{k}", depth + 1) for k, item in enumerate(node.value)]
            stack.extend(reversed(items))
    return [f"line {line}: {text}" for line, text in sorted(set(problems))]


def _locate(root: yaml.Node | None, loc: tuple[Any, ...], err_type: str) -> tuple[str, int | None]:
    """Map a pydantic error location to the user's key path and a 1-based line number.

    Segments pydantic adds that are not in the YAML (the ``dist``/``kind`` tag of a tagged
    union, union branch names) are skipped; a missing or unknown last key is kept.
    """
    node = root
    path: list[str] = []
    line = None if root is None else root.start_mark.line + 1
    for pos, seg in enumerate(loc):
        last = pos == len(loc) - 1
        if isinstance(node, yaml.MappingNode):
            match = [(k, v) for k, v in node.value if getattr(k, "value", None) == str(seg)]
            if match:
                key, node = match[-1]
                path.append(str(seg))
                line = key.start_mark.line + 1
                continue
            tags = {
                getattr(v, "value", None)
                for k, v in node.value
                if getattr(k, "value", None) in ("dist", "kind")
            }
            if last and seg not in tags and err_type in ("missing", "extra_forbidden"):
                path.append(str(seg))
                line = node.start_mark.line + 1  # a missing key: where its mapping starts
            continue  # a union tag or branch name, or the default illumination kind
        if isinstance(node, yaml.SequenceNode) and isinstance(seg, int):
            if 0 <= seg < len(node.value):
                node = node.value[seg]
                line = node.start_mark.line + 1
            path.append(str(seg))
            continue
        if node is None and (isinstance(seg, int) or seg.isidentifier()):
            path.append(str(seg))  # no YAML (data given as a dict): the schema's own names
        # below a plain YAML value (a number is a constant distribution) the schema's
        # segments are not the user's keys: the value's own path is kept
    return ".".join(path) or "(top level)", line


def _allowed_keys(loc: tuple[Any, ...]) -> list[str]:
    """Field names of the schema model at ``loc`` (best effort; [] when unknown)."""
    schema = Config.model_json_schema()
    defs = schema.get("$defs", {})

    def deref(s: dict) -> dict:
        while "$ref" in s:
            s = defs[s["$ref"].split("/")[-1]]
        return s

    def branches(s: dict) -> list[dict]:
        return [deref(b) for b in s.get("oneOf", s.get("anyOf", []))]

    node = deref(schema)
    for seg in loc:
        if "properties" in node and seg in node["properties"]:
            node = deref(node["properties"][seg])
        elif isinstance(seg, int) and "items" in node:
            node = deref(node["items"])
        else:
            tagged = [
                b
                for b in branches(node)
                if seg in {p.get("const") for p in b.get("properties", {}).values()}
                or b.get("title", "").lower().startswith(str(seg))
            ]
            if not tagged:
                return []
            node = tagged[0]
        if "properties" not in node and branches(node):
            with_props = [b for b in branches(node) if "properties" in b]
            if len(with_props) == 1:
                node = with_props[0]
    return list(node.get("properties", {}))


def _message(err: dict[str, Any]) -> str:
    msg = str(err["msg"]).removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if err["type"] == "extra_forbidden":
        allowed = _allowed_keys(tuple(err["loc"][:-1]))
        key = str(err["loc"][-1])
        close = difflib.get_close_matches(key, allowed, n=1)
        msg = "unknown key"
        if close:
            msg += f" (did you mean {close[0]!r}?)"
        elif allowed:
            msg += f"; expected one of: {', '.join(allowed)}"
        return msg
    if err["type"] == "missing":
        return "required key missing"
    value = err.get("input")
    if isinstance(value, str | int | float | bool) and err["type"] != "value_error":
        msg += f" (got {value!r})"
    return msg


def _format_errors(exc: ValidationError, source: str, root: yaml.Node | None) -> str:
    found: list[tuple[int, str, str, str]] = []
    for err in exc.errors():
        path, line = _locate(root, tuple(err["loc"]), err["type"])
        found.append((line or 0, path, err["type"], _message(err)))
    # a union reports each branch's failure: drop "should be 'grid'"-style literal
    # mismatches where another branch says more about the same key
    paths = {(line, path) for line, path, kind, _ in found if kind != "literal_error"}
    kept = [f for f in found if f[2] != "literal_error" or (f[0], f[1]) not in paths]
    lines = [
        f"line {line}: {path}: {msg}" if line and root is not None else f"{path}: {msg}"
        for line, path, _, msg in sorted(kept, key=lambda f: f[0])
    ]
    return _summary(source, list(dict.fromkeys(lines)))


def _summary(source: str, problems: list[str]) -> str:
    head = f"{source}: {len(problems)} problem{'s' if len(problems) != 1 else ''}"
    return head + "".join(f"\n  {p}" for p in problems)


def parse_config(
    data: dict[str, Any] | None,
    *,
    base_dir: Path | str | None = None,
    source: str = "<config>",
    root: yaml.Node | None = None,
) -> Config:
    """Validate already-loaded config data; relative paths resolve against ``base_dir``."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping of sections at the top level")
    context = {"base_dir": str(Path(base_dir or Path.cwd()).resolve())}
    try:
        return Config.model_validate(data, context=context)
    except ValidationError as exc:
        raise ConfigError(_format_errors(exc, source, root)) from None


def load_config(path: Path | str, overrides: dict[str, Any] | None = None) -> Config:
    """Read, validate and resolve a YAML config; ``ConfigError`` lists every problem.

    ``overrides`` (a nested mapping) replaces the file's values key by key before the
    config is validated (``overlay``): how ``morphgen bench`` keeps a user's config but
    sets the model, image size and plan it measures."""
    path = Path(path)
    data, root = read_config(path)
    if overrides and (data is None or isinstance(data, dict)):
        data = overlay(data or {}, overrides)
    return parse_config(data, base_dir=path.resolve().parent, source=str(path), root=root)


def overlay(base: dict[str, Any], top: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``top``'s values in its place, section by section (a new mapping)."""
    out = dict(base)
    for key, value in top.items():
        below = out.get(key)
        both = isinstance(value, dict) and isinstance(below, dict)
        out[key] = overlay(below, value) if both else value
    return out


def read_config(path: Path) -> tuple[Any, yaml.Node | None]:
    """A YAML config file's data and node tree (for line numbers), not yet validated."""
    if path.is_dir():
        raise ConfigError(f"{path}: is a directory, expected a YAML config file")
    if not path.is_file():
        raise ConfigError(f"{path}: config file not found")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise ConfigError(
            f"{path}: line {line}: not UTF-8 text (byte 0x{raw[exc.start]:02x}); save the "
            "config as UTF-8"
        ) from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        duplicates = _duplicate_keys(root, str(path)) if root is not None else []
        data = yaml.safe_load(text)
    except RecursionError:
        raise ConfigError(f"{path}: nested over {MAX_DEPTH} levels deep") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        context, start = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and start is not None:
            problem += f" ({context} started on line {start.line + 1})"
        raise ConfigError(f"{path}: invalid YAML: {where}{problem}") from None
    if duplicates:
        raise ConfigError(_summary(str(path), duplicates))
    return data, root


def defaults_table() -> str:
    """A Markdown table of every config key and its default (the README's copy is tested)."""
    rows = ["| key | default |", "|---|---|"]

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict) and value and "dist" not in value and path != "":
            if not all(isinstance(v, int | float) for v in value.values()):
                for key, sub in value.items():
                    walk(sub, f"{path}.{key}")
                return
        if isinstance(value, dict) and path == "":
            for key, sub in value.items():
                walk(sub, key)
            return
        if isinstance(value, dict) and value.get("dist") == "constant":
            value = value["value"]  # a constant is written as a plain number
        text = yaml.safe_dump(value, default_flow_style=True, width=10_000, sort_keys=False)
        text = text.strip()
        text = text.removesuffix("\n...").strip()
        rows.append(f"| `{path}` | `{text}` |")

    walk(Config().to_dict(), "")
    return "\n".join(rows)
