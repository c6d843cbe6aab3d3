"""The file system a Flux build sees: the disk confined to the source root (as fluxcd/pkg's
secure file system: nothing outside it exists, a symlink leading out is refused), plus the
kustomization file the generator wrote, held in memory instead of on disk."""
from __future__ import annotations

import errno
import os

from ..engine.fs import DISK


class SourceFS:
    """``root``: the source root (a real path); ``overlay``: absolute path -> content."""

    def __init__(self, root: str, overlay: dict | None = None):
        self.root = os.path.realpath(root)
        self.overlay = dict(overlay or {})

    def _inside(self, path: str) -> bool:
        real = DISK.realpath(path)
        r = self.root
        return real == r or r == "/" or real.startswith(r.rstrip("/") + "/")

    def realpath(self, path: str) -> str:
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
