"""A renderer rooted at a directory: overlays by relative path, each render cached until a
file or directory it read changes (what the ``kustomize`` fixture hands to tests). Its builds
share accumulated bases (``engine.memo``) and, given a ``rendercache.RenderCache``, renders
persist between sessions."""
from __future__ import annotations

import glob
import os

from .engine.loader import KUSTOMIZATION_FILE_NAMES
from .repo import RepoRenderer


class Renderer:
    """Renders overlays relative to a root directory. A render is cached for the session and
    rebuilt when any file or directory it read has changed."""

    def __init__(self, root: str, load_restrictor: str = "rootOnly", enable_helm: bool = False,
                 cache=None):
        self.root = root
        self.load_restrictor = load_restrictor
        self.enable_helm = enable_helm
        self._cache: dict = {}
        self.repo = RepoRenderer(cache)     # counts: repo.rendered, repo.from_cache

    def path(self, overlay) -> str:
        p = os.fspath(overlay)
        return p if os.path.isabs(p) else os.path.join(self.root, p)

    def build(self, overlay, **options):
        """``kustomize build`` of ``overlay`` as :class:`~pytest_kustomize.Resources`."""
        full = self.path(overlay)
        options.setdefault("load_restrictor", self.load_restrictor)
        options.setdefault("enable_helm", self.enable_helm)
        key = (os.path.realpath(full), tuple(sorted(options.items())))
        hit = self._cache.get(key)
        if hit is not None and hit[1] == _stamp(hit[0].inputs):
            return hit[0]
        res, _ = self.repo.build(full, **options)
        self._cache[key] = (res, _stamp(res.inputs))
        return res


def _stamp(paths) -> tuple:
    out = []
    for p in paths:
        try:
            st = os.stat(p)
            out.append((p, st.st_mtime_ns, st.st_size))
        except OSError:
            out.append((p, None, None))
    return tuple(out)


def overlay_dirs(root: str, patterns) -> list:
    """Kustomization directories matching the glob patterns, sorted."""
    found = set()
    for pat in patterns:
        for p in glob.glob(os.path.join(root, pat)):
            if os.path.isdir(p) and any(os.path.isfile(os.path.join(p, n))
                                        for n in KUSTOMIZATION_FILE_NAMES):
                found.add(os.path.normpath(p))
    return sorted(found)
