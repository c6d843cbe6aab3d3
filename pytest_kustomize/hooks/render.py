"""Render fixtures: the session ``kustomize`` renderer, its options, and the
``kustomize_overlays`` marker that runs a test once per overlay directory."""
from __future__ import annotations

import os

import pytest

from ..rendercache import RenderCache
from ..renderer import Renderer, overlay_dirs
from ..repo import render_counts
from .options import option


def pytest_addoption(parser):
    group = parser.getgroup("kustomize", "pytest-kustomize")
    group.addoption("--kustomize-root", default=None,
                    help="directory overlay paths are relative to (default: the rootdir)")
    group.addoption("--kustomize-load-restrictor", default=None, choices=["rootOnly", "none"],
                    help="may kustomizations read files outside their directory")
    group.addoption("--kustomize-enable-helm", action="store_true", default=None,
                    help="allow helmCharts (runs the helm binary)")
    group.addoption("--kustomize-no-cache", action="store_true", default=None,
                    help="do not reuse renders stored in the pytest cache (docs/cache.md)")
    parser.addini("kustomize_cache", "reuse renders stored in the pytest cache between "
                  "sessions (default true)", type="bool", default=True)
    parser.addini("kustomize_root", "directory overlay paths are relative to", default="")
    parser.addini("kustomize_load_restrictor", "rootOnly (default) or none", default="rootOnly")
    parser.addini("kustomize_enable_helm", "allow helmCharts", type="bool", default=False)


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "kustomize_overlays(*globs): run the test once per kustomization directory "
        "matching the globs (relative to the kustomize root); the test takes an 'overlay' "
        "argument")


_RENDERER = pytest.StashKey[Renderer]()


def renderer_for(config) -> Renderer:
    """The session's renderer (one per pytest config), built from the options."""
    r = config.stash.get(_RENDERER, None)
    if r is None:
        root = option(config, "kustomize_root") or str(config.rootpath)
        if not os.path.isabs(root):
            root = os.path.join(str(config.rootpath), root)
        r = Renderer(root, option(config, "kustomize_load_restrictor", "rootOnly"),
                     bool(option(config, "kustomize_enable_helm", False)), _render_cache(config))
        config.stash[_RENDERER] = r
    return r


def _render_cache(config):
    """The persistent render cache in pytest's cache directory, unless switched off (or
    pytest's cache provider is disabled: ``-p no:cacheprovider``)."""
    if config.getoption("kustomize_no_cache", None) or not config.getini("kustomize_cache"):
        return None
    cache = getattr(config, "cache", None)
    if cache is None:
        return None
    try:
        return RenderCache(str(cache.mkdir("kustomize-renders")))
    except OSError:
        return None


_XDIST_COUNTS = pytest.StashKey[list]()


def pytest_sessionfinish(session):
    """An xdist worker hands its render counts to the controller."""
    out = getattr(session.config, "workeroutput", None)
    r = session.config.stash.get(_RENDERER, None)
    if out is not None and r is not None:
        out["kustomize_renders"] = (r.repo.rendered, r.repo.from_cache)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    counts = getattr(node, "workeroutput", {}).get("kustomize_renders")
    if counts:
        total = node.config.stash.setdefault(_XDIST_COUNTS, [0, 0])
        total[0] += counts[0]
        total[1] += counts[1]


def pytest_terminal_summary(terminalreporter, config):
    r = config.stash.get(_RENDERER, None)
    rendered, cached = (r.repo.rendered, r.repo.from_cache) if r is not None else (0, 0)
    extra = config.stash.get(_XDIST_COUNTS, [0, 0])
    rendered, cached = rendered + extra[0], cached + extra[1]
    if rendered or cached:
        terminalreporter.write_line("pytest-kustomize: " + render_counts(rendered, cached))


@pytest.fixture(scope="session")
def kustomize(pytestconfig) -> Renderer:
    """``kustomize.build("overlays/production")`` renders an overlay (cached per session)."""
    return renderer_for(pytestconfig)


def pytest_generate_tests(metafunc):
    marker = metafunc.definition.get_closest_marker("kustomize_overlays")
    if marker is None:
        return
    if "overlay" not in metafunc.fixturenames:
        raise pytest.UsageError("%s: @pytest.mark.kustomize_overlays needs an 'overlay' "
                                "argument" % metafunc.definition.nodeid)
    if marker.kwargs.get("relative_to") == "test":
        root = os.path.dirname(str(metafunc.definition.path))
    else:
        root = renderer_for(metafunc.config).root
    dirs = overlay_dirs(root, marker.args)
    if not dirs:
        raise pytest.UsageError("%s: no kustomization directory matches %s under %s"
                                % (metafunc.definition.nodeid, list(marker.args), root))
    metafunc.parametrize("overlay", dirs, ids=[os.path.relpath(d, root) for d in dirs])
