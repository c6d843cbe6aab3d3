"""A commit of a Git repository as a ``FileSystem``, read through GitPython.

``GitTreeFS(repo, ref)`` is mounted at the repository's work-tree path: ``/repo/overlays/prod``
names that directory as the commit has it, so paths and error messages read as on a checkout.
Paths outside the work tree (a symlink pointing out, ``LoadRestrictionsNone``) are read from the
disk, as on a checkout. Symlinks are what Git stores (mode 120000: the blob is the target); a
submodule is an empty directory, as on a checkout without ``git submodule update``. Nothing is
written to the repository: not the work tree, the index, HEAD nor the stash.
"""
from __future__ import annotations

import atexit
import errno
import os
import posixpath
import shutil
import tempfile
import threading
from collections import OrderedDict

from ..engine.fs import DISK
from ..engine.loader import KUSTOMIZATION_FILE_NAMES
from ..errors import LoadError
from . import gitpython as git, gitpython_fun

S_DIR, S_FILE, S_LINK, S_SUBMODULE = 0o040000, 0o100000, 0o120000, 0o160000
_MAX_LINKS = 40
_BLOB_CACHE_BYTES = 256 << 20


class GitError(LoadError):
    """A repository or ref that cannot be read (names the repository, ref or URL)."""


def check_ref(ref: str, what: str = "ref") -> str:
    """A ref as the user wrote it, refused when Git could read it as an option."""
    if not isinstance(ref, str) or not ref.strip():
        raise GitError("%s must be a non-empty string, got %r" % (what, ref))
    if ref.startswith("-") or any(c in ref for c in "\0\n\r"):
        raise GitError("invalid %s %r: a ref may not start with '-' or hold control "
                       "characters" % (what, ref))
    return ref


_REPOS: dict[str, git.Repo] = {}
_LOCK = threading.Lock()


def _close_repos() -> None:
    with _LOCK:
        for repo in _REPOS.values():
            repo.close()
        _REPOS.clear()


