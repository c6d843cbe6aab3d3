"""Command line: ``python -m pytest_kustomize build DIR`` with kustomize's build flags."""
from __future__ import annotations

import argparse
import sys

from .errors import KustomizeError

RESTRICTORS = {"LoadRestrictionsRootOnly": "rootOnly", "LoadRestrictionsNone": "none",
               "rootOnly": "rootOnly", "none": "none"}


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="pytest-kustomize",
                                description="Render and check Kustomize overlays.")
    sub = p.add_subparsers(dest="command", required=True)
    b = sub.add_parser("build", help="print the rendered YAML stream, like `kustomize build`")
    b.add_argument("dir", nargs="?", default=".", help="kustomization directory (default .)")
    b.add_argument("--load-restrictor", default="LoadRestrictionsRootOnly",
                   choices=sorted(RESTRICTORS), help="file access outside the root")
    b.add_argument("--reorder", default="legacy", choices=["legacy", "none"],
                   help="output order: kustomize's legacy kind order, or input order")
    b.add_argument("--enable-alpha-plugins", action="store_true")
    b.add_argument("--enable-managedby-label", action="store_true")
    b.add_argument("--enable-helm", action="store_true")
    b.add_argument("--helm-command", default="helm")
    b.add_argument("-o", "--output", help="write to this file instead of stdout")
    return p


def main(argv=None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "build":
        from . import build
        try:
            res = build(args.dir, load_restrictor=RESTRICTORS[args.load_restrictor],
                        reorder=args.reorder, enable_alpha_plugins=args.enable_alpha_plugins,
                        enable_managedby_label=args.enable_managedby_label,
                        enable_helm=args.enable_helm, helm_command=args.helm_command)
            text = res.to_yaml()
        except KustomizeError as e:
            print("Error: %s" % e, file=sys.stderr)
            return 1
        except RecursionError:
            print("Error: %s: structure nested too deeply" % args.dir, file=sys.stderr)
            return 1
        for w in res.warnings:
            print(w, file=sys.stderr)
        if args.output:
            with open(args.output, "w", encoding="utf-8") as f:
                f.write(text)
        else:
            sys.stdout.write(text)
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
