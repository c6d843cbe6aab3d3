"""pytest-kustomize: render Kustomize overlays in-process and test them with pytest."""
from __future__ import annotations

import os

from .engine import BuildOptions, build_resources
from .engine.deep import guarded
from .engine.resid import Gvk, ResId
from .errors import KustomizeError
from .query import QueryError
from .resources import Resource, Resources
from .sources import git as _git, remote as _remote

__all__ = ["build", "Resources", "Resource", "ResId", "Gvk", "KustomizeError", "QueryError"]
__version__ = "0.1.0"


def build(path: "str | os.PathLike", *, load_restrictor: str = "rootOnly",
          reorder: str = "legacy", enable_alpha_plugins: bool = False,
          enable_managedby_label: bool = False, enable_helm: bool = False,
          helm_command: str = "helm", fs=None, ref: str | None = None,
          remote=None, allow_remote_files: bool | None = None, memo=None) -> Resources:
    """Render the kustomization at ``path`` like ``kustomize build`` and return its resources.

    ``load_restrictor``: ``"rootOnly"`` (default) or ``"none"``; ``reorder``: ``"legacy"``
    (default, as ``kustomize build``) or ``"none"`` (input order); ``fs``: the
    ``engine.fs.FileSystem`` every file is read from (default: the disk); ``ref``: render
    as a checkout of this Git ref would (the commit's tree, work tree untouched); ``remote``:
    the loader hook serving remote bases (default: ``sources.remote.serve()``, a clone cache);
    ``allow_remote_files``: fetch ``https://…/x.yaml`` resources (default: refused, unless
    ``$PYTEST_KUSTOMIZE_REMOTE_FILES=allow``).
    ``memo``: an ``engine.memo.AccumulationMemo`` whose accumulated bases the builds that share
    it reuse (see :func:`pytest_kustomize.repo.build_all`).
    """
    opts = BuildOptions(load_restrictor=load_restrictor, reorder=reorder,
                        enable_alpha_plugins=enable_alpha_plugins,
                        enable_managedby_label=enable_managedby_label, enable_helm=enable_helm,
                        helm_command=helm_command)
    if ref is not None:
        fs = _git.GitTreeFS(_git.open_repo(os.fspath(path)), ref)
    if fs is not None:
        opts.fs = fs
    opts.remote = remote if remote is not None else _remote.serve(
        allow_files=allow_remote_files)
    opts.memo = memo
    res = guarded(os.fspath(path), build_resources, os.fspath(path), opts)
    out = Resources(res.items, opts.warnings, os.fspath(path), opts.patch_matches)
    out.inputs = sorted(opts.io.get("files_read", ())) + sorted(opts.io.get("dirs_read", ()))
    # helm, a remote root, exec plugins or another file system: inputs not all on this disk
    out.volatile = bool(opts.io.get("volatile") or enable_alpha_plugins or fs is not None)
    return out

