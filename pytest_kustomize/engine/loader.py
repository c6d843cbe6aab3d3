"""File access for one kustomization root: load restrictor, sub-roots, cycle detection."""
from __future__ import annotations

import os
import re

from ..errors import LoadError

ROOT_ONLY = "rootOnly"
NONE = "none"

KUSTOMIZATION_FILE_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")

_REMOTE = re.compile(r"^(https?://|git@|ssh://|git::|github\.com/|gitlab\.com/|bitbucket\.org/)")


def normalize_restrictor(value: str | None) -> str:
    v = (value or ROOT_ONLY)
    table = {"rootonly": ROOT_ONLY, "loadrestrictionsrootonly": ROOT_ONLY,
             "none": NONE, "loadrestrictionsnone": NONE}
    try:
        return table[v.lower()]
    except KeyError:
        raise LoadError("unknown load restrictor %r (use LoadRestrictionsRootOnly or "
                        "LoadRestrictionsNone)" % value) from None


def is_remote(path: str) -> bool:
    return bool(_REMOTE.match(path))


class Loader:
    """Reads files relative to one kustomization root, as kustomize's file loader does."""

    def __init__(self, root: str, restrictor: str = ROOT_ONLY, parent: "Loader | None" = None,
                 cache: dict | None = None, *, real: bool = False):
        self.root = root if real else os.path.realpath(root)
        self.restrictor = restrictor
        self.parent = parent
        self.kustomization_file = os.path.join(self.root, "kustomization.yaml")
        self.cache = cache if cache is not None else {}

    # -- roots -------------------------------------------------------------------------
    def new(self, path: str) -> "Loader":
        """A loader for a sub-directory (base, component); refuses cycles."""
        if path == "":
            raise LoadError("new root cannot be empty")
        if is_remote(path):
            raise LoadError("remote base %r: remote (git/http) resources are not supported yet"
                            % path)
        if os.path.isabs(path):
            raise LoadError("new root '%s' cannot be absolute" % path)
        for part in path.replace(os.sep, "/").split("/"):
            if part not in ("", ".", "..") and ".." in part:
                raise LoadError(
                    "path %r is ambiguous: resolves to %r after normalization, which is likely "
                    "not the intended target; check for YAML indentation errors in your "
                    "kustomization file" % (path, os.path.normpath(path)))
        joined = os.path.join(self.root, path)
        if not os.path.isdir(joined):
            if os.path.exists(joined):
                raise LoadError("must build at directory: '%s' is not a directory"
                                % os.path.normpath(joined))
            raise LoadError("must build at directory: not a valid directory: evalsymlink "
                            "failure on '%s' : lstat %s: no such file or directory"
                            % (joined, joined))
        root = os.path.realpath(joined)
        self._check_confined(root)
        self._check_cycle(root)
        return Loader(root, self.restrictor, self, self.cache, real=True)

    def _check_confined(self, real: str) -> None:
        """``cache["confine_root"]`` (set by the flux layer) bounds every read, as Flux's
        secure file system bounds a build to the source root."""
        confine = self.cache.get("confine_root")
        if confine and not _has_prefix(real, confine):
            raise LoadError("security; path '%s' is not in or below the source root '%s'"
                            % (real, confine))

    def _check_cycle(self, candidate: str) -> None:
        node = self
        while node is not None:
            if _has_prefix(node.root, candidate):
                raise LoadError("cycle detected: candidate root '%s' contains visited root '%s'"
                                % (candidate, node.root))
            node = node.parent

    # -- files -------------------------------------------------------------------------
    def resolve(self, path: str) -> str:
        """Absolute path of a file, after the load restrictor allowed it."""
        if is_remote(path):
            raise LoadError("remote file %r: http(s) and git resources are not supported yet"
                            % path)
        p = os.path.normpath(path if os.path.isabs(path) else os.path.join(self.root, path))
        if self.restrictor == ROOT_ONLY:
            d, f = os.path.split(p)
            if not f or os.path.isdir(p):
                d, f = os.path.realpath(p), ""
            else:
                if d != self.root:          # the root is already a real path
                    real = self.cache.setdefault("realpath", {})
                    rd = real.get(d)
                    if rd is None:
                        rd = real[d] = os.path.realpath(d)
                    d = rd
            if f == "":
                raise LoadError("'%s' must resolve to a file" % p)
            if not _has_prefix(d, self.root):
                raise LoadError("security; file '%s' is not in or below '%s'" % (p, self.root))
            return os.path.join(d, f)
        if self.cache.get("confine_root"):
            self._check_confined(os.path.realpath(p))
        return p

    def read_bytes(self, path: str) -> bytes:
        full = self.resolve(path)
        self.cache.setdefault("files_read", set()).add(full)
        overlay = self.cache.get("overlay")
        if overlay and full in overlay:   # a kustomization file generated by the flux layer
            return overlay[full]
        try:
            with open(full, "rb") as f:
                return f.read()
        except IsADirectoryError:
            raise LoadError("read %s: is a directory" % full) from None
        except FileNotFoundError:
            raise LoadError("open %s: no such file or directory" % full) from None
        except OSError as e:
            raise LoadError("cannot read %s: %s" % (full, e.strerror)) from None

    def read_text(self, path: str) -> str:
        return self.read_bytes(path).decode("utf-8", "surrogateescape")

    def exists(self, path: str) -> bool:
        try:
            return os.path.isfile(self.resolve(path))
        except LoadError:
            return False

    def relpath(self, path: str) -> str:
        return os.path.relpath(path, self.root)

    # -- kustomization file ------------------------------------------------------------
    def find_kustomization(self) -> str:
        overlay = self.cache.get("overlay") or {}
        found = [n for n in KUSTOMIZATION_FILE_NAMES
                 if os.path.isfile(os.path.join(self.root, n))
                 or os.path.join(self.root, n) in overlay]
        self.cache.setdefault("dirs_read", set()).add(self.root)
        if not found:
            raise LoadError("unable to find one of 'kustomization.yaml', 'kustomization.yml' or "
                            "'Kustomization' in directory '%s'" % self.root)
        if len(found) > 1:
            raise LoadError("Found multiple kustomization files under: %s" % self.root)
        self.kustomization_file = os.path.join(self.root, found[0])
        return self.kustomization_file


def _has_prefix(path: str, prefix: str) -> bool:
    if path == prefix:
        return True
    return path.startswith(prefix.rstrip(os.sep) + os.sep)
