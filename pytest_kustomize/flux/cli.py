"""``python -m pytest_kustomize flux build NAME …``: what ``flux build kustomization`` prints.

  flux build NAME --path DIR --kustomization-file FILE [--dry-run] [--namespace NS]
      [--strict-substitute] [--ignore-paths P,…] [--values FILE]… [--root DIR]
      [--recursive --local-sources Kind/ns/name=path,…]
  flux build NAME --tree CLUSTER_DIR [--root REPO] [--local-sources …] [--values FILE]…

Without a cluster, ``substituteFrom`` is served from ``--values`` files (ConfigMaps and
Secrets); ``--dry-run`` skips it as the flux CLI does. Errors print ``✗ message`` and exit 1.
"""
from __future__ import annotations

import os
import sys

from ..errors import KustomizeError
from ..sources.remote import serve
from .build import build_kustomization, objects_to_yaml
from .objects import read_kustomization
from .tree import build_recursive, build_tree
from .varsub import Values


def add_parser(subparsers):
    p = subparsers.add_parser("flux", help="build Flux Kustomizations as kustomize-controller")
    sub = p.add_subparsers(dest="flux_command", required=True)
    b = sub.add_parser("build", help="print a Flux Kustomization's objects, as "
                                     "`flux build kustomization` does")
    b.add_argument("name", help="the Kustomization's name")
    b.add_argument("--path", help="the directory to build (the Kustomization's spec.path)")
    b.add_argument("--kustomization-file", help="a file holding the Flux Kustomization")
    b.add_argument("-n", "--namespace", default="flux-system")
    b.add_argument("--dry-run", action="store_true",
                   help="do not read substituteFrom (as the flux CLI's --dry-run)")
    b.add_argument("--strict-substitute", action="store_true",
                   help="fail on variables without a value or default")
    b.add_argument("--ignore-paths", default="", help="comma-separated .gitignore patterns")
    b.add_argument("--values", action="append", default=[], metavar="FILE",
                   help="YAML file of ConfigMaps/Secrets that substituteFrom reads")
    b.add_argument("--root", default=None,
                   help="the source root no file may escape (default: the Git work tree "
                        "holding --path, else unrestricted as the flux CLI)")
    b.add_argument("--recursive", "-r", action="store_true",
                   help="build child Kustomizations too (with --local-sources)")
    b.add_argument("--local-sources", default="", metavar="Kind/ns/name=path,…")
    b.add_argument("--tree", metavar="CLUSTER_DIR",
                   help="resolve the Kustomization in the tree of this cluster directory")
    b.set_defaults(run=run)
    return b


def _git_root(path: str) -> str:
    d = os.path.realpath(path)
    while True:
        if os.path.exists(os.path.join(d, ".git")):
            return d
        parent = os.path.dirname(d)
        if parent == d:
            return "/"
        d = parent


def _local_sources(text: str) -> dict:
    out = {}
    for item in filter(None, text.split(",")):
        key, sep, path = item.partition("=")
        if not sep:
            raise KustomizeError("--local-sources entry %r is not Kind/namespace/name=path"
                                 % item)
        out[key] = path
    return out


def run(args) -> int:
    try:
        text = render(args)
    except KustomizeError as e:
        print("✗ %s" % e, file=sys.stderr)
        return 1
    sys.stdout.write(text)
    return 0


def render(args) -> str:
    """What ``flux build`` prints for the parsed ``args`` (KustomizeError on failure)."""
    values = Values()
    for f in args.values:
        if not os.path.isfile(f):
            raise KustomizeError("invalid values file %r" % f)
        values.objects.update(Values.from_file(f).objects)
    local = _local_sources(args.local_sources)
    if args.tree:
        tree = build_tree(args.tree, args.root or ".", local_sources=local, values=values,
                          strict=args.strict_substitute, namespace=args.namespace)
        for problem in tree.problems:
            print("⚠ %s" % problem, file=sys.stderr)
        return tree.get(args.name, args.namespace).to_yaml()
    if not args.path or not os.path.isdir(args.path):
        raise KustomizeError("invalid resource path %r" % (args.path or ""))
    if not args.kustomization_file:
        raise KustomizeError("a --kustomization-file is required (the live Kustomization "
                             "would come from a cluster)")
    if not os.path.isfile(args.kustomization_file):
        raise KustomizeError("invalid kustomization file %r" % args.kustomization_file)
    ks = read_kustomization(args.kustomization_file, args.name, args.namespace)
    root = args.root or _git_root(args.path)
    ignore = "\n".join(p for p in args.ignore_paths.split(",") if p)
    if args.recursive:
        objects = build_recursive(ks, args.path, root, local, values=values,
                                  strict=args.strict_substitute, dry_run=args.dry_run,
                                  ignore=ignore, mask_sops=True, remote=serve())
        return objects_to_yaml(objects)
    build = build_kustomization(ks, args.path, root, values=values,
                                strict=args.strict_substitute, dry_run=args.dry_run,
                                ignore=ignore, mask_sops=True, remote=serve())
    for w in build.warnings:
        print("⚠ %s" % w, file=sys.stderr)
    return build.to_yaml()
