"""Where a rendered value came from: the file a resource was read from, the generator that
made it, and the patch or transformer that last set a field (from the engine's Origin
records). Used by assertion messages, YAML tests, validation reports and diffs."""
from __future__ import annotations

import os
import re

from .engine.paths import query_parts


def display_path(p: str) -> str:
    """A path relative to the working directory when it lies below it."""
    if not p or not os.path.isabs(p):
        return p
    rel = os.path.relpath(p)
    return p if rel.startswith("..") else rel


def source(r) -> str:
    """The file a resource was loaded from (relative to the working directory), or the
    kustomization file whose generator made it."""
    o = r.origin
    if o.file:
        return display_path(o.file)
    if o.path:
        return o.path
    if o.config_file:
        by = (o.configured_by or {}).get("kind") or o.generator or "generator"
        return "%s (%s)" % (o.config_file, by)
    return "(unknown)"


def changes_to(r, path: str) -> list:
    """The recorded transformations (patches, transformers) that may have set ``path``."""
    parts = tuple(p for p in query_parts(path)
                  if not p.isdigit() and not p.startswith("[") and p != "*")
    return [c for c in r.origin.transformations
            if hasattr(c, "touches") and c.touches(parts)]


def provenance(r, path: str) -> str:
    """A sentence saying where the value at ``path`` came from."""
    changes = changes_to(r, path)
    if changes:
        last = changes[-1]
        return "set by %s (%s in %s)" % (_change_source(last), last.transformer,
                                         display_path(last.file))
    patches = [c for c in r.origin.transformations
               if getattr(c, "transformer", "").startswith("Patch")]
    tail = ("; no patch touched it" if not patches else
            "; %d patch(es) applied to this resource, none set it" % len(patches))
    return "set in %s%s" % (source(r), tail)


def _change_source(c) -> str:
    src = c.source or ""
    m = re.match(r'^\[path: "(.*)"\]$', src)
    if m:
        src = m.group(1)
    if src.startswith("[patch") or "\n" in src:
        return "an inline patch"
    if src and c.file and not os.path.isabs(src):
        return "patch " + display_path(os.path.join(os.path.dirname(c.file), src))
    return src or "a transformer"
