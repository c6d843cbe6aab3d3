"""Kustomize-compatible YAML, the entry point the rest of the package uses: read like kyaml
(go-yaml v3 scalar rules, yamlv3), print like ``kustomize build`` (every resource goes
through JSON, then sigs.k8s.io/yaml's go-yaml v2 emitter: the native printer _yamlprint
when it is built, else yamlfast for plain documents; yamlemit for what neither takes).
The scalar rules both sides share are in yamlscalar.

PyYAML (its libyaml C binding when present) does the tokenising and emitting; those
modules supply the resolvers, constructors and representers that give kustomize's semantics.
"""
from __future__ import annotations

import os

from .yamlemit import emit_document, float_text, fold_nel, v2_sorted_keys
from .yamlfast import fast_map
from .yamlscalar import (BINARY, BOOL, FLOAT, INT, MAP, MERGE, NULL, SEQ, STR, TIMESTAMP,
                         int_text, scalar_to_string, v2_is_plain_string, v3_resolve)
from .yamlv3 import (ALIAS_BUDGET, MAX_DEPTH, NATIVE_READER, expanded_size, load_document,
                     load_documents)

__all__ = ["ALIAS_BUDGET", "BINARY", "BOOL", "FLOAT", "INT", "MAP", "MAX_DEPTH", "MERGE",
           "NULL", "SEQ", "STR", "TIMESTAMP", "dump_document", "dump_documents",
           "expanded_size", "load_document", "load_documents", "scalar_to_string",
           "v2_sorted_keys", "v3_resolve"]


try:
    from . import _yamlprint
except ImportError:   # installed without a C compiler
    _yamlprint = None


def _load_native():
    """The C printer, configured with the Python rules it calls; None when it was not built
    or PYTEST_KUSTOMIZE_NATIVE=0."""
    if _yamlprint is None or os.environ.get("PYTEST_KUSTOMIZE_NATIVE", "1") == "0":
        return None
    _yamlprint.configure(v2_is_plain_string, v2_sorted_keys, int_text, float_text, fold_nel)
    return _yamlprint


NATIVE = _load_native()
#: the native reader's deep copy of plain data (None when it was not built)
NATIVE_COPY = NATIVE_READER.copy if NATIVE_READER is not None else None


def dump_document(obj, *, fast: bool = True) -> str:
    """One document exactly as kustomize prints it. The native printer takes what it
    models (nearly everything); else plain documents take a direct Python path, and
    anything needing quoting, folding or block scalars goes through libyaml's emitter.
    ``fast=False`` forces the libyaml path (the reference the others are tested against)."""
    if fast and NATIVE is not None:
        text = NATIVE.dump(obj)
        if text is not None:
            return text
    if fast and isinstance(obj, dict) and obj:
        out: list = []
        if fast_map(obj, 0, None, out):
            return "".join(out)
    return emit_document(obj)


def dump_documents(objs) -> str:
    """A stream of documents joined by ``---`` lines, as ``kustomize build`` prints it."""
    return "---\n".join(dump_document(o) for o in objs)
