"""``pytest-kustomize diff --base REF [--head REF] DIR...`` (exit 0 no change, 1 changes,
2 errors, as ``flux diff``) and the ``--ref`` option of ``build``."""
from __future__ import annotations

import argparse
import os
import sys

from .errors import KustomizeError

FORMATS = ("text", "markdown", "json", "html")


def add_parser(subparsers) -> argparse.ArgumentParser:
    d = subparsers.add_parser(
        "diff", help="what a change between two Git refs does to the rendered overlays "
        "(exit 0 no change, 1 changes, 2 errors)")
    d.add_argument("dirs", nargs="+", metavar="DIR", help="kustomization directories")
    d.add_argument("--base", required=True, help="the ref to compare against (origin/main)")
    d.add_argument("--head", default=None, help="the ref with the change (default: the work "
                   "tree, uncommitted changes included)")
    d.add_argument("-o", "--output", choices=FORMATS, default="text",
                   help="text (colored on a terminal), markdown (a PR comment), json, or html "
                   "(a self-contained report, docs/reports.md)")
    d.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    d.add_argument("--ignore", action="append", default=[], metavar="PATH",
                   help="a field path not to report (Kind:path, fnmatch patterns); repeatable")
    d.add_argument("--load-restrictor", default="rootOnly",
                   choices=["LoadRestrictionsRootOnly", "LoadRestrictionsNone", "rootOnly",
                            "none"])
    d.add_argument("--enable-helm", action="store_true")
    d.set_defaults(run=run)
    return d


def add_ref_option(build_parser: argparse.ArgumentParser) -> None:
    """``build --ref REF``: render the directory as a checkout of REF would."""
    build_parser.add_argument("--ref", default=None,
                              help="render DIR as a checkout of this Git ref would, without "
                              "touching the work tree")


def run(args) -> int:
    restrictor = "none" if args.load_restrictor in ("none", "LoadRestrictionsNone") \
        else "rootOnly"
    from .gitdiff import diff_refs      # lazy: `build` needs only add_ref_option from here
    try:
        result = diff_refs(args.dirs, args.base, args.head, ignore=args.ignore,
                           load_restrictor=restrictor, enable_helm=args.enable_helm)
    except KustomizeError as e:
        print("Error: %s" % e, file=sys.stderr)
        return 2
    if args.output == "json":
        sys.stdout.write(result.to_json())
    elif args.output == "markdown":
        sys.stdout.write(result.to_markdown())
    elif args.output == "html":
        from . import htmlreport     # lazy: the report code is not part of a build
        sys.stdout.write(htmlreport.diff_report(result, "pytest-kustomize diff %s..%s"
                                                % (args.base, args.head or "work tree")))
    else:
        color = args.color == "always" or (args.color == "auto" and sys.stdout.isatty()
                                           and not os.environ.get("NO_COLOR"))
        sys.stdout.write(result.to_text(color=color))
    for o in result.errors:
        print("Error: %s: %s" % (o.path, o.error), file=sys.stderr)
    return result.exit_code
