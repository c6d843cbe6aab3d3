"""Which paths kustomize treats as remote: a Git repository spec for roots (``resources``,
``components``, the build target) and an http(s) URL for files.

``parse_repo_spec`` follows the rules of kustomize's repo-spec parser (v5.5–v5.8): an optional
``git::`` prefix; a scheme among ``ssh://``, ``https://``, ``http://``, ``file://`` (any case);
or scp style (``user@host:org/repo``, ``github.com:org/repo``) when a user name or the GitHub
host is given; then the repository path, split from the path inside it by ``_git/``, ``//`` or
``.git``, else after two segments (all of them for ``file://``); ``?ref=``/``version=``,
``timeout=``, ``submodules=``. Anything else is a local path, as in kustomize
(``gitlab.com/org/repo`` without a scheme is a directory name).
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from urllib.parse import parse_qs

SCHEMES = ("ssh://", "https://", "http://", "file://")
DEFAULT_TIMEOUT = 27.0   # seconds, kustomize's clone timeout
_USER = re.compile(r"^([a-zA-Z][a-zA-Z0-9-]*)@")
_DURATION = re.compile(r"^(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


@dataclass(frozen=True)
class RepoSpec:
    """A remote Git root as kustomize reads it."""
    raw: str                    # as written in the kustomization
    host: str                   # scheme + user + host, e.g. 'https://github.com/', 'git@host:'
    repo_path: str              # 'org/repo' ('/abs/path' for file://)
    path: str = ""              # the directory inside the repository ('' for the top)
    ref: str = ""
    timeout: float = DEFAULT_TIMEOUT
    submodules: bool = True

    @property
    def clone_spec(self) -> str:
        """What ``git clone`` is given."""
        return self.host + self.repo_path


def parse_repo_spec(spec: str) -> RepoSpec | None:
    """The repository ``spec`` names, or None when kustomize would read it as a local path."""
    if not isinstance(spec, str) or spec.startswith("/"):
        return None
    rest, _, query = spec.partition("?")
    ref, timeout, submodules = _query(query)
    host_rest = _host(rest)
    if host_rest is None:
        return None
    host, rest = host_rest
    parts = _path_parts(rest, all_segments=host.startswith("file://"))
    if parts is None:
        return None
    return RepoSpec(spec, host, parts[0], parts[1], ref, timeout, submodules)


def is_remote_file(path: str) -> bool:
    """True for an http(s) URL, which kustomize downloads instead of reading a file."""
    m = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", path)
    return bool(m) and m.group(1).lower() in ("http", "https")


def _trim(s: str, prefix: str) -> tuple[str, bool]:
    if s[:len(prefix)].lower() == prefix:
        return s[len(prefix):], True
    return s, False


def _host(n: str) -> tuple[str, str] | None:
    n, _ = _trim(n, "git::")
    scheme = ""
    for prefix in SCHEMES:
        n, found = _trim(n, prefix)
        if found:
            scheme = prefix
            break
    m = _USER.match(n)
    user = m.group(0) if m else ""
    n = n[len(user):]
    github = n.lower().startswith(("github.com/", "github.com:"))
    scp = scheme == "" and (user != "" or github)
    if scheme == "" and not scp:
        return None
    if scheme == "file://":
        return scheme, user + n
    sep = n.find("/")
    if scp:
        colon = n.find(":")
        if sep == -1 or 0 < colon < sep:
            sep = colon
    host, rest = (n[:sep + 1], n[sep + 1:]) if sep >= 0 else (n, "")
    if github:
        if scheme.startswith("ssh://") or user:
            scheme, host = "", "github.com:"
        else:
            scheme, user, host = "https://", "", "github.com/"
    if host == "":
        return None
    return scheme + user + host, rest


def _path_parts(n: str, all_segments: bool) -> tuple[str, str] | None:
    i = n.find("_git/")
    if i >= 0:
        head, tail = n[:i + 5], n[i + 5:].split("/")
        repo, path = head + tail[0], "/".join(tail[1:])
    elif "//" in n:
        repo, path = n.split("//", 1)
    elif ".git" in n:
        i = n.index(".git") + 4
        repo, path = n[:i], n[i:]
    elif all_segments:
        repo, path = n, ""
    else:
        segs = n.split("/")
        if len(segs) < 2:
            return None
        repo, path = "/".join(segs[:2]), "/".join(segs[2:])
    if not repo:
        return None
    trimmed = path[1:] if path.startswith("/") else path
    cleaned = posixpath.normpath(trimmed or ".")
    if cleaned.split("/")[0] == "..":
        return None
    return repo, trimmed


def _query(query: str) -> tuple[str, float, bool]:
    """ref, timeout and submodules of the query string (defaults when it does not parse)."""
    if ";" in query:        # Go's url.ParseQuery refuses semicolons
        return "", DEFAULT_TIMEOUT, True
    try:
        values = parse_qs(query, keep_blank_values=True, strict_parsing=False,
                          errors="strict")
    except (ValueError, UnicodeDecodeError):
        return "", DEFAULT_TIMEOUT, True
    first = {k: v[0] for k, v in values.items()}
    ref = first.get("ref") or first.get("version", "")
    timeout = DEFAULT_TIMEOUT
    t = first.get("timeout", "")
    if t:
        if t.isdigit() and int(t) > 0:
            timeout = float(t)
        else:
            d = _duration(t)
            if d is not None and d > 0:
                timeout = d
    submodules = True
    s = first.get("submodules", "")
    if s in ("1", "t", "T", "TRUE", "true", "True"):
        submodules = True
    elif s in ("0", "f", "F", "FALSE", "false", "False"):
        submodules = False
    return ref, timeout, submodules


def _duration(text: str) -> float | None:
    """Go's time.ParseDuration for positive values ('90s', '1m30s', '1.5h')."""
    total, rest = 0.0, text
    if not rest:
        return None
    while rest:
        m = _DURATION.match(rest)
        if not m:
            return None
        total += float(m.group(1)) * _UNITS[m.group(2)]
        rest = rest[m.end():]
    return total
