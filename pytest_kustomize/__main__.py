"""Command line: ``python -m pytest_kustomize build DIR`` with kustomize's build flags."""
from __future__ import annotations

import argparse
import sys

from . import git_cli, install_cli, progress
from . import build
from .errors import KustomizeError

RESTRICTORS = {"LoadRestrictionsRootOnly": "rootOnly", "LoadRestrictionsNone": "none",
               "rootOnly": "rootOnly", "none": "none"}


def _parser(full: bool = True) -> argparse.ArgumentParser:
    """The command line; ``full=False``: only ``build`` (what a CI script calling it per
    directory runs), without importing the validation and Flux code the other commands need."""
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
    b.add_argument("--all", action="store_true",
                   help="render every kustomization directory under DIR (one section each)")
    b.add_argument("--no-cache", action="store_true",
                   help="with --all: do not use the persistent render cache")
    b.add_argument("-j", "--jobs", type=int, default=1, metavar="N",
                   help="with --all: render in N processes (0: one per CPU; default 1)")
    b.add_argument("--cache-dir", default=None,
                   help="with --all: render cache directory (default $PYTEST_KUSTOMIZE_CACHE_DIR "
                   "or ~/.cache/pytest-kustomize/renders)")
    git_cli.add_ref_option(b)
    b.add_argument("--allow-remote-files", action="store_true", default=None,
                   help="fetch http(s) resource files (default: refused)")
    if full:
        _add_parsers(sub)
    return p


def _add_parsers(sub) -> None:
    from . import gitflux, report_cli
    from .flux import cli as flux_cli
    from .validation.schemas import DEFAULT_KUBERNETES_VERSION
    v = sub.add_parser("validate", help="render each overlay and validate it against the "
                       "Kubernetes JSON schemas (offline); exit 1 when anything is invalid")
    v.add_argument("dirs", nargs="+", metavar="DIR", help="kustomization directories")
    v.add_argument("--strict", action="store_true", help="reject unknown fields")
    v.add_argument("--kubernetes-version", default=None,
                   help="X.Y or X.Y.Z (default %s)" % DEFAULT_KUBERNETES_VERSION)
    v.add_argument("--skip-kinds", default="",
                   help="comma-separated kinds (or apiVersion/kind) not to validate")
    v.add_argument("--crds", action="append", default=[], metavar="PATH",
                   help="CRD file or directory whose custom resources get schemas")
    v.add_argument("--schema-location", action="append", default=[], metavar="TEMPLATE",
                   help="extra local schema location (kubeconform template or directory)")
    v.add_argument("--missing-schemas", choices=["warn", "error"], default="warn",
                   help="a resource without a schema: warning (default) or error")
    v.add_argument("--validator", choices=["auto", "kubeconform", "jsonschema"],
                   default="auto", help="auto: kubeconform when installed")
    v.add_argument("--load-restrictor", default="LoadRestrictionsRootOnly",
                   choices=sorted(RESTRICTORS))
    v.add_argument("--enable-helm", action="store_true")
    git_cli.add_parser(sub)
    gitflux.add_ref_option(flux_cli.add_parser(sub))
    install_cli.add_parser(sub)
    report_cli.add_parser(sub)


def _validate(args) -> int:
    from .validation import validate
    failed = False
    for d in args.dirs:
        try:
            res = build(d, load_restrictor=RESTRICTORS[args.load_restrictor],
                        enable_helm=args.enable_helm)
            report = validate(res, kubernetes_version=args.kubernetes_version,
                              strict=args.strict,
                              skip_kinds=[k for k in args.skip_kinds.split(",") if k],
                              ignore_missing_schemas=args.missing_schemas == "warn",
                              schema_locations=args.schema_location, crds=args.crds,
                              validator=args.validator)
        except KustomizeError as e:
            print("%s: Error: %s" % (d, e))
            failed = True
            continue
        for r in report.invalid:
            for line in r.lines():
                print("%s: %s" % (d, line))
        for r in report.skipped:
            if r.message.startswith("no schema"):
                for line in r.lines():
                    print("%s: warning: %s" % (d, line), file=sys.stderr)
        print("%s: %s" % (d, report.summary()), file=sys.stderr)
        failed = failed or not report.ok
    return 1 if failed else 0


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _parser(full=argv[:1] != ["build"]).parse_args(argv)
    if sys.stderr.isatty():     # a live progress line of long operations (progress.py)
        progress.listen(progress.stream_listener(sys.stderr))
    try:
        return _run(args)
    except KustomizeError as e:
        print("Error: %s" % e, file=sys.stderr)
        return 1
    except Exception as e:      # the boundary: never a traceback
        print("Error: internal error (%s: %s); please report it with this input"
              % (type(e).__name__, e), file=sys.stderr)
        return 1


def _run(args) -> int:
    if getattr(args, "run", None) is not None:
        return args.run(args)
    if args.command == "validate":
        return _validate(args)
    if args.command == "build" and args.all:
        from . import repo_cli
        return repo_cli.build_all_command(args, RESTRICTORS[args.load_restrictor])
    if args.command == "build":
        try:
            res = build(args.dir, ref=args.ref, load_restrictor=RESTRICTORS[args.load_restrictor],
                        reorder=args.reorder, enable_alpha_plugins=args.enable_alpha_plugins,
                        enable_managedby_label=args.enable_managedby_label,
                        enable_helm=args.enable_helm, helm_command=args.helm_command,
                        allow_remote_files=args.allow_remote_files)
            text = res.to_yaml()
        except KustomizeError as e:
            print("Error: %s" % e, file=sys.stderr)
            return 1
        for w in res.warnings:
            print(w, file=sys.stderr)
        if args.output:
            try:
                with open(args.output, "w", encoding="utf-8") as f:
                    f.write(text)
            except OSError as e:
                print("Error: cannot write %s: %s" % (args.output, e.strerror), file=sys.stderr)
                return 1
        else:
            sys.stdout.write(text)
        return 0
    return 2


def cli() -> None:
    """The ``pytest-kustomize`` command: :func:`main`, then exit keeping the collector from
    scanning, at interpreter shutdown, every object the command made (a quarter of a
    315-directory ``build --all``): they are freed all the same."""
    code = main()
    import gc
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":
    cli()
