"""``--kustomize-html=FILE`` (ini ``kustomize_html``): at the end of the session, one
self-contained HTML report (htmlreport.py) of every Flux tree the session built, every
overlay's diff against ``--kustomize-base-ref``, and what tests added through the
``kustomize_html_report`` fixture (``.add_diff(heading, diff)``, ``.add_flux_tree(heading,
tree)``). The terminal summary names the file."""
from __future__ import annotations

import os

import pytest

from .. import htmlreport
from ..diff import OverlayDiff
from ..errors import KustomizeError
from . import flux as flux_hooks
from . import git as git_hooks
from .options import option

_PARTS = pytest.StashKey[list]()


def pytest_addoption(parser):
    group = parser.getgroup("kustomize-report", "pytest-kustomize HTML report")
    group.addoption("--kustomize-html", default=None, metavar="FILE",
                    help="write a self-contained HTML report (Flux trees, diffs against the "
                    "base ref, what tests add) to FILE")
    parser.addini("kustomize_html", "HTML report file (relative to the rootdir)", default="")


class HtmlReport:
    """The ``kustomize_html_report`` fixture: parts added by tests, in order."""

    def __init__(self, config):
        self.parts = config.stash.setdefault(_PARTS, [])

    def add_diff(self, heading: str, diff) -> None:
        """An OverlayDiff (diff()), an OverlayResult (kustomize_diff) or a gitdiff.RefDiff."""
        self.parts.append((heading, "diff", diff))

    def add_flux_tree(self, heading: str, tree) -> None:
        self.parts.append((heading, "flux", tree))


@pytest.fixture(scope="session")
def kustomize_html_report(pytestconfig) -> HtmlReport:
    return HtmlReport(pytestconfig)


def _path(config) -> str | None:
    p = option(config, "kustomize_html")
    if not p:
        return None
    return p if os.path.isabs(p) else os.path.join(
        str(config.invocation_params.dir if config.getoption("kustomize_html") else
            config.rootpath), p)


def _parts(config) -> list:
    parts = []
    helper = flux_hooks.FluxHelper(config)
    for line in config.getini("kustomize_flux_trees"):    # built here too under xdist
        fields = line.split()
        if fields:
            try:
                helper.tree(*fields[:2])
            except KustomizeError as e:
                parts.append(("Flux tree %s" % fields[0], "diff", _Failed(str(e))))
    for key, tree in flux_hooks.trees(config).items():
        parts.append(("Flux tree %s%s" % (os.path.relpath(key[0], str(config.rootpath)),
                                          " (strict substitution)" if key[2] else ""),
                      "flux", tree))
    if git_hooks.base_ref(config):
        try:
            b = git_hooks._base_renderer(config)
            for d in git_hooks.summary_overlays(config):
                parts.append(("%s vs %s" % (os.path.relpath(d, str(config.rootpath)),
                                            b.ref), "diff", b.diff(d)))
        except (pytest.UsageError, KustomizeError) as e:
            parts.append(("diff against %s" % git_hooks.base_ref(config), "diff",
                          _Failed(str(e))))
    return parts + list(config.stash.get(_PARTS, []))


class _Failed:
    """A part that could not be made: shown as an error section."""

    def __init__(self, error: str):
        self.path, self.error = "", error
        self.diff = OverlayDiff()

    def summary(self) -> str:
        return "error: " + self.error


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter, exitstatus, config):
    path = _path(config)
    if path is None or hasattr(config, "workerinput"):
        return
    parts = _parts(config)
    htmlreport.write(path, htmlreport.combined_report(parts))
    terminalreporter.write_sep("-", "kustomize HTML report: %s (%d part%s)" % (
        path, len(parts), "" if len(parts) == 1 else "s"))
