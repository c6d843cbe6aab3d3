"""Locate the real Kubernetes tools (kustomize, kubeconform, helm, kind, etcd,
kube-apiserver) that ``scripts/install-tools`` builds from Go modules.

Lookup order for ``find_tool(name)``:

1. ``PYTEST_KUSTOMIZE_<NAME>`` (``-`` becomes ``_``, e.g.
   ``PYTEST_KUSTOMIZE_KUBE_APISERVER``): a path, or a command name looked up
   on ``PATH``;
2. for ``etcd`` and ``kube-apiserver`` only, envtest's variables:
   ``TEST_ASSET_ETCD`` / ``TEST_ASSET_KUBE_APISERVER``, then
   ``$KUBEBUILDER_ASSETS/<name>``;
3. the install script's bin dir,
   ``${PYTEST_KUSTOMIZE_TOOLS:-~/.cache/pytest-kustomize/tools}/bin``;
4. ``PATH``.

A candidate that is not an executable file is passed over.

This module imports nothing from pytest at import time: ``require_tool``
imports it when it is called.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess

#: Versions pinned by ``scripts/install-tools`` (``--list`` prints the same).
PINNED_VERSIONS: dict[str, str] = {
    "kubeconform": "v0.7.0",
    "kustomize": "v5.8.1",
    "helm": "v3.22.0",
    "kind": "v0.33.0",
    "etcd": "v3.5.35",
    "kube-apiserver": "v1.33.13",
}
# flux: the project's Flux oracle (scripts/gotools/flux-build), kustomize-controller's version
PINNED_VERSIONS["flux-build"] = "v1.9.4"
PINNED_VERSIONS["flate"] = "v0.6.5"   # flux: the second reference for Flux trees
PINNED_VERSIONS["flux"] = "v2.9.4"    # flux: the flux CLI (SOPS masking of `flux build`)

# ---- cluster tools (the reconcile cycle): controllers, kwok, the Flux oracle ----------
PINNED_VERSIONS.update({
    "kube-controller-manager": "v1.33.13",
    "kube-scheduler": "v1.33.13",
    "kwok": "v0.8.0",
    "kustomize-controller": "v1.9.6",
})

TOOLS: tuple[str, ...] = tuple(PINNED_VERSIONS)

#: The argv (after the binary) that makes each tool print its version.
VERSION_ARGS: dict[str, tuple[str, ...]] = {
    "kubeconform": ("-v",),
    "kustomize": ("version",),
    "helm": ("version", "--short"),
    "kind": ("version",),
    "etcd": ("--version",),
    "kube-apiserver": ("--version",),
    "kube-controller-manager": ("--version",),
    "kube-scheduler": ("--version",),
    "kwok": ("--version",),
    "kustomize-controller": (),   # no version flag: read from the binary's Go build info
}

#: Tools whose version is the Go module version recorded in the binary (module path).
GO_BUILDINFO_MODULES: dict[str, str] = {
    "kustomize-controller": "github.com/fluxcd/kustomize-controller",
}
VERSION_ARGS["flux-build"] = ("version",)  # flux
VERSION_ARGS["flate"] = ("--version",)  # flux
VERSION_ARGS["flux"] = ("version", "--client")  # flux

_ENVTEST_VARS: dict[str, str] = {
    "etcd": "TEST_ASSET_ETCD",
    "kube-apiserver": "TEST_ASSET_KUBE_APISERVER",
}

#: Tools named here (space or comma separated) are skipped by
#: ``require_tool`` when missing even where CI is "true".
SKIP_TOOLS_ENV = "PYTEST_KUSTOMIZE_SKIP_TOOLS"

_VERSION_RE = re.compile(r"v?\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?")

#: The installer shipped in the package (in a checkout, a link to scripts/install-tools).
INSTALL_SCRIPT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_tools",
                              "install-tools")


def _check_name(name: str) -> None:
    if name not in PINNED_VERSIONS:
        raise ValueError("unknown tool %r (known: %s)" % (name, ", ".join(TOOLS)))


def env_var(name: str) -> str:
    """The per-tool override variable, e.g. ``PYTEST_KUSTOMIZE_KUBE_APISERVER``."""
    _check_name(name)
    return "PYTEST_KUSTOMIZE_" + name.upper().replace("-", "_")


def tools_root() -> str:
    root = os.environ.get("PYTEST_KUSTOMIZE_TOOLS")
    if not root:
        root = os.path.join(os.path.expanduser("~"), ".cache", "pytest-kustomize", "tools")
    return root


def tools_bin_dir() -> str:
    """Where ``scripts/install-tools`` puts binaries (what ``--print-dir`` prints)."""
    return os.path.join(tools_root(), "bin")


def tool_data(name: str) -> str | None:
    """A data file ``scripts/install-tools`` writes next to the binaries
    (``kwok-stages.yaml``, ``flux-crds``), or None when it is not there."""
    path = os.path.join(tools_root(), "share", name)
    return path if os.path.exists(path) else None


def _executable(path: str) -> str | None:
    if path and os.path.isfile(path) and os.access(path, os.X_OK):
        return path
    return None


def _candidates(name: str) -> list[tuple[str, str]]:
    """(where, path-or-command) in lookup order; used by find_tool and messages."""
    out: list[tuple[str, str]] = []
    override = os.environ.get(env_var(name))
    if override:
        out.append(("$" + env_var(name), override))
    if name in _ENVTEST_VARS:
        asset = os.environ.get(_ENVTEST_VARS[name])
        if asset:
            out.append(("$" + _ENVTEST_VARS[name], asset))
        assets = os.environ.get("KUBEBUILDER_ASSETS")
        if assets:
            out.append(("$KUBEBUILDER_ASSETS", os.path.join(assets, name)))
    out.append(("install-tools bin dir", os.path.join(tools_bin_dir(), name)))
    return out


def find_tool(name: str) -> str | None:
    """Absolute path of the tool's binary, or None (see the module doc for the order)."""
    for where, value in _candidates(name):
        if where == "$" + env_var(name) and os.sep not in value:
            found = shutil.which(value)  # a bare command name
        else:
            found = _executable(os.path.expanduser(value))
        if found:
            return os.path.abspath(found)
    found = shutil.which(name)
    return os.path.abspath(found) if found else None


