"""pytest wiring of the Git features: ``--kustomize-base-ref REF`` (ini ``kustomize_base_ref``),
the fixtures ``kustomize_base`` and ``kustomize_diff``, and a "diff against REF" section in the
terminal summary for every kustomization the session collected or rendered. An overlay whose
input files read the same at REF and in the work tree is not rendered twice."""
from __future__ import annotations

import os

import pytest

from .. import build
from ..engine.fs import DISK
from ..engine.loader import KUSTOMIZATION_FILE_NAMES
from ..errors import KustomizeError
from ..gitdiff import OverlayResult, diff_overlay
from ..sources.git import GitTreeFS, open_repo
from .options import option
from .render import renderer_for


def pytest_addoption(parser):
    group = parser.getgroup("kustomize-git", "pytest-kustomize Git diffs")
    group.addoption("--kustomize-base-ref", default=None, metavar="REF",
                    help="diff every overlay against this Git ref (origin/main) and report it "
                    "in the terminal summary; fixtures kustomize_base and kustomize_diff")
    parser.addini("kustomize_base_ref", "Git ref the overlays are diffed against", default="")


class BaseRenderer:
    """Renders overlays (relative to the kustomize root) as a checkout of ``ref`` would, and
    diffs them against the work tree; every result is cached for the session."""

    def __init__(self, renderer, ref: str):
        self.renderer, self.ref = renderer, ref
        self._trees: dict = {}
        self._diffs: dict = {}
        self._builds: dict = {}

    def _options(self, options: dict) -> dict:
        options.setdefault("load_restrictor", self.renderer.load_restrictor)
        options.setdefault("enable_helm", self.renderer.enable_helm)
        return options

    def tree(self, path: str) -> GitTreeFS:
        repo = open_repo(path)
        t = self._trees.get(repo.git_dir)
        if t is None:
            t = self._trees[repo.git_dir] = GitTreeFS(repo, self.ref)
        return t

    def build(self, overlay, **options):
        """The overlay's resources at the base ref."""
        full = os.path.realpath(self.renderer.path(overlay))
        opts = self._options(options)
        key = (full, tuple(sorted(opts.items())))
        if key not in self._builds:
            self._builds[key] = build(full, fs=self.tree(full), **opts)
        return self._builds[key]

    def diff(self, overlay, *, ignore=(), **options) -> OverlayResult:
        """Base ref -> work tree of one overlay (``.diff`` holds the objects)."""
        full = os.path.realpath(self.renderer.path(overlay))
        opts = self._options(options)
        key = (full, tuple(ignore), tuple(sorted(opts.items())))
        if key not in self._diffs:
            self._diffs[key] = diff_overlay(full, self.tree(full), None, ignore=ignore,
                                            name=os.path.relpath(full, self.renderer.root),
                                            **opts)
        return self._diffs[key]


_BASE = pytest.StashKey[BaseRenderer]()
_COLLECTED = pytest.StashKey[set]()


def base_ref(config) -> str | None:
    return option(config, "kustomize_base_ref")


def _base_renderer(config) -> BaseRenderer:
    b = config.stash.get(_BASE, None)
    if b is None:
        ref = base_ref(config)
        if ref is None:
            raise pytest.UsageError("kustomize_base / kustomize_diff need a base ref: "
                                    "--kustomize-base-ref REF or the kustomize_base_ref ini")
        try:
            b = BaseRenderer(renderer_for(config), ref)
            b.tree(b.renderer.root)
        except KustomizeError as e:
            raise pytest.UsageError("--kustomize-base-ref %s: %s" % (ref, e)) from None
        config.stash[_BASE] = b
    return b


@pytest.fixture(scope="session")
def kustomize_base(pytestconfig) -> BaseRenderer:
    """``kustomize_base.build("overlays/prod")``: the overlay as the base ref renders it."""
    return _base_renderer(pytestconfig)


@pytest.fixture(scope="session")
def kustomize_diff(pytestconfig):
    """``kustomize_diff("overlays/prod")``: the OverlayResult of base ref -> work tree (its
    ``.diff`` has ``added``, ``removed``, ``changed``; gates.py checks it)."""
    return _base_renderer(pytestconfig).diff


def pytest_collect_file(file_path, parent):
    """Remember every kustomization directory collected (for the summary)."""
    if file_path.name in KUSTOMIZATION_FILE_NAMES and base_ref(parent.config):
        parent.config.stash.setdefault(_COLLECTED, set()).add(str(file_path.parent))
    return None


def _is_component(path: str) -> bool:
    for n in KUSTOMIZATION_FILE_NAMES:
        p = os.path.join(path, n)
        if DISK.isfile(p):
            return b"kind: Component" in DISK.read_bytes(p)
    return False


def summary_overlays(config) -> list:
    """Kustomization directories to report: collected, rendered by tests, or diffed."""
    dirs = set(config.stash.get(_COLLECTED, ()))
    r = renderer_for(config)
    dirs.update(key[0] for key in getattr(r, "_cache", {}))
    b = config.stash.get(_BASE, None)
    if b is not None:
        dirs.update(key[0] for key in b._diffs)
    return sorted(os.path.realpath(d) for d in dirs if not _is_component(d))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    ref = base_ref(config)
    if ref is None:
        return
    tr = terminalreporter
    try:
        b = _base_renderer(config)
        overlays = summary_overlays(config)
    except pytest.UsageError as e:
        tr.write_sep("=", "kustomize diff against %s" % ref)
        tr.write_line(str(e), red=True)
        return
    tr.write_sep("=", "kustomize diff against %s (%d overlays)" % (ref, len(overlays)))
    affected = []
    for d in overlays:
        res = b.diff(d)
        if res.error:
            tr.write_line("%s: %s" % (res.path, res.summary()), red=True)
            continue
        note = "" if res.rebuilt else " (inputs unchanged, not rebuilt)"
        tr.write_line("%s: %s%s" % (res.path, res.summary(), note),
                      yellow=bool(res.diff), bold=bool(res.diff))
        if res.diff:
            affected.append(res.path)
            for x in res.diff.objects:
                sign = {"added": "+", "removed": "-", "changed": "~"}[x.status]
                tr.write_line("  %s %s" % (sign, x.label))
                for c in x.changes:
                    tr.write_line("      %s" % c)
    tr.write_line("overlays this change affects: %s" % (", ".join(affected) or "none"))
