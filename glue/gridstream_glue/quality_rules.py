"""Compiles quality_rules.json into the quarantine columns (mirror of qualityRules.ts)."""

import json
import math
import re

from .errors import PipelineDefinitionError

_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")
_RULE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def _literal(v) -> str:
    if isinstance(v, bool):
        raise PipelineDefinitionError(f"quality rule value {v!r} is not a string or number")
    if isinstance(v, (int, float)):
        if not math.isfinite(v):
            raise PipelineDefinitionError(f"quality rule value {v} is not finite")
        # Same text as JavaScript's String(number): integers without ".0".
        return str(int(v)) if float(v).is_integer() else json.dumps(v)
    return "'" + str(v).replace("'", "''") + "'"


def _column(rule: dict, name) -> str:
    if not isinstance(name, str) or not _IDENT.match(name):
        raise PipelineDefinitionError(f"quality rule {rule.get('rule')}: column {json.dumps(name)} is not a column name")
    return name


def rule_failure_sql(rule: dict) -> str:
    """The SQL boolean that is TRUE when a row fails ``rule`` (never NULL)."""
    kind = rule.get("kind")
    name = rule.get("rule")
    if kind == "not_null":
        cols = rule.get("columns") or []
        if not cols:
            raise PipelineDefinitionError(f"quality rule {name}: not_null needs columns")
        failure = "(" + " OR ".join(f"{_column(rule, c)} IS NULL" for c in cols) + ")"
    elif kind == "in":
        c = _column(rule, rule.get("column"))
        values = rule.get("values") or []
        if not values:
            raise PipelineDefinitionError(f"quality rule {name}: in needs values")
        failure = f"({c} IS NOT NULL AND {c} NOT IN ({', '.join(_literal(v) for v in values)}))"
    elif kind == "range":
        c = _column(rule, rule.get("column"))
        bounds = []
        if rule.get("min") is not None:
            bounds.append(f"{c} < {_literal(rule['min'])}")
        if rule.get("max") is not None:
            bounds.append(f"{c} > {_literal(rule['max'])}")
        if not bounds:
            raise PipelineDefinitionError(f"quality rule {name}: range needs min or max")
        failure = f"({c} IS NOT NULL AND ({' OR '.join(bounds)}))"
    elif kind == "check":
        if not rule.get("expr"):
            raise PipelineDefinitionError(f"quality rule {name}: check needs expr")
        failure = f"(NOT coalesce(({rule['expr']}), false))"
    else:
        raise PipelineDefinitionError(f"quality rule {name}: unknown kind {json.dumps(kind)}")
    when = rule.get("when")
    return f"(coalesce(({when}), false) AND {failure})" if when else failure


def compile_quality_rules(rules: list) -> tuple[str, str]:
    """Returns (dq_rule, dq_rules) SQL: first failed rule, all failed rules (comma-separated)."""
    if not rules:
        return ("CAST(NULL AS STRING)", "CAST(NULL AS STRING)")
    seen = set()
    parts = []
    for r in rules:
        name = r.get("rule")
        if not isinstance(name, str) or not _RULE_NAME.match(name):
            raise PipelineDefinitionError(f"quality rule name {json.dumps(name)} is invalid")
        if name in seen:
            raise PipelineDefinitionError(f"quality rule {name} is declared twice")
        seen.add(name)
        parts.append((_literal(name), rule_failure_sql(r)))
    first = "CASE " + " ".join(f"WHEN {f} THEN {n}" for n, f in parts) + " END"
    all_ = "NULLIF(concat_ws(',', " + ", ".join(f"CASE WHEN {f} THEN {n} END" for n, f in parts) + "), '')"
    return first, all_
