"""Remote bases and components, resolved as kustomize resolves them.

``parse(url)`` reads a kustomize remote target (``github.com/org/repo//path?ref=v1``,
``https://host/org/repo.git//path?ref=&timeout=&submodules=``, ``git::…``, ``ssh://…``,
scp-style ``git@host:org/repo``, ``file:///abs/repo``) with ``engine.remote``'s rules.
``RemoteCache.fetch(spec)`` gives a checkout of the ref in a cache directory keyed by URL and
ref: cloned once with GitPython (a shallow fetch of the ref first, a full fetch when the server
refuses it), reused across renders and sessions, guarded by a file lock for parallel workers.
Offline, only the cache is used. ``serve(cache)`` is the engine loader's ``remote`` hook:
a remote root is loaded from its checkout, restricted to it, as kustomize does. Only the
file, http(s) and ssh transports are allowed (no ``ext::``), a URL or ref that Git could read
as an option is refused, credentials in URLs are never printed, and every clone stays inside
the cache directory.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import tempfile

from ..engine.fs import DISK
from ..engine.loader import ROOT_ONLY, Loader, is_remote
from ..engine.remote import RepoSpec, parse_repo_spec
from ..errors import LoadError
from . import gitpython as git
from .git import GitError

ALLOWED_PROTOCOLS = "file:http:https:ssh"
REMOTE_FILES_ENV = "PYTEST_KUSTOMIZE_REMOTE_FILES"   # "allow": fetch http(s) resource files
MAX_REMOTE_FILE = 64 << 20


def redact(url: str) -> str:
    """``url`` with the password (or token) of its user information replaced by ***."""
    return re.sub(r"(?i)^([a-z][a-z0-9+.-]*://[^/@:]*):[^/@]*@", r"\1:***@", url)


def parse(url: str) -> RepoSpec:
    """The RepoSpec of a kustomize remote target (``engine.remote`` holds kustomize's rules);
    GitError when it is not one, or when Git could read its repository or ref as an option."""
    spec = parse_repo_spec(url) if isinstance(url, str) else None
    if spec is None:
        raise GitError("%r is not a remote Git target kustomize accepts" % redact(str(url)))
    if spec.ref.startswith("-") or spec.repo_path.startswith("-") or \
            spec.clone_spec.startswith("-"):
        raise GitError("remote base %r: a ref or repository may not start with '-'"
                       % redact(url))
    return spec


def default_cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "pytest-kustomize", "remote")


class RemoteCache:
    """Checkouts of remote targets below ``directory`` (``$PYTEST_KUSTOMIZE_REMOTE_CACHE``,
    else ``~/.cache/pytest-kustomize/remote``), one per (URL, ref, submodules); offline
    (``$PYTEST_KUSTOMIZE_OFFLINE=1``): the cache only."""

    def __init__(self, directory: str | None = None, *, offline: bool | None = None):
        self._given = directory or os.environ.get("PYTEST_KUSTOMIZE_REMOTE_CACHE") \
            or default_cache_dir()
        self._directory: str | None = None
        self.offline = offline if offline is not None else \
            os.environ.get("PYTEST_KUSTOMIZE_OFFLINE", "") not in ("", "0", "false")

    @property
    def directory(self) -> str:
        """The cache directory, symlinks resolved (on first use: most builds have no
        remote base)."""
        if self._directory is None:
            self._directory = os.path.realpath(self._given)
        return self._directory

    def key(self, spec: RepoSpec) -> str:
        raw = "\0".join((spec.clone_spec, spec.ref, "sub" if spec.submodules else "nosub"))
        return hashlib.sha256(raw.encode("utf-8", "surrogateescape")).hexdigest()[:32]

    def checkout_dir(self, spec: RepoSpec) -> str:
        return os.path.join(self.directory, self.key(spec))

    def fetch(self, spec: RepoSpec) -> str:
        """The directory of ``spec.path`` in a checkout of the ref (cloned when needed)."""
        dest = self.checkout_dir(spec)
        os.makedirs(self.directory, exist_ok=True)
        with open(dest + ".lock", "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                if not os.path.exists(os.path.join(dest, ".pytest-kustomize-complete")):
                    if self.offline:
                        raise GitError("remote base %r: %s at %s is not in the cache %s and "
                                       "offline mode is on" % (
                                           redact(spec.raw), redact(spec.clone_spec),
                                           spec.ref or "HEAD", self.directory))
                    self._clone(spec, dest)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        return self._root(spec, dest)

    def _root(self, spec: RepoSpec, dest: str) -> str:
        root = os.path.realpath(os.path.join(dest, spec.path))
        if root != dest and not root.startswith(dest + os.sep):
            raise GitError("remote base %r: %r refers to directory outside of repo %r"
                           % (redact(spec.raw), spec.path, dest))
        if not os.path.isdir(root):
            if os.path.exists(root):
                raise GitError("remote base %r: '%s' refers to file; expecting directory"
                               % (redact(spec.raw), spec.path))
            raise GitError("remote base %r: no directory %r in the repository"
                           % (redact(spec.raw), spec.path))
        return root

    def _clone(self, spec: RepoSpec, dest: str) -> None:
        tmp = tempfile.mkdtemp(prefix=".clone-", dir=self.directory)
        env = {"GIT_ALLOW_PROTOCOL": ALLOWED_PROTOCOLS, "GIT_TERMINAL_PROMPT": "0",
               "GIT_ASKPASS": "", "SSH_ASKPASS": "", "GIT_CONFIG_NOSYSTEM": "1",
               "GIT_SSH_COMMAND": "ssh -oBatchMode=yes"}
        url, ref = spec.clone_spec, spec.ref or "HEAD"
        try:
            repo = git.Repo.init(tmp)
            g = repo.git
            g.update_environment(**env)
            run = (lambda *a: g.execute(["git", *a], kill_after_timeout=spec.timeout,
                                        with_extended_output=False))
            run("remote", "add", "--", "origin", url)
            try:
                run("fetch", "--depth=1", "--no-tags", "--end-of-options", url, ref)
            except git.GitCommandError:
                # a server that refuses a shallow fetch of this ref (a commit id): fetch all
                run("fetch", "--tags", "--end-of-options", url,
                    "+refs/heads/*:refs/remotes/origin/*")
                rev = run("rev-parse", "--verify", "--end-of-options", ref + "^{commit}")
                run("update-ref", "FETCH_HEAD", rev.strip())
            run("-c", "advice.detachedHead=false", "checkout", "-q", "FETCH_HEAD")
            if spec.submodules:
                run("submodule", "update", "--init", "--recursive")
            repo.close()
            with open(os.path.join(tmp, ".pytest-kustomize-complete"), "w") as f:
                f.write(redact(spec.raw) + "\n")
            if os.path.exists(dest):
                shutil.rmtree(dest)
            os.rename(tmp, dest)
        except git.GitCommandError as e:
            shutil.rmtree(tmp, ignore_errors=True)
            msg = (e.stderr or e.stdout or str(e)).strip().replace(url, redact(url))
            raise GitError("remote base %r: git could not fetch %s at %s: %s"
                           % (redact(spec.raw), redact(url), ref, _redact_text(msg))) from None
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise


def _redact_text(text: str) -> str:
    return re.sub(r"(?i)([a-z][a-z0-9+.-]*://[^/@:\s]*):[^/@\s]*@", r"\1:***@", text)


class CloneLoader(Loader):
    """A loader inside a checkout of a remote target: bases it names must stay in the clone
    (kustomize's git containment check)."""
    clone_dir: str = ""
    spec: RepoSpec | None = None

    def new(self, path: str) -> Loader:
        child = super().new(path)
        if is_remote(path):
            return child
        if child.root != self.clone_dir and not child.root.startswith(self.clone_dir + "/"):
            raise LoadError("security; bases in kustomizations found in cloned git repos must "
                            "be within the repo, but base '%s' is outside '%s' (remote base %r)"
                            % (child.root, self.clone_dir, redact(self.spec.raw)))
        child.__class__ = CloneLoader
        child.clone_dir, child.spec = self.clone_dir, self.spec
        return child


def allow_files_default() -> bool:
    return os.environ.get(REMOTE_FILES_ENV, "").strip().lower() in ("allow", "1", "true",
                                                                     "yes")


def fetch_file(url: str, *, offline: bool = False, timeout: float = 30.0) -> bytes:
    """An http(s) resource file, as kustomize's file loader GETs it: a status outside 2xx
    is an error naming the URL (credentials shown as ***) and the status."""
    shown = redact(url)
    if offline:
        raise LoadError("remote file %r: offline mode is on (PYTEST_KUSTOMIZE_OFFLINE)" % shown)
    import http.client                 # here, not at import: a local build never needs them
    import urllib.error
    import urllib.request
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers={
                "User-Agent": "pytest-kustomize"}), timeout=timeout) as resp:
            body = resp.read(MAX_REMOTE_FILE + 1)
    except urllib.error.HTTPError as e:
        raise LoadError("remote file %r: HTTP error: status code %d (%s)"
                        % (shown, e.code, http.client.responses.get(e.code, e.reason))) \
            from None
    except (urllib.error.URLError, OSError, ValueError, http.client.HTTPException) as e:
        reason = getattr(e, "reason", None) or e
        raise LoadError("remote file %r: %s" % (shown, redact(str(reason)))) from None
    if len(body) > MAX_REMOTE_FILE:
        raise LoadError("remote file %r: larger than %d bytes" % (shown, MAX_REMOTE_FILE))
    return body


