"""Flux Kustomizations and Flux trees at a Git ref, as on a checkout of that ref.

The Flux layer reads a source root as source-controller hands it to the controller: a
directory. So a commit's tree is written, blob by blob through GitPython, into a private
directory (symlinks as symlinks, executables as such, a submodule as an empty directory) —
the user's work tree, index, HEAD and stash are never touched — and built there. One copy
per (repository, commit), reused, removed at exit.

``at_ref(path, ref)`` maps a path of the work tree to the same path in the copy;
``build_flux_at`` and ``build_tree_at`` are ``flux.build_kustomization`` and
``flux.tree.build_tree`` at a ref.
"""
from __future__ import annotations

import atexit
import os
import shutil
import stat
import sys
import tempfile

from .errors import KustomizeError
from .flux import build_kustomization, cli as flux_cli, read_kustomization
from .flux.tree import build_tree
from .sources.git import GitError, open_repo, resolve_commit

_COPIES: dict = {}


def _write_tree(tree, dest: str) -> None:
    os.makedirs(dest, exist_ok=True)
    for item in tree:
        target = os.path.join(dest, item.name)
        if item.type == "tree":
            _write_tree(item, target)
        elif item.type == "submodule" or item.type == "commit":
            os.makedirs(target, exist_ok=True)
        elif item.mode == 0o120000:
            os.symlink(item.data_stream.read().decode("utf-8", "surrogateescape"), target)
        else:
            with open(target, "wb") as f:
                f.write(item.data_stream.read())
            if item.mode & 0o111:
                os.chmod(target, os.stat(target).st_mode | stat.S_IXUSR | stat.S_IXGRP
                         | stat.S_IXOTH)


def checkout(path: "str | os.PathLike", ref: str) -> tuple[str, str]:
    """(the work tree holding ``path``, a private copy of ``ref``'s tree of that repository)."""
    repo = open_repo(path)
    work = os.path.realpath(repo.working_tree_dir)
    commit = resolve_commit(repo, ref)
    key = (repo.git_dir, commit)
    if key not in _COPIES:
        tmp = tempfile.mkdtemp(prefix="pytest-kustomize-ref-")
        atexit.register(shutil.rmtree, tmp, True)
        copy = os.path.join(tmp, os.path.basename(work) or "repo")
        try:
            _write_tree(repo.commit(commit).tree, copy)
        except (OSError, ValueError) as e:
            raise GitError("cannot read the tree of %s (%s): %s" % (ref, commit[:12], e)) \
                from None
        _COPIES[key] = copy
    return work, _COPIES[key]


def at_ref(path: "str | os.PathLike", ref: str, *, repo_of: "str | None" = None) -> str:
    """``path`` (in a Git work tree) as it is in the copy of ``ref``'s tree; a path outside
    the work tree (of ``repo_of``, default ``path`` itself) is returned unchanged."""
    p = os.path.realpath(os.fspath(path))
    probe = repo_of or (p if os.path.isdir(p) else os.path.dirname(p))
    while not os.path.exists(probe):
        probe = os.path.dirname(probe)
    work, copy = checkout(probe, ref)
    if p == work:
        return copy
    if p.startswith(work.rstrip(os.sep) + os.sep):
        return os.path.join(copy, os.path.relpath(p, work))
    return p


def unmap(text: str, work: str, copy: str) -> str:
    """An error message or path of the copy, read as the work tree's."""
    return text.replace(copy, work)


def build_flux_at(ref: str, kustomization_file: str, name: str, *, path: str | None = None,
                  root: str | None = None, namespace: str = "flux-system", **options):
    """``build_kustomization`` of the Kustomization in ``kustomization_file`` as a checkout
    of ``ref`` would build it: the file, ``path`` (default: the Kustomization's
    ``spec.path`` from ``root``) and ``root`` (default: the work tree) are read at ``ref``."""
    work, copy = checkout(kustomization_file, ref)
    try:
        ks = read_kustomization(at_ref(kustomization_file, ref, repo_of=work), name,
                                namespace)
        r = at_ref(root, ref, repo_of=work) if root else copy
        where = at_ref(path, ref, repo_of=work) if path else os.path.join(
            r, ks.spec.get("path") or ".")
        return build_kustomization(ks, where, r, **options)
    except KustomizeError as e:
        raise _unmapped(e, work, copy) from None


def build_tree_at(ref: str, cluster_dir: str, root: str | None = None, **options):
    """``build_tree`` of ``cluster_dir`` (and the source ``root``, default: the work tree)
    as a checkout of ``ref`` holds them; ``local_sources`` paths in the work tree are read
    at ``ref`` too."""
    work, copy = checkout(cluster_dir, ref)
    local = options.pop("local_sources", None) or {}
    local = {k: at_ref(v, ref, repo_of=work) for k, v in local.items()}
    try:
        tree = build_tree(at_ref(cluster_dir, ref, repo_of=work),
                          at_ref(root, ref, repo_of=work) if root else copy,
                          local_sources=local, **options)
    except KustomizeError as e:
        raise _unmapped(e, work, copy) from None
    tree.errors = {k: unmap(v, work, copy) for k, v in tree.errors.items()}
    tree.problems = [unmap(p, work, copy) for p in tree.problems]
    return tree


def _unmapped(e: KustomizeError, work: str, copy: str) -> KustomizeError:
    e.message = unmap(e.message, work, copy)
    if e.file:
        e.file = unmap(str(e.file), work, copy)
    e.args = (str(e),)
    return e


# -- `flux build … --ref REF` ----------------------------------------------------------------
def add_ref_option(build_parser) -> None:
    """``flux build … --ref REF``: read every path of the work tree as a checkout of REF."""
    build_parser.add_argument("--ref", default=None,
                              help="build as a checkout of this Git ref would, without "
                              "touching the work tree")
    build_parser.set_defaults(run=run_cli)


def run_cli(args) -> int:
    if not args.ref:
        return flux_cli.run(args)
    try:
        anchor = args.tree or args.path or args.kustomization_file or "."
        work, copy = checkout(anchor, args.ref)
        for name in ("path", "kustomization_file", "root", "tree"):
            if getattr(args, name):
                setattr(args, name, at_ref(getattr(args, name), args.ref, repo_of=work))
        if args.tree and not args.root:
            args.root = at_ref(".", args.ref, repo_of=work)
        if args.path and not args.root:
            args.root = copy
        args.values = [at_ref(v, args.ref, repo_of=work) for v in args.values]
        if args.local_sources:
            args.local_sources = ",".join(
                "%s=%s" % (k, at_ref(v, args.ref, repo_of=work)) for k, _, v in
                (item.partition("=") for item in args.local_sources.split(",") if item))
        text = flux_cli.render(args)
    except KustomizeError as e:
        msg = str(e)
        if "copy" in locals():
            msg = unmap(msg, work, copy)
        print("\u2717 %s" % msg, file=sys.stderr)
        return 1
    sys.stdout.write(text)
    return 0
