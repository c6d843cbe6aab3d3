"""The file system a Flux build sees: the disk confined to the source root (as fluxcd/pkg's
secure file system: nothing outside it exists, a symlink leading out is refused), plus the
kustomization file the generator wrote, held in memory instead of on disk."""
from __future__ import annotations

import errno
import os

from ..engine.fs import DISK


class SourceFS:
    """``root``: the source root (a real path); ``overlay``: absolute path -> content;
    ``excluded(path, is_dir)``: files the artifact does not hold (with it, symlinks are
    absent too, as in a source-controller archive)."""

    def __init__(self, root: str, overlay: dict | None = None, excluded=None):
        self.root = os.path.realpath(root)
        self.overlay = dict(overlay or {})
        self.excluded = excluded

    def _inside(self, path: str) -> bool:
        if self.excluded is not None and _has_link(path, self.root):
            return False
        real = DISK.realpath(path)
        r = self.root
        inside = real == r or r == "/" or real.startswith(r.rstrip("/") + "/")
        if inside and self.excluded is not None and real != r:
            return not _excluded(real, r, self.excluded)
        return inside

    def realpath(self, path: str) -> str:
        if self.excluded is not None and _has_link(path, self.root):
            return os.path.normpath(path)     # the archive has no symlinks: nothing resolves
        return DISK.realpath(path)

    def isdir(self, path: str) -> bool:
        return self._inside(path) and DISK.isdir(path)

    def isfile(self, path: str) -> bool:
        if self.realpath(path) in self.overlay:
            return True
        return self._inside(path) and DISK.isfile(path)

    def exists(self, path: str) -> bool:
        if self.realpath(path) in self.overlay:
            return True
        return self._inside(path) and DISK.exists(path)

    def read_bytes(self, path: str) -> bytes:
        real = self.realpath(path)
        if real in self.overlay:
            return self.overlay[real]
        if not self._inside(path):
            raise PermissionError(errno.EACCES, "path '%s' is not in or below the source "
                                  "root '%s'" % (real, self.root), path)
        return DISK.read_bytes(path)

    def listdir(self, path: str) -> list[str]:
        if not self._inside(path):
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), path)
        return DISK.listdir(path)

    def local_path(self, path: str) -> str:
        if not self._inside(path):
            raise PermissionError(errno.EACCES, "outside the source root", path)
        return DISK.local_path(path)


def _has_link(path: str, root: str) -> bool:
    p = os.path.normpath(path)
    while p.startswith(root.rstrip("/") + "/"):
        if os.path.islink(p):
            return True
        p = os.path.dirname(p)
    return False


def _excluded(real: str, root: str, excluded) -> bool:
    """A file is absent when the filter matches it; a directory when nothing below stays."""
    if os.path.isdir(real):
        return False
    return excluded(real, False)
