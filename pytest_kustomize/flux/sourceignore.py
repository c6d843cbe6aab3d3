""".sourceignore handling as fluxcd/pkg ``sourceignore`` (its go-git gitignore port) does it.

Paths are lists of components of an absolute path; a pattern read from ``dir/.sourceignore``
applies below ``dir`` (its *domain*). The last matching pattern decides; ``!`` re-includes.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from .envsubst_funcs import BadPattern, match as _path_match

IGNORE_FILE = ".sourceignore"
EXCLUDE_VCS = ".git/,.gitignore,.gitmodules,.gitattributes"
EXCLUDE_EXT = "*.jpg,*.jpeg,*.gif,*.png,*.wmv,*.flv,*.tar.gz,*.zip"
EXCLUDE_CI = (".github/,.circleci/,.travis.yml,.gitlab-ci.yml,appveyor.yml,.drone.yml,"
              "cloudbuild.yaml,codeship-services.yml,codeship-steps.yml")
EXCLUDE_EXTRA = "**/.goreleaser.yml,**/.sops.yaml,**/.flux.yaml"


def _fnmatch(pattern: str, name: str) -> bool | None:
    """filepath.Match for one path component (None for a bad pattern)."""
    try:
        return _path_match(pattern.encode(), name.encode())
    except BadPattern:
        return None


@dataclass
class Pattern:
    domain: tuple
    parts: list
    inclusion: bool = False
    dir_only: bool = False
    is_glob: bool = False

    @classmethod
    def parse(cls, p: str, domain) -> "Pattern":
        res = cls(tuple(domain), [])
        if p.startswith("!"):
            res.inclusion = True
            p = p[1:]
        if not p.endswith("\\ "):
            p = p.rstrip(" ")
        if p.endswith("/"):
            res.dir_only = True
            p = p[:-1]
        res.is_glob = "/" in p
        res.parts = p.split("/")
        return res

    def match(self, path: list, is_dir: bool) -> int:
        """0 no match, 1 exclude, 2 include."""
        d = self.domain
        if len(path) <= len(d) or tuple(path[:len(d)]) != d:
            return 0
        rest = path[len(d):]
        ok = self._glob(rest, is_dir) if self.is_glob else self._simple(rest, is_dir)
        if not ok:
            return 0
        return 2 if self.inclusion else 1

    def _simple(self, path: list, is_dir: bool) -> bool:
        for i, name in enumerate(path):
            m = _fnmatch(self.parts[0], name)
            if m is None:
                return False
            if not m:
                continue
            if self.dir_only and not is_dir and i == len(path) - 1:
                return False
            return True
        return False

    def _glob(self, path: list, is_dir: bool) -> bool:
        matched = False
        traverse = False
        for i, pat in enumerate(self.parts):
            if pat == "":
                traverse = False
                continue
            if pat == "**":
                if i == len(self.parts) - 1:
                    break
                traverse = True
                continue
            if "**" in pat:
                return False
            if not path:
                return False
            if traverse:
                traverse = False
                while path:
                    e, path = path[0], path[1:]
                    m = _fnmatch(pat, e)
                    if m is None:
                        return False
                    if m:
                        matched = True
                        break
                    if not path:
                        matched = False
            else:
                m = _fnmatch(pat, path[0])
                if not m:
                    return False
                matched = True
                path = path[1:]
        if matched and self.dir_only and not is_dir and not path:
            matched = False
        return matched


def read_patterns(text: str, domain) -> list:
    out = []
    for line in text.splitlines():
        if not line.startswith("#") and line.strip():
            out.append(Pattern.parse(line, domain))
    return out


def load_ignore_patterns(directory: str, domain: list) -> list:
    """Every ``.sourceignore`` at and below ``directory`` (``.git`` excepted)."""
    ps = []
    f = os.path.join(directory, IGNORE_FILE)
    if os.path.isfile(f):
        with open(f, encoding="utf-8", errors="surrogateescape") as fh:
            ps.extend(read_patterns(fh.read(), domain))
    for entry in sorted(os.scandir(directory), key=lambda e: e.name):
        if entry.is_dir() and entry.name != ".git":   # DirEntry.IsDir: symlinks are not
            if not entry.is_symlink():
                ps.extend(load_ignore_patterns(entry.path, domain + [entry.name]))
    return ps


def default_patterns(domain) -> list:
    words = (EXCLUDE_VCS + "," + EXCLUDE_EXT + "," + EXCLUDE_CI + "," + EXCLUDE_EXTRA)
    return [Pattern.parse(p, domain) for p in words.split(",")]


class Matcher:
    def __init__(self, patterns: list):
        self.patterns = patterns

    def match(self, path: list, is_dir: bool) -> bool:
        for p in reversed(self.patterns):
            r = p.match(path, is_dir)
            if r:
                return r == 1
        return False


def default_matcher(patterns: list, domain) -> Matcher:
    return Matcher(default_patterns(domain) + list(patterns))


def split(path: str) -> list:
    return path.split(os.sep)


def artifact_filter(root: str, spec_ignore: str | None = None):
    """source-controller's GitRepository archive filter for ``root``: a predicate
    ``excluded(abs_path, is_dir)`` over ``.sourceignore`` files, ``spec.ignore`` and the VCS
    patterns (Flux's default excludes only when there is no other pattern)."""
    domain = split(os.path.realpath(root))
    ps = load_ignore_patterns(os.path.realpath(root), domain)
    if spec_ignore is not None:
        ps += read_patterns(spec_ignore, domain)
    if ps:
        matcher = Matcher([Pattern.parse(p, domain) for p in EXCLUDE_VCS.split(",")] + ps)
    else:
        matcher = default_matcher([], domain)
    return lambda path, is_dir: matcher.match(split(path), is_dir)