def parse_version(text: str) -> str | None:
    """First ``vX.Y.Z[-pre]`` in a tool's version output, with a leading ``v``
    (build metadata such as helm's ``+g<sha>`` is dropped)."""
    m = _VERSION_RE.search(text)
    if not m:
        return None
    v = m.group(0)
    return v if v.startswith("v") else "v" + v


def tool_version(name: str, path: str | None = None) -> str | None:
    """The version the tool reports (e.g. ``"v5.8.1"``), or None when it is not
    found. Raises RuntimeError when the binary runs but fails or prints no version."""
    _check_name(name)
    exe = path or find_tool(name)
    if exe is None:
        return None
    if name in GO_BUILDINFO_MODULES:
        return go_module_version(exe, GO_BUILDINFO_MODULES[name])
    proc = subprocess.run([exe, *VERSION_ARGS[name]], capture_output=True, text=True,
                          timeout=60)
    text = proc.stdout + "\n" + proc.stderr
    version = parse_version(text) if proc.returncode == 0 else None
    if version is None:
        raise RuntimeError("%s %s exited %d without a version: %s"
                           % (exe, " ".join(VERSION_ARGS[name]), proc.returncode,
                              text.strip()[:500]))
    return version


def go_module_version(exe: str, module: str) -> str:
    """The version of ``module`` in a Go binary's embedded build info (``mod``/``dep``
    lines, as ``go version -m`` prints them); RuntimeError when it is not recorded."""
    with open(exe, "rb") as f:
        data = f.read()
    m = re.search(rb"\n(?:mod|dep)\t" + re.escape(module.encode()) + rb"\t(v[^\t\n]+)", data)
    if not m:
        raise RuntimeError("%s records no version of %s in its build info" % (exe, module))
    return m.group(1).decode()


def install_command(name: str) -> str:
    """The command line to tell a user who lacks the tool: the installer shipped with the
    package (``pytest-kustomize install-tools``, the same script as scripts/install-tools)."""
    _check_name(name)
    return "pytest-kustomize install-tools %s" % name


def _skip_listed(name: str) -> bool:
    listed = os.environ.get(SKIP_TOOLS_ENV, "").replace(",", " ").split()
    return name in listed or "all" in listed


def require_tool(name: str) -> str:
    """For tests: the tool's path. When it is missing, skip the test with the
    install command, or fail it where the environment variable CI is "true"
    (unless the tool is listed in ``PYTEST_KUSTOMIZE_SKIP_TOOLS``)."""
    path = find_tool(name)
    if path:
        return path
    looked = ", ".join("%s (%s)" % (where, value) for where, value in _candidates(name))
    msg = "%s not found (looked at %s, PATH); install it with: %s" % (
        name, looked, install_command(name))
    missing(msg, [name])
    raise AssertionError("unreachable")  # pragma: no cover


def missing(msg: str, names) -> None:
    """Skip the running test with ``msg``, or fail it where CI is "true" unless every tool
    in ``names`` is listed in ``PYTEST_KUSTOMIZE_SKIP_TOOLS``."""
    import pytest

    if os.environ.get("CI") == "true" and not all(_skip_listed(n) for n in names):
        pytest.fail(msg + "  [CI=true: missing tools fail; list them in %s to skip]"
                    % SKIP_TOOLS_ENV, pytrace=False)
    pytest.skip(msg)
