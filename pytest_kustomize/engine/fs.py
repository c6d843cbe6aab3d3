"""The file-system seam: every file the engine reads comes through one ``FileSystem``.

Paths are absolute POSIX strings. ``DiskFS`` is the real disk; ``MemoryFS`` an in-memory tree
(with symlinks) for tests; a Git tree at a commit is another implementation
(``pytest_kustomize.sources``). The load restrictor lives in ``loader.Loader`` and asks the file
system for real paths, so symlinks are checked the same way whatever the tree is.

Errors follow the disk: ``FileNotFoundError``, ``IsADirectoryError``, ``NotADirectoryError``.
"""
from __future__ import annotations

import errno
import os
import posixpath
import stat
from typing import Iterable, Mapping, Protocol, runtime_checkable


@runtime_checkable
class FileSystem(Protocol):
    """What the engine needs of a tree of files."""

    def realpath(self, path: str) -> str:
        """``path`` with every symlink resolved (missing tail components kept as written)."""

    def isdir(self, path: str) -> bool:
        """True for a directory (following symlinks)."""

    def isfile(self, path: str) -> bool:
        """True for a regular file (following symlinks)."""

    def exists(self, path: str) -> bool:
        """True when ``path`` exists (following symlinks)."""

    def read_bytes(self, path: str) -> bytes:
        """The content of a file (following symlinks)."""

    def listdir(self, path: str) -> list[str]:
        """Names in a directory, sorted."""

    def local_path(self, path: str) -> str:
        """A path on the real disk with the same content (for external tools such as helm)."""


class DiskFS:
    """The local disk."""

    def realpath(self, path: str) -> str:
        return os.path.realpath(path)

    def isdir(self, path: str) -> bool:
        return os.path.isdir(path)

    def isfile(self, path: str) -> bool:
        return os.path.isfile(path)

    def exists(self, path: str) -> bool:
        return os.path.exists(path)

    def read_bytes(self, path: str) -> bytes:
        with open(path, "rb") as f:
            return f.read()

    def listdir(self, path: str) -> list[str]:
        return sorted(os.listdir(path))

    def local_path(self, path: str) -> str:
        return path


DISK = DiskFS()

_MAX_LINKS = 40  # as Linux's ELOOP limit


class MemoryFS:
    """An in-memory tree: ``files`` maps absolute paths to content, ``symlinks`` to targets.

    Directories are implied by the paths below them (``dirs`` adds empty ones)."""

    def __init__(self, files: Mapping[str, bytes | str] | None = None,
                 symlinks: Mapping[str, str] | None = None, dirs: Iterable[str] = ()):
        self.files: dict[str, bytes] = {}
        self.symlinks: dict[str, str] = {}
        self.dirs: set[str] = {"/"}
        for p, data in (files or {}).items():
            self.add_file(p, data)
        for p, target in (symlinks or {}).items():
            self.add_symlink(p, target)
        for d in dirs:
            self._add_dirs(_norm(d))

    @classmethod
    def from_disk(cls, root: str) -> "MemoryFS":
        """A copy of the disk tree below ``root`` at the same absolute paths (symlinks kept as
        links, not followed)."""
        root = os.path.realpath(root)
        fs = cls(dirs=[root])
        for dirpath, dirnames, filenames in os.walk(root):
            for name in dirnames + filenames:
                p = os.path.join(dirpath, name)
                if os.path.islink(p):
                    fs.add_symlink(p, os.readlink(p))
                elif os.path.isdir(p):
                    fs._add_dirs(p)
                elif os.path.isfile(p):
                    fs.add_file(p, DISK.read_bytes(p))
        return fs

    # -- building ------------------------------------------------------------------------
    def add_file(self, path: str, data: bytes | str) -> None:
        p = _norm(path)
        self.files[p] = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        self._add_dirs(posixpath.dirname(p))

    def add_symlink(self, path: str, target: str) -> None:
        p = _norm(path)
        self.symlinks[p] = target
        self._add_dirs(posixpath.dirname(p))

    def _add_dirs(self, d: str) -> None:
        while d not in self.dirs:
            self.dirs.add(d)
            d = posixpath.dirname(d)

    # -- resolution ----------------------------------------------------------------------
    def _resolve(self, path: str, *, strict: bool) -> str:
        """Follow symlinks component by component; ``strict`` raises for a missing part."""
        if not path.startswith("/"):
            raise ValueError("MemoryFS paths are absolute: %r" % path)
        parts = [c for c in path.split("/") if c]    # no lexical '..': links resolve first
        done = "/"
        hops = 0
        while parts:
            c = parts.pop(0)
            if c == ".":
                continue
            if c == "..":
                done = posixpath.dirname(done)
                continue
            cand = posixpath.join(done, c)
            if cand in self.symlinks:
                hops += 1
                if hops > _MAX_LINKS:
                    raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), path)
                target = self.symlinks[cand]
                if target.startswith("/"):
                    done = "/"
                parts = [x for x in target.split("/") if x] + parts
                continue
            if cand in self.dirs or cand in self.files:
                if cand in self.files and parts:
                    raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), path)
                done = cand
                continue
            if strict:
                raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), path)
            return posixpath.join(cand, *parts)
        return done

    def realpath(self, path: str) -> str:
        try:
            return self._resolve(path, strict=False)
        except OSError:
            return _norm(path)

    def _kind(self, path: str) -> int | None:
        try:
            p = self._resolve(path, strict=True)
        except OSError:
            return None
        if p in self.files:
            return stat.S_IFREG
        return stat.S_IFDIR if p in self.dirs else None

    def isdir(self, path: str) -> bool:
        return self._kind(path) == stat.S_IFDIR

    def isfile(self, path: str) -> bool:
        return self._kind(path) == stat.S_IFREG

    def exists(self, path: str) -> bool:
        return self._kind(path) is not None

    def read_bytes(self, path: str) -> bytes:
        p = self._resolve(path, strict=True)
        if p in self.dirs:
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
        return self.files[p]

    def listdir(self, path: str) -> list[str]:
        p = self._resolve(path, strict=True)
        if p not in self.dirs:
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), path)
        prefix = p.rstrip("/") + "/"
        names = {q[len(prefix):].split("/", 1)[0]
                 for q in (*self.files, *self.symlinks, *self.dirs)
                 if q.startswith(prefix) and q != p}
        return sorted(names)

    def local_path(self, path: str) -> str:
        raise OSError(errno.ENOTSUP, "an in-memory tree has no path on disk: %s" % path)


def _norm(path: str) -> str:
    if not path.startswith("/"):
        raise ValueError("MemoryFS paths are absolute: %r" % path)
    return posixpath.normpath(path).replace("//", "/")
