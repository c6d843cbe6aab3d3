"""``pytest-kustomize report``: a self-contained HTML report (htmlreport.py) of a diff of two
overlays or of a Flux tree, for a reviewer to open from a CI artifact."""
from __future__ import annotations

import sys

from . import build, htmlreport
from .diff import diff
from .errors import KustomizeError
from .flux.tree import build_tree


def add_parser(subparsers):
    r = subparsers.add_parser("report", help="write a self-contained HTML report of a diff of "
                              "two overlays or of a Flux tree")
    sub = r.add_subparsers(dest="report", required=True)
    d = sub.add_parser("diff", help="LEFT -> RIGHT: every added, removed and changed object")
    d.add_argument("left", metavar="LEFT", help="kustomization directory (before)")
    d.add_argument("right", metavar="RIGHT", help="kustomization directory (after)")
    d.add_argument("--ignore", action="append", default=[], metavar="PATH",
                   help="a field path not to report (Kind:path, fnmatch patterns); repeatable")
    f = sub.add_parser("flux", help="every Flux Kustomization of a cluster directory, its "
                       "objects and the dependsOn graph")
    f.add_argument("cluster", metavar="CLUSTER_DIR")
    f.add_argument("--root", default=".", help="the repository root (the GitRepository's "
                   "content; default .)")
    f.add_argument("--strict", action="store_true", help="strict postBuild substitution")
    for p in (d, f):
        p.add_argument("--html", required=True, metavar="FILE", help="the report to write")
        p.add_argument("--title", default=None)
    r.set_defaults(run=run)
    return r


def run(args) -> int:
    try:
        if args.report == "diff":
            result = diff(build(args.left), build(args.right), ignore=args.ignore,
                          name="%s → %s" % (args.left, args.right))
            text = htmlreport.diff_report(result, args.title or "pytest-kustomize diff")
            summary = result.summary()
        else:
            tree = build_tree(args.cluster, args.root, strict=args.strict)
            text = htmlreport.flux_tree_report(tree, args.title or "pytest-kustomize Flux "
                                               "tree", name=args.cluster)
            summary = "%d Kustomizations built, %d failed" % (len(tree.builds),
                                                             len(tree.errors))
    except KustomizeError as e:
        print("Error: %s" % e, file=sys.stderr)
        return 2
    try:
        htmlreport.write(args.html, text)
    except OSError as e:
        print("Error: cannot write %s: %s" % (args.html, e.strerror), file=sys.stderr)
        return 2
    print("%s: %s" % (args.html, summary), file=sys.stderr)
    return 0
