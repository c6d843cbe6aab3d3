"""``build --all ROOT``: every kustomization directory under ROOT, one section each.

Each section starts with a line ``### <directory relative to ROOT>`` followed by exactly what
``kustomize build`` prints for it; a directory that fails gets ``### <dir>: Error: <message>``
(also on stderr) and the others go on. The summary goes to stderr; the exit status is 1 when
any directory failed."""
from __future__ import annotations

import os
import sys

from .errors import KustomizeError
from .rendercache import RenderCache, default_dir
from .repo import RepoRenderer, kustomization_dirs

SEPARATOR = "### "


def build_all_command(args, restrictor: str) -> int:
    root = args.dir
    if not os.path.isdir(root):
        print("Error: build --all: %s is not a directory" % root, file=sys.stderr)
        return 1
    cache = None if args.no_cache else RenderCache(args.cache_dir or default_dir())
    rr = RepoRenderer(cache)
    options = dict(load_restrictor=restrictor, reorder=args.reorder,
                   enable_alpha_plugins=args.enable_alpha_plugins,
                   enable_managedby_label=args.enable_managedby_label,
                   enable_helm=args.enable_helm, helm_command=args.helm_command)
    try:
        out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
    except OSError as e:
        print("Error: cannot write %s: %s" % (args.output, e.strerror), file=sys.stderr)
        return 1
    failed = total = 0
    try:
        for d in kustomization_dirs(root):
            total += 1
            rel = os.path.relpath(d, root)
            try:
                text, warnings, _ = rr.build_text(d, **options)
            except KustomizeError as e:
                failed += 1
                msg = "%s%s: Error: %s\n" % (SEPARATOR, rel, e)
                out.write(msg)
                sys.stderr.write(msg[len(SEPARATOR):])
                continue
            out.write("%s%s\n" % (SEPARATOR, rel))
            out.write(text)
            for w in warnings:
                print("%s: %s" % (rel, w), file=sys.stderr)
    finally:
        if out is not sys.stdout:
            out.close()
    print("pytest-kustomize: %d directories: %s, %d failed"
          % (total, rr.summary(), failed), file=sys.stderr)
    return 1 if failed or total == 0 else 0
