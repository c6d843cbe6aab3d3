"""File access for one kustomization root, as kustomize's file loader: every read of the engine
goes through ``Loader`` and its ``FileSystem`` (the disk by default); the load restrictor, the
symlink checks, sub-roots and cycle detection are here.

One checked resolver (``Loader.resolve``): the path is joined to the root and cleaned lexically
(``a/../b`` is ``b``, as Go's ``filepath.Join``), then every symlink is resolved, the last
component too, and only then does the restrictor compare the real directory with the root.
Messages are kustomize's (``security; file '…' is not in or below '…'``,
``evalsymlink failure on '…' : lstat …: no such file or directory``).

Remote roots (``git@host:org/repo//dir``, ``https://…``, ``file://…``) are handed to the
loader's ``remote`` callable, ``remote(parent, spec) -> Loader`` (``parent`` is None for the
build target); the default refuses them with a clear error.
"""
from __future__ import annotations

import errno
import os
import posixpath
import re
from typing import Callable, Optional

from ..errors import LoadError
from .fs import DISK, FileSystem
from .remote import RepoSpec, is_remote_file, parse_repo_spec

ROOT_ONLY = "rootOnly"
NONE = "none"

KUSTOMIZATION_FILE_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")

Remote = Callable[[Optional["Loader"], str], "Loader"]


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
    """True when kustomize reads ``path`` as a remote Git root (see ``remote.parse_repo_spec``)."""
    return parse_repo_spec(path) is not None


def refuse_remote(parent: "Loader | None", spec: str) -> "Loader":
    """The default ``remote``: a clear error naming the repository."""
    repo: RepoSpec = parse_repo_spec(spec)
    where = " (path %r)" % repo.path if repo.path else ""
    ref = " at ref %r" % repo.ref if repo.ref else ""
    raise LoadError("remote base %r: Git repository %r%s%s: remote (git/http) resources are "
                    "not supported yet" % (spec, repo.clone_spec, where, ref))


def _clean(path: str) -> str:
    p = posixpath.normpath(path)
    return p[1:] if p.startswith("//") else p


