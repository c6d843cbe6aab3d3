"""Accumulated bases shared between builds: a base that 20 overlays use is read, parsed and
accumulated once per ``AccumulationMemo`` and handed to each overlay as a private copy.

A base's accumulation (its resources after its own generators, components and transformers)
depends only on its directory, its path relative to the build root (origins name it), the load
restrictor and the plugin/helm options: so long as the build-wide openapi schema is not set when
it starts and it sets none itself, it uses no helm chart, remote root or exec plugin (those mark
the build ``volatile``), and it is read from the disk. Anything else is accumulated afresh.

Every entry keeps the files and directories the base read with their ``stat`` stamps: an entry
whose inputs changed since is dropped. The parent's transformers mutate what they merge, so
the memo stores a copy taken when the base finished and gives out copies (label entries a
transformer made shared stay shared in the copy: ``transformers.labels``)."""
from __future__ import annotations

import os
from contextlib import contextmanager

from .fs import DISK
from .reader import fast_copy
from .resource import Origin, Resource
from .transformers.labels import follow_shared_entries, shared_entry_paths

VOLATILE = "volatile"       # io key: the build ran helm, a remote root or a plugin program


class AccumulationMemo:
    """Base accumulations keyed by (real root, origin path, options); see the module doc."""

    def __init__(self):
        self._entries: dict = {}
        self.hits = 0
        self.misses = 0

    @staticmethod
    def usable(options) -> bool:
        return options.fs is DISK and not options.enable_alpha_plugins

    @staticmethod
    def _key(loader, origin_path: str, options) -> tuple:
        return (loader.root, origin_path, loader.restrictor, options.enable_helm,
                options.helm_command)

    def recall(self, loader, origin_path: str, options):
        """A private copy of the memoised accumulation (an ``Accumulator``-like object with
        resources, config and vars), or None. Replays the base's reads and warnings."""
        if not self.usable(options) or _schema_set(options):
            return None
        key = self._key(loader, origin_path, options)
        entry = self._entries.get(key)
        if entry is None:
            return None
        resources, config, vars_, warnings, files, dirs, stamp, matches = entry
        if _stamp(files, dirs) != stamp or _would_cycle(loader, dirs):
            if _stamp(files, dirs) != stamp:
                del self._entries[key]
            return None
        io = options.io
        io.setdefault("files_read", set()).update(files)
        io.setdefault("dirs_read", set()).update(dirs)
        for w in warnings:
            if w not in options.warnings:
                options.warnings.append(w)
        options.patch_matches.extend(matches)     # the base's patches, for check_patches_matched
        self.hits += 1
        return _Accumulated([copy_resource(r) for r in resources], config, fast_copy(vars_))

    @contextmanager
    def recording(self, loader, origin_path: str, options):
        """Run a base's accumulation inside; ``store(accumulator)`` when it succeeded."""
        io = options.io
        saved = (io.get("files_read"), io.get("dirs_read"), io.get(VOLATILE, False),
                 options.warnings)
        io["files_read"], io["dirs_read"], io[VOLATILE] = set(), set(), False
        options.warnings = []
        schema_before = _schema_set(options)
        first_match = len(options.patch_matches)
        stored = []

        def store(ra) -> None:
            stored.append(ra)

        try:
            yield store
        finally:
            files, dirs = io["files_read"], io["dirs_read"]
            volatile, warnings = io[VOLATILE], options.warnings
            old_files, old_dirs, old_volatile, old_warnings = saved
            io["files_read"] = (old_files or set()) | files
            io["dirs_read"] = (old_dirs or set()) | dirs
            io[VOLATILE] = old_volatile or volatile
            for w in warnings:
                if w not in old_warnings:
                    old_warnings.append(w)
            options.warnings = old_warnings
        if stored and not volatile and not schema_before and not _schema_set(options) \
                and self.usable(options):
            ra = stored[0]
            self.misses += 1
            self._entries[self._key(loader, origin_path, options)] = (
                [copy_resource(r) for r in ra.resources], ra.config, fast_copy(ra.vars),
                list(warnings), frozenset(files), frozenset(dirs), _stamp(files, dirs),
                tuple(options.patch_matches[first_match:]))


class _Accumulated:
    __slots__ = ("resources", "config", "vars")

    def __init__(self, resources, config, vars_):
        self.resources, self.config, self.vars = resources, config, vars_


def copy_resource(r: Resource) -> Resource:
    """An independent copy of a resource in the middle of a build (data, origin, ids and the
    label entries shared by one transformer)."""
    groups = shared_entry_paths(r) if r.shared_entries else None
    o = r.origin
    origin = Origin(o.path, o.generator, o.config_file, o.repo, o.ref, list(o.transformations),
                    list(o.applied), dict(o.configured_by), o.file)
    c = Resource(fast_copy(r.data), origin, list(r.previous_ids), list(r.prefixes),
                 list(r.suffixes), r.behavior, r.needs_hash, r.is_generated, list(r.ref_by),
                 list(r.ref_var_names), r.is_helm,
                 empty_nulls=set(r.empty_nulls) if r.empty_nulls else r.empty_nulls)
    if groups:
        follow_shared_entries(c, groups)
    return c


def _schema_set(options) -> bool:
    st = options.schema_state
    return bool(st.get("set")) or st.get("schema") is not None


def _would_cycle(loader, roots) -> bool:
    """Would a root of the base contain a directory the current build is already in (the
    loader's cycle check, against this build's chain of parents)?"""
    node = loader.parent
    while node is not None:
        a = node.root.rstrip("/") + "/"
        if any(a == r.rstrip("/") + "/" or a.startswith(r.rstrip("/") + "/") for r in roots):
            return True
        node = node.parent
    return False


def _stamp(files, dirs) -> tuple:
    out = []
    for p in sorted(files) + sorted(dirs):
        try:
            st = os.stat(p)
            out.append((st.st_mtime_ns, st.st_size, st.st_ino))
        except OSError:
            out.append(None)
    return tuple(out)
