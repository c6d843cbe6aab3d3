"""``build --all ROOT``: every kustomization directory under ROOT, one section each.

Each section starts with a line ``### <directory relative to ROOT>`` followed by exactly what
``kustomize build`` prints for it; a directory that fails gets ``### <dir>: Error: <message>``
(also on stderr) and the others go on. The summary goes to stderr; the exit status is 1 when
any directory failed. ``--jobs N`` renders in N forked processes (each with its own memo of
accumulated bases, sharing the persistent cache) and writes the sections in the same order."""
from __future__ import annotations

import os
import sys

from .errors import KustomizeError
from .rendercache import RenderCache, default_dir
from .repo import RepoRenderer, kustomization_dirs, render_counts

SEPARATOR = "### "


def build_all_command(args, restrictor: str) -> int:
    root = args.dir
    if not os.path.isdir(root):
        print("Error: build --all: %s is not a directory" % root, file=sys.stderr)
        return 1
    jobs = args.jobs if args.jobs > 0 else (os.cpu_count() or 1)
    cache_dir = None if args.no_cache else (args.cache_dir or default_dir())
    options = dict(load_restrictor=restrictor, reorder=args.reorder,
                   enable_alpha_plugins=args.enable_alpha_plugins,
                   enable_managedby_label=args.enable_managedby_label,
                   enable_helm=args.enable_helm, helm_command=args.helm_command)
    if args.allow_remote_files is not None:
        options["allow_remote_files"] = args.allow_remote_files
    try:
        out = open(args.output, "w", encoding="utf-8") if args.output else sys.stdout
    except OSError as e:
        print("Error: cannot write %s: %s" % (args.output, e.strerror), file=sys.stderr)
        return 1
    dirs = kustomization_dirs(root)
    failed = rendered = from_cache = 0
    try:
        for rel, text, warnings, cached, error in _results(root, dirs, cache_dir, options,
                                                            jobs):
            if error is not None:
                failed += 1
                msg = "%s%s: Error: %s\n" % (SEPARATOR, rel, error)
                out.write(msg)
                sys.stderr.write(msg[len(SEPARATOR):])
                continue
            from_cache += cached
            rendered += not cached
            out.write("%s%s\n" % (SEPARATOR, rel))
            out.write(text)
            for w in warnings:
                print("%s: %s" % (rel, w), file=sys.stderr)
    finally:
        if out is not sys.stdout:
            out.close()
    print("pytest-kustomize: %d directories: %s, %d failed"
          % (len(dirs), render_counts(rendered, from_cache), failed), file=sys.stderr)
    return 1 if failed or not dirs else 0


def _results(root: str, dirs: list, cache_dir, options: dict, jobs: int):
    """(rel, text, warnings, from_cache, error message or None) per directory, in order."""
    if jobs <= 1 or len(dirs) < 2:
        _start_worker(cache_dir, options)
        for d in dirs:
            yield _render((root, d))
        return
    import multiprocessing          # only for -j: kept off the start-up of one process
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    jobs = min(jobs, len(dirs))
    # contiguous chunks keep the overlays of one base together (its memo is per process)
    chunk = max(1, min(16, len(dirs) // (jobs * 4)))
    pool = ctx.Pool(jobs, initializer=_start_worker, initargs=(cache_dir, options))
    try:
        yield from pool.imap(_render, [(root, d) for d in dirs], chunksize=chunk)
        pool.close()
    finally:
        pool.terminate()
        pool.join()


_worker: dict = {}


def _start_worker(cache_dir, options: dict) -> None:
    _worker["rr"] = RepoRenderer(RenderCache(cache_dir) if cache_dir else None)
    _worker["options"] = options


def _render(item: tuple) -> tuple:
    root, d = item
    rel = os.path.relpath(d, root)
    try:
        text, warnings, cached = _worker["rr"].build_text(d, **_worker["options"])
    except KustomizeError as e:
        return rel, None, [], False, str(e)
    return rel, text, [str(w) for w in warnings], cached, None