class Loader:
    """Reads files relative to one kustomization root, as kustomize's file loader does.

    ``root`` is a real path (symlinks resolved) unless ``real`` is false."""

    def __init__(self, root: str, restrictor: str = ROOT_ONLY, parent: "Loader | None" = None,
                 cache: dict | None = None, *, real: bool = False, fs: FileSystem = DISK,
                 remote: Remote | None = None):
        self.fs = fs
        self.root = root if real else fs.realpath(root)
        self.restrictor = restrictor
        self.parent = parent
        self.remote: Remote = remote or (parent.remote if parent is not None
                                         else refuse_remote)
        self.kustomization_file = posixpath.join(self.root, "kustomization.yaml")
        self.cache = cache if cache is not None else {}

    # -- roots -------------------------------------------------------------------------
    @classmethod
    def at(cls, path: str, restrictor: str = ROOT_ONLY, cache: dict | None = None, *,
           fs: FileSystem = DISK, remote: Remote | None = None) -> "Loader":
        """The loader of the build target (kustomize's NewLoader)."""
        remote = remote or refuse_remote
        if is_remote(path):
            if cache is not None:
                cache["volatile"] = True        # a fetched tree: no render cache
            return remote(None, path)
        p = _clean(path if posixpath.isabs(path) else os.path.abspath(path))
        return cls(_confirm_dir(fs, p, path), restrictor, cache=cache, real=True, fs=fs,
                   remote=remote)

    def new(self, path: str) -> "Loader":
        """A loader for a sub-directory (base, component); refuses cycles."""
        if path == "":
            raise LoadError("new root cannot be empty")
        if is_remote(path):
            self.cache["volatile"] = True
            return self.remote(self, path)
        if posixpath.isabs(path):
            raise LoadError("new root '%s' cannot be absolute" % path)
        for part in path.split("/"):
            if part not in ("", ".", "..") and ".." in part:
                raise LoadError(
                    "path %r is ambiguous: resolves to %r after normalization, which is likely "
                    "not the intended target; check for YAML indentation errors in your "
                    "kustomization file" % (path, posixpath.normpath(path)))
        joined = _clean(posixpath.join(self.root, path))
        root = _confirm_dir(self.fs, joined, joined)
        if joined != root:      # through a link: re-pointing it is a change (render caches)
            self.cache.setdefault("dirs_read", set()).add(joined)
        self._check_cycle(root)
        return Loader(root, self.restrictor, self, self.cache, real=True, fs=self.fs)

    def _check_cycle(self, candidate: str) -> None:
        node = self
        while node is not None:
            if _has_prefix(node.root, candidate):
                raise LoadError("cycle detected: candidate root '%s' contains visited root '%s'"
                                % (candidate, node.root))
            node = node.parent

    # -- the checked resolver ----------------------------------------------------------
    def resolve(self, path: str) -> str:
        """The real path of a file after the load restrictor allowed it."""
        p = _clean(path if posixpath.isabs(path) else posixpath.join(self.root, path))
        if self.restrictor != ROOT_ONLY:
            return p
        d, f = _clean_abs(self.fs, p, p)
        if f == "":
            raise LoadError("'%s' must resolve to a file" % p)
        if not _has_prefix(d, self.root):
            raise LoadError("security; file '%s' is not in or below '%s'" % (p, self.root))
        return posixpath.join(d, f)

    # -- files -------------------------------------------------------------------------
    def read_bytes(self, path: str) -> bytes:
        if is_remote_file(path):
            fetch = getattr(self.remote, "fetch_file", None)
            if fetch is None:
                raise LoadError(
                    "remote file %r: http(s) resources are refused unless allowed "
                    "(build(..., allow_remote_files=True), --allow-remote-files or "
                    "PYTEST_KUSTOMIZE_REMOTE_FILES=allow)"
                    % re.sub(r"(?i)^(https?://[^/@:]*):[^/@]*@", r"\1:***@", path))
            self.cache.setdefault("urls_read", set()).add(path)
            return fetch(path)
        full = self.resolve(path)
        read = self.cache.setdefault("files_read", set())
        read.add(full)
        if not posixpath.isabs(path):       # the link itself too: re-pointing it is a change
            read.add(_clean(posixpath.join(self.root, path)))
        try:
            return self.fs.read_bytes(full)
        except IsADirectoryError:
            raise LoadError("read %s: is a directory" % full) from None
        except FileNotFoundError:
            raise LoadError("open %s: no such file or directory" % full) from None
        except OSError as e:
            raise LoadError("open %s: %s" % (full, (e.strerror or str(e)).lower())) from None

    def read_text(self, path: str) -> str:
        return self.read_bytes(path).decode("utf-8", "surrogateescape")

    def exists(self, path: str) -> bool:
        """True when ``path`` is a file the restrictor allows."""
        try:
            return self.fs.isfile(self.resolve(path))
        except LoadError:
            return False

    def isdir(self, path: str) -> bool:
        """True when ``path`` (relative to the root) is a directory."""
        return self.fs.isdir(path if posixpath.isabs(path) else posixpath.join(self.root, path))

    def local_path(self, path: str) -> str:
        """A path on disk with the content of ``path`` (for external tools such as helm)."""
        try:
            return self.fs.local_path(path)
        except OSError as e:
            raise LoadError("%s: %s" % (path, e.strerror or e)) from None

    def relpath(self, path: str) -> str:
        return posixpath.relpath(path, self.root)

    # -- kustomization file ------------------------------------------------------------
    def find_kustomization(self) -> str:
        """The one kustomization file of the root: kustomize loads each recognised name and
        counts those that load (a link pointing outside the root does not)."""
        found = []
        for n in KUSTOMIZATION_FILE_NAMES:
            if not self.fs.exists(posixpath.join(self.root, n)):
                continue
            try:
                p = self.resolve(n)
            except LoadError:
                continue
            if self.fs.isfile(p):
                found.append(n)
        self.cache.setdefault("dirs_read", set()).add(self.root)
        if not found:
            raise LoadError("unable to find one of 'kustomization.yaml', 'kustomization.yml' or "
                            "'Kustomization' in directory '%s'" % self.root)
        if len(found) > 1:
            raise LoadError("Found multiple kustomization files under: %s" % self.root)
        self.kustomization_file = posixpath.join(self.root, found[0])
        return self.kustomization_file


def _has_prefix(path: str, prefix: str) -> bool:
    if path == prefix or prefix == "/":
        return True
    return path.startswith(prefix.rstrip("/") + "/")


def _confirm_dir(fs: FileSystem, path: str, shown: str) -> str:
    """The real path of directory ``path`` (kustomize's ConfirmDir)."""
    try:
        d, f = _clean_abs(fs, path, shown)
    except LoadError as e:
        raise LoadError("must build at directory: not a valid directory: %s"
                        % e.message) from None
    if f:
        raise LoadError("must build at directory: '%s': file is not directory" % shown)
    return d


def _clean_abs(fs: FileSystem, path: str, shown: str) -> tuple[str, str]:
    """(real directory, '') for a directory, (real directory, name) for anything else;
    ``path`` absolute and clean (kustomize's CleanedAbs). Raises its evalsymlink error."""
    real = fs.realpath(path)
    if fs.isdir(real):
        return real, ""
    if fs.exists(real):
        d, f = posixpath.split(real)
        return d, f
    raise LoadError("evalsymlink failure on '%s' : %s" % (shown, _why(fs, path, real)))


def _why(fs: FileSystem, path: str, real: str) -> str:
    """Why a path does not resolve, in Go's words (error path only)."""
    try:
        fs.read_bytes(path)
    except OSError as e:
        if e.errno == errno.ELOOP:
            return "EvalSymlinks: too many links"
        if e.errno == errno.ENOTDIR:
            return "not a directory"
    parts = real.split("/")
    for i in range(2, len(parts) + 1):
        prefix = "/".join(parts[:i])
        if not fs.exists(prefix):
            return "lstat %s: no such file or directory" % prefix
    return "lstat %s: no such file or directory" % real
