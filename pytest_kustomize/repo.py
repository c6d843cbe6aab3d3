"""Whole-repository renders: every kustomization directory under a root, built in one
process sharing accumulated bases (``engine.memo``) and, optionally, a persistent render cache
(``rendercache``). One directory's error does not stop the others."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Iterator

from . import build
from .engine.loader import KUSTOMIZATION_FILE_NAMES
from .engine.memo import AccumulationMemo
from .errors import KustomizeError
from .resources import Resources
from .sources import remote as _remote


@dataclass
class DirResult:
    """One directory of :func:`build_all`: ``resources`` or ``error``; ``cached`` when the
    render came from the persistent cache."""
    path: str                   # relative to the root ('.' for the root itself)
    resources: Resources | None = None
    error: KustomizeError | None = None
    cached: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None


def kustomization_dirs(root: str) -> list:
    """Every directory under ``root`` (itself included) holding a kustomization file, sorted;
    hidden directories (``.git`` …) are skipped."""
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        if any(n in filenames for n in KUSTOMIZATION_FILE_NAMES):
            found.append(os.path.normpath(dirpath))
    return sorted(found, key=lambda p: os.path.relpath(p, root))


class RepoRenderer:
    """Builds directories sharing one memo of accumulated bases and an optional persistent
    :class:`~pytest_kustomize.rendercache.RenderCache`; counts what it rendered."""

    def __init__(self, cache=None, memo: AccumulationMemo | None = None):
        self.cache = cache
        self.memo = memo if memo is not None else AccumulationMemo()
        self.rendered = 0
        self.from_cache = 0
        self._remotes: dict = {}        # allow_remote_files -> one remote-base hook for all

    def _build(self, path: str, options: dict):
        if options.get("remote") is None:
            allow = options.get("allow_remote_files")
            hook = self._remotes.get(allow)
            if hook is None:
                hook = self._remotes[allow] = _remote.serve(allow_files=allow)
            options = dict(options, remote=hook)
        return build(path, memo=self.memo, **options)

    def build(self, path: str, **options) -> tuple:
        """(Resources, from_cache) for ``path``; raises KustomizeError."""
        path = os.path.abspath(os.fspath(path))
        if self.cache is not None:
            hit = self.cache.get(path, options)
            if hit is not None:
                self.from_cache += 1
                return hit, True
        res = self._build(path, options)
        self.rendered += 1
        if self.cache is not None and not res.volatile:
            self.cache.put(path, options, res)
        return res, False

    def build_text(self, path: str, **options) -> tuple:
        """(YAML text, warnings, from_cache) for ``path``; raises KustomizeError."""
        path = os.path.abspath(os.fspath(path))
        if self.cache is not None:
            hit = self.cache.get_text(path, options)
            if hit is not None:
                self.from_cache += 1
                return hit[0], hit[1], True
        res = self._build(path, options)
        text = res.to_yaml()
        self.rendered += 1
        if self.cache is not None and not res.volatile:
            self.cache.put(path, options, res, text)
        return text, list(res.warnings), False

    def summary(self) -> str:
        return render_counts(self.rendered, self.from_cache)


def render_counts(rendered: int, from_cache: int) -> str:
    """``"N rendered, M from cache"``: the counts every summary line reports."""
    return "%d rendered, %d from cache" % (rendered, from_cache)


def build_all(root: "str | os.PathLike", dirs=None, *, cache=None, renderer=None,
              **options) -> Iterator[DirResult]:
    """Render every kustomization directory under ``root`` (or the given ``dirs``), in path
    order, yielding a :class:`DirResult` per directory. ``cache``: a ``RenderCache`` (or None);
    ``options``: as :func:`pytest_kustomize.build` (load_restrictor, reorder, …)."""
    root = os.path.abspath(os.fspath(root))
    rr = renderer or RepoRenderer(cache)
    for d in (kustomization_dirs(root) if dirs is None else dirs):
        rel = os.path.relpath(d, root)
        try:
            res, cached = rr.build(d, **options)
        except KustomizeError as e:
            yield DirResult(rel, error=e)
            continue
        yield DirResult(rel, res, cached=cached)
