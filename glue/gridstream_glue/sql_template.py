"""The dialect shim: renders ``{{value}}`` and ``{{macro(arg, ...)}}`` for an engine.

Mirror of stream-processors/curation/sqlTemplate.ts (a test checks both render every step to the same
text).
"""

import re

from .errors import SqlTemplateError

_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:\(([^{}]*?)\))?\s*\}\}")
_MAX_PASSES = 8


def split_arguments(args: str) -> list[str]:
    """Splits macro arguments on commas outside parentheses and quotes."""
    out: list[str] = []
    depth = 0
    quote = None
    start = 0
    for i, c in enumerate(args):
        if quote:
            if c == quote:
                quote = None
        elif c in ("'", '"'):
            quote = c
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "," and depth == 0:
            out.append(args[start:i].strip())
            start = i + 1
    out.append(args[start:].strip())
    if len(out) == 1 and out[0] == "":
        return []
    return out


def strip_comments(sql: str) -> str:
    """Removes ``--`` comments outside string literals and blank lines."""
    lines = []
    for line in sql.split("\n"):
        quote = False
        cut = len(line)
        i = 0
        while i < len(line):
            c = line[i]
            if c == "'":
                quote = not quote
            elif not quote and c == "-" and i + 1 < len(line) and line[i + 1] == "-":
                cut = i
                break
            i += 1
        kept = line[:cut].rstrip()
        if kept:
            lines.append(kept)
    return "\n".join(lines)


def _expand(name: str, raw_args, engine: str, macros: dict, values: dict, source: str) -> str:
    if name in values:
        if raw_args is not None:
            raise SqlTemplateError(f"{source}: {{{{{name}}}}} is a value and takes no arguments")
        return values[name]
    macro = macros.get(name)
    if macro is None:
        raise SqlTemplateError(f"{source}: unknown placeholder {{{{{name}}}}}")
    body = macro.get("all", macro.get(engine))
    if body is None:
        raise SqlTemplateError(f"{source}: macro {{{{{name}}}}} has no text for {engine}")
    args = [] if raw_args is None else split_arguments(raw_args)
    wanted = max([0] + [int(n) for n in re.findall(r"\$(\d)", body)])
    if len(args) != wanted:
        raise SqlTemplateError(f"{source}: {{{{{name}}}}} takes {wanted} argument(s), got {len(args)}: {raw_args or ''}")
    return re.sub(r"\$(\d)", lambda m: args[int(m.group(1)) - 1], body)


def render_template(sql: str, engine: str, macros: dict, values: dict, source: str) -> str:
    """Renders a transformation for ``engine`` (``duckdb`` or ``spark``)."""
    text = strip_comments(sql)
    for _ in range(_MAX_PASSES):
        replaced = False

        def sub(m):
            nonlocal replaced
            replaced = True
            return _expand(m.group(1), m.group(2), engine, macros, values, source)

        text = _PLACEHOLDER.sub(sub, text)
        if not replaced:
            break
    left = re.search(r"\{\{[^}]*\}\}?", text)
    if left:
        raise SqlTemplateError(f"{source}: cannot render {left.group(0)}")
    return text
