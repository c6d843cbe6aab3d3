"""pytest_kustomize.tools: the lookup order, skip/fail of require_tool, the
install script's pins, and the real tools that scripts/install-tools builds."""
from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from pytest_kustomize import tools

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(REPO, "scripts", "install-tools")
_ORIG_PATH = os.environ.get("PATH", os.defpath)

_LOOKUP_VARS = ["PYTEST_KUSTOMIZE_TOOLS", "TEST_ASSET_ETCD", "TEST_ASSET_KUBE_APISERVER",
                "KUBEBUILDER_ASSETS", tools.SKIP_TOOLS_ENV,
                *(tools.env_var(t) for t in tools.TOOLS)]


def _fake_exe(path, output="v9.9.9"):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write("#!/bin/sh\necho '%s'\n" % output)
    os.chmod(path, os.stat(path).st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return str(path)


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No overrides, an empty tools dir, and a PATH with nothing but an empty dir."""
    for var in _LOOKUP_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PYTEST_KUSTOMIZE_TOOLS", str(tmp_path / "cache"))
    (tmp_path / "path").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "path"))
    return tmp_path


# ---- lookup (fake binaries) ---------------------------------------------------------

def test_module_does_not_import_pytest():
    code = ("import sys; import pytest_kustomize.tools; "
            "sys.exit(1 if 'pytest' in sys.modules or '_pytest' in sys.modules else 0)")
    assert subprocess.run([sys.executable, "-c", code], cwd=REPO).returncode == 0


def test_env_var_names():
    assert tools.env_var("kube-apiserver") == "PYTEST_KUSTOMIZE_KUBE_APISERVER"
    assert tools.env_var("kustomize") == "PYTEST_KUSTOMIZE_KUSTOMIZE"
    with pytest.raises(ValueError):
        tools.env_var("kubectl")


def test_missing_everywhere(clean_env):
    for name in tools.TOOLS:
        assert tools.find_tool(name) is None
        assert tools.tool_version(name) is None


def test_lookup_order_kube_apiserver(clean_env, monkeypatch):
    t = clean_env
    on_path = _fake_exe(t / "path" / "kube-apiserver")
    assert tools.find_tool("kube-apiserver") == on_path
    cached = _fake_exe(t / "cache" / "bin" / "kube-apiserver")
    assert tools.find_tool("kube-apiserver") == cached
    assets = t / "assets"
    kb = _fake_exe(assets / "kube-apiserver")
    monkeypatch.setenv("KUBEBUILDER_ASSETS", str(assets))
    assert tools.find_tool("kube-apiserver") == kb
    asset = _fake_exe(t / "asset" / "kas")
    monkeypatch.setenv("TEST_ASSET_KUBE_APISERVER", asset)
    assert tools.find_tool("kube-apiserver") == asset
    override = _fake_exe(t / "override" / "my-apiserver")
    monkeypatch.setenv("PYTEST_KUSTOMIZE_KUBE_APISERVER", override)
    assert tools.find_tool("kube-apiserver") == override
    # An override that is not an executable file is passed over.
    monkeypatch.setenv("PYTEST_KUSTOMIZE_KUBE_APISERVER", str(t / "nope"))
    assert tools.find_tool("kube-apiserver") == asset


def test_envtest_vars_only_for_etcd_and_apiserver(clean_env, monkeypatch):
    assets = clean_env / "assets"
    _fake_exe(assets / "kustomize")
    etcd = _fake_exe(assets / "etcd")
    monkeypatch.setenv("KUBEBUILDER_ASSETS", str(assets))
    assert tools.find_tool("kustomize") is None
    assert tools.find_tool("etcd") == etcd


def test_override_may_be_a_command_name(clean_env, monkeypatch):
    exe = _fake_exe(clean_env / "path" / "kustomize-5.8")
    monkeypatch.setenv("PYTEST_KUSTOMIZE_KUSTOMIZE", "kustomize-5.8")
    assert tools.find_tool("kustomize") == exe


@pytest.mark.parametrize("output,version", [
    ("v0.7.0", "v0.7.0"),
    ("v5.8.1", "v5.8.1"),
    ("v3.22.0+g1a2b3c4", "v3.22.0"),
    ("kind v0.33.0 go1.26.8 linux/amd64", "v0.33.0"),
    ("etcd Version: 3.5.35\nGit SHA: Not provided", "v3.5.35"),
    ("Kubernetes v1.33.13", "v1.33.13"),
    ("v1.34.0-rc.1", "v1.34.0-rc.1"),
    ("development", None),
])
def test_parse_version(output, version):
    assert tools.parse_version(output) == version


def test_tool_version_runs_the_binary(clean_env):
    _fake_exe(clean_env / "cache" / "bin" / "kind", "kind v0.1.2 go1.26 linux/amd64")
    assert tools.tool_version("kind") == "v0.1.2"
    _fake_exe(clean_env / "cache" / "bin" / "helm", "no version here")
    with pytest.raises(RuntimeError, match="without a version"):
        tools.tool_version("helm")


def test_require_tool_skips_locally(clean_env, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception) as ei:
        tools.require_tool("helm")
    assert tools.install_command("helm") in str(ei.value)
    assert "PYTEST_KUSTOMIZE_HELM" not in str(ei.value)  # unset: not listed


def test_require_tool_fails_in_ci(clean_env, monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception) as ei:
        tools.require_tool("etcd")
    assert "install-tools etcd" in str(ei.value)
    monkeypatch.setenv(tools.SKIP_TOOLS_ENV, "kube-apiserver, etcd")
    with pytest.raises(pytest.skip.Exception):
        tools.require_tool("etcd")


def test_require_tool_returns_path(clean_env):
    exe = _fake_exe(clean_env / "cache" / "bin" / "kubeconform")
    assert tools.require_tool("kubeconform") == exe


def test_install_command_names_the_packaged_installer():
    assert tools.install_command("kube-apiserver") == "pytest-kustomize install-tools kube-apiserver"
    assert os.path.samefile(tools.INSTALL_SCRIPT, SCRIPT)


# ---- the install script ------------------------------------------------------------

def _script(*args) -> subprocess.CompletedProcess:
    env = dict(os.environ, PATH=_ORIG_PATH)  # clean_env empties PATH
    return subprocess.run(["bash", SCRIPT, *args], capture_output=True, text=True,
                          env=env, timeout=60)


def test_script_pins_match_module():
    out = _script("--list").stdout
    pins = {line.split()[0]: line.split()[1] for line in out.splitlines()}
    assert pins == tools.PINNED_VERSIONS


def test_script_print_dir(clean_env):
    out = _script("--print-dir").stdout.strip()
    assert out == tools.tools_bin_dir() == str(clean_env / "cache" / "bin")


def test_script_rejects_unknown_tool(clean_env):
    proc = _script("kubectl")
    assert proc.returncode == 2
    assert "unknown tool: kubectl" in proc.stderr


# ---- the real tools ----------------------------------------------------------------

EXPECTED_OUTPUT = {  # what each version command prints for the pinned version
    "kubeconform": "v0.7.0",
    "kustomize": "v5.8.1",
    "helm": "v3.22.0",
    "kind": "kind v0.33.0",
    "flux": "flux: v2.9.4",
    "etcd": "etcd Version: 3.5.35",
    "kube-apiserver": "Kubernetes v1.33.13",
    "kube-controller-manager": "Kubernetes v1.33.13",
    "kube-scheduler": "Kubernetes v1.33.13",
    "kwok": "kwok version v0.8.0",
    "kustomize-controller": "",   # no version flag: tools reads its Go build info
    "flux-build": "flux-build v1.9.4 (kustomize-controller v1.9.4",   # flux
    "flate": "v0.6.5",   # flux
}


@pytest.mark.parametrize("name", tools.TOOLS)
def test_real_tool_version(name):
    exe = tools.require_tool(name)
    if name in tools.GO_BUILDINFO_MODULES:    # a controller: running it would not return
        proc = subprocess.CompletedProcess([exe], 0, "", "")
    else:
        proc = subprocess.run([exe, *tools.VERSION_ARGS[name]], capture_output=True,
                              text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    version = tools.tool_version(name, exe)
    assert version is not None
    from_install_script = os.path.dirname(exe) == tools.tools_bin_dir()
    if name == "kustomize" or from_install_script:
        # The pinned version; kustomize must be v5.8.1 wherever it comes from.
        assert version == tools.PINNED_VERSIONS[name]
        assert EXPECTED_OUTPUT[name] in proc.stdout + proc.stderr


def test_real_kustomize_agrees_with_kubectl(oracle):
    exe = tools.require_tool("kustomize")
    oracle.write({
        "kustomization.yaml": """\
            namePrefix: dev-
            resources:
            - deployment.yaml
            """,
        "deployment.yaml": """\
            apiVersion: apps/v1
            kind: Deployment
            metadata:
              name: web
              labels:
                app: web
            spec:
              replicas: 2
              selector:
                matchLabels:
                  app: web
              template:
                metadata:
                  labels:
                    app: web
                spec:
                  containers:
                  - name: web
                    image: nginx:1.27
                    ports:
                    - containerPort: 80
            """,
    })
    ref = oracle.kubectl()
    assert ref.returncode == 0, ref.stderr
    got = subprocess.run([exe, "build", oracle.root], capture_output=True, text=True,
                         timeout=120)
    assert got.returncode == 0, got.stderr
    assert "name: dev-web" in got.stdout
    assert got.stdout == ref.stdout


EXAMPLE_OVERLAYS = ["overlays/production", "shop/overlays/dev", "shop/overlays/staging",
                    "shop/overlays/production"]


@pytest.mark.parametrize("overlay", EXAMPLE_OVERLAYS)
def test_real_kustomize_v581_builds_the_examples_as_the_engine_does(overlay):
    import pytest_kustomize
    exe = tools.require_tool("kustomize")
    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "examples", overlay)
    got = subprocess.run([exe, "build", path], capture_output=True, text=True, timeout=120)
    assert got.returncode == 0, got.stderr
    if overlay == "overlays/production":      # the seed: the patch scales to 3
        assert "replicas: 3" in got.stdout
    assert got.stdout == pytest_kustomize.build(path).to_yaml()