def open_repo(path: "str | os.PathLike | git.Repo") -> git.Repo:
    """The repository holding ``path`` (searched upwards), shared per process."""
    if isinstance(path, git.Repo):
        return path
    start = os.path.realpath(os.fspath(path))
    while not os.path.isdir(start):
        start = os.path.dirname(start)
    try:
        probe = git.Repo(start, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise GitError("%s is not inside a Git repository" % os.fspath(path),
                       file=os.fspath(path)) from None
    key = os.path.realpath(probe.git_dir)
    with _LOCK:
        repo = _REPOS.get(key)
        if repo is None:
            if not _REPOS:
                # GitPython is imported lazily, so after the caller's modules: close the
                # shared repositories (their git cat-file processes) before interpreter
                # teardown clears GitPython's globals under their finalizers
                atexit.register(_close_repos)
            repo = _REPOS[key] = probe
        else:
            probe.close()
    return repo


def resolve_commit(repo: git.Repo, ref: str) -> str:
    """The full hex id of the commit ``ref`` names (any rev Git accepts: branch, tag, sha,
    ``origin/main``, ``HEAD~2``)."""
    check_ref(ref)
    try:
        return repo.git.rev_parse("--verify", "--quiet", "--end-of-options",
                                  ref + "^{commit}").strip()
    except git.GitCommandError:
        raise GitError("unknown revision %r in %s" % (ref, repo.working_tree_dir or
                                                        repo.git_dir)) from None


class _Blobs:
    """Blob contents by (commit, path), bounded by total size."""

    def __init__(self, limit: int):
        self.limit, self.size, self.data = limit, 0, OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            v = self.data.get(key)
            if v is not None:
                self.data.move_to_end(key)
            return v

    def put(self, key, value: bytes) -> None:
        with self.lock:
            if key in self.data:
                return
            self.data[key] = value
            self.size += len(value)
            while self.size > self.limit and len(self.data) > 1:
                _, old = self.data.popitem(last=False)
                self.size -= len(old)


BLOBS = _Blobs(_BLOB_CACHE_BYTES)
_TREES: dict[tuple[str, str], dict[str, tuple[int, bytes]]] = {}


class GitTreeFS:
    """The tree of one commit, mounted at the work-tree path (``FileSystem`` protocol)."""

    def __init__(self, repo: "str | os.PathLike | git.Repo", ref: str = "HEAD", *,
                 mount: str | None = None):
        self.repo = open_repo(repo)
        self.ref = ref
        self.commit = resolve_commit(self.repo, ref)
        top = self.repo.working_tree_dir
        if mount is None and top is None:
            raise GitError("%s is a bare repository: give mount=" % self.repo.git_dir)
        self.mount = os.path.realpath(mount or top)
        self._real: dict[str, tuple] = {}
        self._local: str | None = None

    def __repr__(self) -> str:
        return "GitTreeFS(%r, %s at %s)" % (self.ref, self.commit[:12], self.mount)

    # -- the tree ------------------------------------------------------------------------
    def _entries(self, rel: str) -> dict[str, tuple[int, bytes]] | None:
        """Entries of the directory ``rel`` (repo-relative, '' for the top), or None."""
        key = (self.commit, rel)
        got = _TREES.get(key)
        if got is not None:
            return got
        if rel == "":
            tree_sha = self.repo.commit(self.commit).tree.binsha
        else:
            parent, name = posixpath.split(rel)
            pe = self._entries(parent)
            ent = pe.get(name) if pe is not None else None
            if ent is None:
                return None
            if ent[0] == S_SUBMODULE:
                _TREES[key] = {}
                return _TREES[key]
            if ent[0] != S_DIR:
                return None
            tree_sha = ent[1]
        out = {}
        # the raw entries (a submodule is a commit id here; GitPython's Submodule objects
        # would read .gitmodules of the work tree)
        for binsha, mode, name in gitpython_fun.tree_entries_from_data(self.repo.odb.stream(tree_sha).read()):
            kind = S_DIR if mode == S_DIR else S_LINK if mode == S_LINK else \
                S_SUBMODULE if mode == S_SUBMODULE else S_FILE
            out[name] = (kind, binsha)
        _TREES[key] = out
        return out

    def _blob(self, rel: str, binsha: bytes) -> bytes:
        key = (self.commit, rel)
        data = BLOBS.get(key)
        if data is None:
            data = self.repo.odb.stream(binsha).read()
            BLOBS.put(key, data)
        return data

    def _inside(self, p: str) -> str | None:
        """The repo-relative path of ``p`` when it is in the mount."""
        if p == self.mount:
            return ""
        if p.startswith(self.mount + "/"):
            return p[len(self.mount) + 1:]
        return None

    def _lookup(self, p: str):
        """(kind, payload) of one absolute, symlink-free-parent path; kind None if missing.

        Inside the mount: the tree; outside: the disk (payload: link target or None)."""
        rel = self._inside(p)
        if rel is None:
            if os.path.islink(p):
                return S_LINK, os.readlink(p)
            if os.path.isdir(p):
                return S_DIR, None
            return (S_FILE, None) if os.path.exists(p) else (None, None)
        if rel == "":
            return S_DIR, None
        parent, name = posixpath.split(rel)
        ents = self._entries(parent)
        ent = ents.get(name) if ents is not None else None
        if ent is None:
            return None, None
        if ent[0] == S_LINK:
            return S_LINK, self._blob(rel, ent[1]).decode("utf-8", "surrogateescape")
        if ent[0] == S_SUBMODULE:
            return S_DIR, None
        return ent[0], ent[1]

    def _resolve(self, path: str):
        """(real path, kind, payload, missing) following symlinks component by component."""
        ap = os.path.abspath(os.fspath(path))
        got = self._real.get(ap)
        if got is not None:
            return got
        parts = [c for c in ap.split("/") if c]
        done, hops = "/", 0
        kind, payload = S_DIR, None
        while parts:
            c = parts.pop(0)
            if c == ".":
                continue
            if c == "..":
                done = posixpath.dirname(done)
                kind, payload = S_DIR, None
                continue
            if kind != S_DIR:
                raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), path)
            cand = posixpath.join(done, c)
            kind, payload = self._lookup(cand)
            if kind == S_LINK:
                hops += 1
                if hops > _MAX_LINKS:
                    raise OSError(errno.ELOOP, os.strerror(errno.ELOOP), path)
                if payload.startswith("/"):
                    done = "/"
                parts = [x for x in payload.split("/") if x] + parts
                kind, payload = S_DIR, None
                continue
            if kind is None:
                got = (posixpath.join(cand, *parts), None, None)
                self._real[ap] = got
                return got
            done = cand
        got = (done, kind, payload)
        self._real[ap] = got
        return got

    # -- FileSystem ----------------------------------------------------------------------
    def realpath(self, path: str) -> str:
        try:
            return self._resolve(path)[0]
        except OSError:
            return os.path.abspath(os.fspath(path))

    def _kind(self, path: str):
        try:
            return self._resolve(path)[1]
        except OSError:
            return None

    def isdir(self, path: str) -> bool:
        return self._kind(path) == S_DIR

    def isfile(self, path: str) -> bool:
        return self._kind(path) == S_FILE

    def exists(self, path: str) -> bool:
        return self._kind(path) is not None

    def read_bytes(self, path: str) -> bytes:
        real, kind, payload = self._resolve(path)
        if kind is None:
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), path)
        if kind == S_DIR:
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), path)
        rel = self._inside(real)
        if rel is None:
            return DISK.read_bytes(real)
        return self._blob(rel, payload)

    def listdir(self, path: str) -> list[str]:
        real, kind, _ = self._resolve(path)
        if kind is None:
            raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), path)
        if kind != S_DIR:
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), path)
        rel = self._inside(real)
        if rel is None:
            return DISK.listdir(real)
        return sorted(self._entries(rel) or ())

    def local_path(self, path: str) -> str:
        """A copy on disk (for helm): the file or directory written below a temporary
        directory removed at exit."""
        real, kind, _ = self._resolve(path)
        rel = self._inside(real)
        if rel is None or kind is None:
            return real
        if self._local is None:
            self._local = tempfile.mkdtemp(prefix="pytest-kustomize-git-")
            atexit.register(shutil.rmtree, self._local, True)
        dest = os.path.join(self._local, rel)
        if not os.path.exists(dest):
            self._materialize(real, dest)
        return dest

    def _materialize(self, src: str, dest: str) -> None:
        if self.isdir(src):
            os.makedirs(dest, exist_ok=True)
            for name in self.listdir(src):
                self._materialize(posixpath.join(src, name), os.path.join(dest, name))
        elif self.isfile(src):
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            with open(dest, "wb") as f:
                f.write(self.read_bytes(src))


def same_inputs(inputs, a, b) -> bool:
    """True when every input of a render (files read, kustomization directories looked up)
    reads the same in the file systems ``a`` and ``b``: the render there is the same."""
    for p in inputs:
        ka, kb = _probe(a, p), _probe(b, p)
        if ka != kb:
            return False
    return True


def _probe(fs, p: str):
    """What a render can learn of ``p``: its real path (links decide the load restrictor),
    a directory's kustomization files, a file's bytes."""
    try:
        if fs.isdir(p):
            return ("dir", fs.realpath(p), tuple(
                n for n in fs.listdir(p)
                if n in KUSTOMIZATION_FILE_NAMES and fs.isfile(posixpath.join(p, n))))
        if fs.isfile(p):
            return ("file", fs.realpath(p), fs.read_bytes(p))
    except OSError:
        return ("error",)
    return ("missing",)
