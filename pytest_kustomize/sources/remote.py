"""Remote bases and components, resolved as kustomize resolves them.

``parse(url)`` splits a kustomize remote target (``github.com/org/repo//path?ref=v1``,
``https://host/org/repo.git//path?ref=&timeout=&submodules=``, ``git::…``, ``ssh://…``,
scp-style ``git@host:org/repo``, ``file:///abs/repo``) into the URL Git clones, the directory in
the repository and the query options, by kustomize's rules (its ``api/internal/git``).
``RemoteCache.fetch(spec)`` gives a checkout of the ref in a cache directory keyed by URL and
ref: cloned once with GitPython (a shallow fetch of the ref first, a full fetch when the server
refuses it), reused across renders and sessions, guarded by a file lock for parallel workers.
Offline, only the cache is used. Only the file, http(s) and ssh transports are allowed (no
``ext::``), a URL or ref that Git could read as an option is refused, credentials in URLs are
never printed, and every clone stays inside the cache directory.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import tempfile
import urllib.parse
from dataclasses import dataclass

import git

from .git import GitError

FILE, HTTP, HTTPS, SSH = "file://", "http://", "https://", "ssh://"
DEFAULT_TIMEOUT = 27.0      # seconds, as kustomize
ALLOWED_PROTOCOLS = "file:http:https:ssh"
_USER = re.compile(r"^([a-zA-Z][a-zA-Z0-9-]*)@")
_DURATION = re.compile(r"^(?:(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+$")
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


@dataclass(frozen=True)
class RepoSpec:
    """A parsed remote target: ``clone_url`` (what Git fetches), ``path`` in the repository,
    ``ref`` ('' for the default branch), ``timeout`` seconds and ``submodules``."""
    raw: str
    host: str
    repo_path: str
    path: str = ""
    ref: str = ""
    timeout: float = DEFAULT_TIMEOUT
    submodules: bool = True

    @property
    def clone_url(self) -> str:
        return self.host + self.repo_path

    def __str__(self) -> str:
        return redact(self.raw)


def redact(url: str) -> str:
    """``url`` with the password (or token) of its user information replaced by ***."""
    return re.sub(r"(?i)^([a-z][a-z0-9+.-]*://[^/@:]*):[^/@]*@", r"\1:***@", url)


def parse(url: str) -> RepoSpec:
    """The RepoSpec of a kustomize remote target; GitError when it is not one."""
    if os.path.isabs(url):
        raise GitError("uri looks like abs path: %s" % url)
    rest, _, query = url.partition("?")
    ref, timeout, submodules = _query(query)
    host, rest = _host(rest, url)
    repo_path, path = _split_path(rest, all_segments=host.startswith(FILE), url=url)
    if ref.startswith("-") or repo_path.startswith("-"):
        raise GitError("remote %s: a ref or repository may not start with '-'" % redact(url))
    return RepoSpec(url, host, repo_path, path, ref, timeout, submodules)


def _query(query: str):
    values = urllib.parse.parse_qs(query, keep_blank_values=True)

    def first(name):
        v = values.get(name)
        return v[0] if v else ""
    ref = first("ref") or first("version")
    timeout = DEFAULT_TIMEOUT
    t = first("timeout")
    if t:
        if t.isdigit() and int(t) > 0:
            timeout = float(int(t))
        elif _DURATION.match(t):
            secs = sum(float(n) * _UNITS[u] for n, u in _DURATION_PART.findall(t))
            if secs > 0:
                timeout = secs
    submodules = True
    s = first("submodules")
    if s in ("1", "t", "T", "TRUE", "true", "True"):
        submodules = True
    elif s in ("0", "f", "F", "FALSE", "false", "False"):
        submodules = False
    return ref, timeout, submodules


def _strip_ci(s: str, prefix: str):
    if s[:len(prefix)].lower() == prefix:
        return s[len(prefix):], True
    return s, False


def _host(n: str, url: str):
    n, _ = _strip_ci(n, "git::")
    scheme = ""
    for prefix in (SSH, HTTPS, HTTP, FILE):
        n, found = _strip_ci(n, prefix)
        if found:
            scheme = prefix
            break
    m = _USER.match(n)
    user = m.group(0) if m else ""
    n = n[len(user):]
    github = n.lower().startswith(("github.com/", "github.com:"))
    scp = scheme == "" and (user != "" or github)
    if scheme == "" and not scp:
        raise GitError("not a remote target (failed to parse scheme): %s" % redact(url))
    if scheme == FILE:
        return scheme, user + n
    sep = n.find("/")
    if scp:
        colon = n.find(":")
        if sep == -1 or 0 < colon < sep:
            sep = colon
    host, rest = (n[:sep + 1], n[sep + 1:]) if sep >= 0 else (n, "")
    if github:
        if scheme.startswith(SSH) or user:
            scheme, host = "", "github.com:"
        else:
            scheme, user, host = HTTPS, "", "github.com/"
    if not host:
        raise GitError("remote %s: failed to parse host segment" % redact(url))
    return scheme + user + host, rest


def _split_path(n: str, *, all_segments: bool, url: str):
    repo = path = None
    i = n.find("_git/")
    if i >= 0:
        head, tail = n[:i + 5], n[i + 5:].split("/")
        repo, path = head + tail[0], "/".join(tail[1:])
    elif "//" in n:
        repo, path = n.split("//", 1)
    elif ".git" in n:
        j = n.index(".git") + 4
        repo, path = n[:j], n[j:]
    elif all_segments:
        repo, path = n, ""
    else:
        seg = n.split("/")
        if len(seg) >= 2:
            repo, path = "/".join(seg[:2]), "/".join(seg[2:])
    if not repo:
        raise GitError("remote %s: failed to parse repo path segment" % redact(url))
    clean = os.path.normpath(path.lstrip("/")) if path.strip("/") else "."
    if clean.split("/")[0] == "..":
        raise GitError("remote %s: url path exits repo" % redact(url))
    return repo, path.lstrip("/")


def default_cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "pytest-kustomize", "remote")


class RemoteCache:
    """Checkouts of remote targets below ``directory``, one per (URL, ref, submodules)."""

    def __init__(self, directory: str | None = None, *, offline: bool = False):
        self.directory = os.path.realpath(directory or os.environ.get(
            "PYTEST_KUSTOMIZE_REMOTE_CACHE") or default_cache_dir())
        self.offline = offline

    def key(self, spec: RepoSpec) -> str:
        raw = "\0".join((spec.clone_url, spec.ref, "sub" if spec.submodules else "nosub"))
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
                        raise GitError("remote %s: not in the cache %s and offline mode is on"
                                       % (spec, self.directory))
                    self._clone(spec, dest)
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)
        return self._root(spec, dest)

    def _root(self, spec: RepoSpec, dest: str) -> str:
        root = os.path.realpath(os.path.join(dest, spec.path))
        if root != dest and not root.startswith(dest + os.sep):
            raise GitError("remote %s: %r refers to directory outside of repo %r"
                           % (spec, spec.path, dest))
        if not os.path.isdir(root):
            if os.path.exists(root):
                raise GitError("remote %s: '%s' refers to file; expecting directory"
                               % (spec, spec.path))
            raise GitError("remote %s: no directory %r in the repository" % (spec, spec.path))
        return root

    def _clone(self, spec: RepoSpec, dest: str) -> None:
        tmp = tempfile.mkdtemp(prefix=".clone-", dir=self.directory)
        env = {"GIT_ALLOW_PROTOCOL": ALLOWED_PROTOCOLS, "GIT_TERMINAL_PROMPT": "0",
               "GIT_ASKPASS": "", "SSH_ASKPASS": "", "GIT_CONFIG_NOSYSTEM": "1",
               "GIT_SSH_COMMAND": "ssh -oBatchMode=yes"}
        url, ref = spec.clone_url, spec.ref or "HEAD"
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
            raise GitError("remote %s: git could not fetch %s at %s: %s"
                           % (spec, redact(url), ref, _redact_text(msg))) from None
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise


def _redact_text(text: str) -> str:
    return re.sub(r"(?i)([a-z][a-z0-9+.-]*://[^/@:\s]*):[^/@\s]*@", r"\1:***@", text)
