"""Repositories with history, made by the tests, and a snapshot of everything a read-only Git
operation must leave alone (work tree, index, HEAD, refs, stash)."""
from __future__ import annotations

import hashlib
import os
import subprocess
import textwrap

GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}


class Repo:
    """A work tree with a Git repository, driven by the git command line."""

    def __init__(self, path: str):
        self.path = path
        os.makedirs(path, exist_ok=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args, check: bool = True) -> str:
        env = dict(os.environ, **GIT_ENV)
        r = subprocess.run(["git", *args], cwd=self.path, env=env, capture_output=True,
                           text=True, timeout=60)
        if check and r.returncode != 0:
            raise AssertionError("git %s failed: %s" % (" ".join(args), r.stderr))
        return r.stdout

    def write(self, files: dict) -> None:
        for rel, content in files.items():
            p = os.path.join(self.path, rel)
            if content is None:
                os.remove(p)
                continue
            os.makedirs(os.path.dirname(p), exist_ok=True)
            if isinstance(content, bytes):
                with open(p, "wb") as f:
                    f.write(content)
            else:
                with open(p, "w") as f:
                    f.write(textwrap.dedent(content))

    def link(self, rel: str, target: str) -> None:
        p = os.path.join(self.path, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        os.symlink(target, p)

    def commit(self, files: dict | None = None, message: str = "change") -> str:
        if files:
            self.write(files)
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()

    def checkout_copy(self, ref: str, dest: str) -> str:
        """A checkout of ``ref`` in another directory (a clone: this repository is untouched)."""
        subprocess.run(["git", "clone", "-q", "--no-checkout", self.path, dest], check=True,
                       env=dict(os.environ, **GIT_ENV), timeout=60)
        sha = self.git("rev-parse", ref + "^{commit}").strip()
        subprocess.run(["git", "-C", dest, "checkout", "-q", sha], check=True,
                       env=dict(os.environ, **GIT_ENV), timeout=60)
        return dest


def snapshot(path: str) -> dict:
    """Bytes of every file below ``path`` (``.git`` included: index, HEAD, refs, stash) and
    every symlink target; modification times of the index and HEAD too."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(path):
        dirnames.sort()
        for name in sorted(filenames + [d for d in dirnames
                                        if os.path.islink(os.path.join(dirpath, d))]):
            p = os.path.join(dirpath, name)
            rel = os.path.relpath(p, path)
            if os.path.islink(p):
                out[rel] = ("link", os.readlink(p))
            else:
                with open(p, "rb") as f:
                    out[rel] = ("file", hashlib.sha256(f.read()).hexdigest(),
                                os.stat(p).st_mode)
    for special in (".git/index", ".git/HEAD"):
        p = os.path.join(path, special)
        if os.path.exists(p):
            out[special + "@mtime"] = os.stat(p).st_mtime_ns
    return out
