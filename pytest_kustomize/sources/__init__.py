"""Where a kustomization's files come from besides the work tree: a commit of a Git repository
(``git.GitTreeFS``) and remote bases (``remote``)."""
from __future__ import annotations

import importlib


class LazyModule:
    """A module imported on first attribute access: GitPython costs ~150 ms of imports, which
    a render that never reads a commit or a remote base (and the CLI's build) should not pay."""

    def __init__(self, name: str):
        self._name = name

    def __getattr__(self, attr: str):
        return getattr(importlib.import_module(self._name), attr)


gitpython = LazyModule("git")
gitpython_fun = LazyModule("git.objects.fun")
