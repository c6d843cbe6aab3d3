"""Kustomize-compatible YAML, the entry point the rest of the package uses: read like kyaml
(go-yaml v3 scalar rules, yamlv3), print like ``kustomize build`` (every resource goes
through JSON, then sigs.k8s.io/yaml's go-yaml v2 emitter: yamlfast for plain documents,
yamlemit for the rest). The scalar rules both sides share are in yamlscalar.

PyYAML (its libyaml C binding when present) does the tokenising and emitting; those
modules supply the resolvers, constructors and representers that give kustomize's semantics.
"""
from __future__ import annotations

from .yamlemit import emit_document, v2_sorted_keys
from .yamlfast import fast_map
from .yamlscalar import (BINARY, BOOL, FLOAT, INT, MAP, MERGE, NULL, SEQ, STR, TIMESTAMP,
                         scalar_to_string, v3_resolve)
from .yamlv3 import ALIAS_BUDGET, MAX_DEPTH, expanded_size, load_document, load_documents

__all__ = ["ALIAS_BUDGET", "BINARY", "BOOL", "FLOAT", "INT", "MAP", "MAX_DEPTH", "MERGE",
           "NULL", "SEQ", "STR", "TIMESTAMP", "dump_document", "dump_documents",
           "expanded_size", "load_document", "load_documents", "scalar_to_string",
           "v2_sorted_keys", "v3_resolve"]


def dump_document(obj, *, fast: bool = True) -> str:
    """One document exactly as kustomize prints it. Plain documents take a direct path;
    anything needing quoting, folding or block scalars goes through libyaml's emitter."""
    if fast and isinstance(obj, dict) and obj:
        out: list = []
        if fast_map(obj, 0, None, out):
            return "".join(out)
    return emit_document(obj)


def dump_documents(objs) -> str:
    """A stream of documents joined by ``---`` lines, as ``kustomize build`` prints it."""
    return "---\n".join(dump_document(o) for o in objs)
