"""Validation by the real ``kubeconform`` (one subprocess per render, fed on stdin), reading
its JSON output per resource rather than its exit code."""
from __future__ import annotations

import json
import re
import subprocess

from .. import tools
from .report import ERROR, INVALID, SKIPPED, VALID, FieldError
from .schemas import SchemaError

STATUS = {"statusValid": VALID, "statusInvalid": INVALID, "statusError": ERROR,
          "statusSkipped": SKIPPED, "statusEmpty": SKIPPED}
_ENTRY = re.compile(r"( *)- at '((?:[^']|'')*)': ")
NO_SCHEMA = "could not find schema for "


def find() -> str | None:
    return tools.find_tool("kubeconform")


def argv(binary: str, version: str, strict: bool, locations: list, cache: str | None = None
         ) -> list:
    out = [binary, "-output", "json", "-summary", "-verbose", "-kubernetes-version", version]
    if strict:
        out.append("-strict")
    for loc in locations:
        out += ["-schema-location", loc]
    if cache:
        out += ["-cache", cache]
    return out + ["-"]


def leaf_errors(msg: str) -> list:
    """The innermost failures of kubeconform's message (its error tree with newlines turned
    into spaces: an entry's indentation is 1 + 2 × depth spaces)."""
    entries = []
    ms = list(_ENTRY.finditer(msg))
    for i, m in enumerate(ms):
        end = ms[i + 1].start() if i + 1 < len(ms) else len(msg)
        depth = max(0, (len(m.group(1)) - 1) // 2)
        entries.append((depth, m.group(2), msg[m.end():end].strip()))
    out = []
    for i, (depth, path, text) in enumerate(entries):
        if i + 1 < len(entries) and entries[i + 1][0] > depth:
            continue                       # has children: not a leaf
        out.append(FieldError(path, text))
    return sorted(out, key=lambda e: e.path)


def run(binary: str, stream: str, version: str, strict: bool, locations: list,
        cache: str | None = None, timeout: float = 600) -> list:
    """kubeconform's result records (dicts with kind, name, version, status, msg)."""
    try:
        p = subprocess.run(argv(binary, version, strict, locations, cache), input=stream,
                           capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise SchemaError("kubeconform did not finish in %gs" % timeout) from None
    try:
        doc = json.loads(p.stdout)
    except ValueError:
        raise SchemaError("kubeconform (exit %d) printed no JSON report: %s"
                          % (p.returncode, (p.stderr or p.stdout).strip()[:500])) from None
    return doc.get("resources") or []


def verdict(record: dict) -> tuple:
    """(status, [FieldError], message) of one kubeconform record."""
    status = STATUS.get(record.get("status"), ERROR)
    msg = record.get("msg") or ""
    if status == INVALID:
        errors = leaf_errors(msg) or [FieldError(e.get("path", ""), e.get("msg", ""))
                                      for e in record.get("validationErrors") or []]
        return status, errors, msg
    return status, [], msg