def serve(cache: RemoteCache | None = None, *, allow_files: bool | None = None):
    """The ``remote(parent, target) -> Loader`` hook of ``engine.loader.Loader``: clones
    ``target`` through ``cache`` (default: the user's cache directory) and loads from it.
    ``allow_files`` (default: ``$PYTEST_KUSTOMIZE_REMOTE_FILES=allow``) lets http(s)
    resource files be fetched (``remote.fetch_file``); otherwise they are refused."""
    cache = cache or RemoteCache()
    if allow_files is None:
        allow_files = allow_files_default()
    remote = _Remote(cache)
    if allow_files:
        remote.fetch_file = lambda url: fetch_file(url, offline=cache.offline)
    return remote


class _Remote:
    """serve()'s hook (an object, not a closure: a closure that passes itself on would be a
    reference cycle per build)."""

    def __init__(self, cache: RemoteCache):
        self.cache = cache

    def __call__(self, parent: Loader | None, target: str) -> Loader:
        spec = parse(target)
        node = parent
        while node is not None:
            prev = getattr(node, "spec", None)
            if prev is not None and prev.raw.startswith(spec.raw):
                raise LoadError("cycle detected: URI '%s' referenced by previous URI '%s'"
                                % (redact(spec.raw), redact(prev.raw)))
            node = node.parent
        root = self.cache.fetch(spec)
        ldr = CloneLoader(root, ROOT_ONLY, parent, parent.cache if parent is not None else None,
                          real=True, fs=DISK, remote=self)
        ldr.clone_dir, ldr.spec = os.path.realpath(self.cache.checkout_dir(spec)), spec
        return ldr
