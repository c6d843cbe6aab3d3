"""The installer shipped with the package: ``pytest-kustomize install-tools`` runs the same
script as CI's scripts/install-tools, a wheel carries it and the Go wrapper modules, and skip
messages name the command."""
from __future__ import annotations

import fcntl
import glob
import os
import subprocess
import sys
import zipfile

import pytest

from pytest_kustomize import tools

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCRIPT = os.path.join(REPO, "scripts", "install-tools")
GOTOOLS = os.path.join(REPO, "scripts", "gotools")


def run_cli(*args, cwd=REPO, env=None):
    return subprocess.run([sys.executable, "-m", "pytest_kustomize", "install-tools", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def read(path) -> bytes:
    with open(path, "rb") as f:
        return f.read()


def test_list_prints_every_pinned_tool_as_the_script_does():
    out = run_cli("--list")
    assert out.returncode == 0, out.stderr
    script = subprocess.run(["bash", SCRIPT, "--list"], capture_output=True, text=True,
                            timeout=60)
    assert out.stdout == script.stdout
    rows = {line.split()[0]: line.split()[1] for line in out.stdout.splitlines()}
    assert rows == {name: tools.PINNED_VERSIONS[name] for name in rows}
    assert set(rows) == set(tools.TOOLS)


def test_print_dir_is_the_cache_the_lookup_uses(tmp_path):
    env = dict(os.environ, PYTEST_KUSTOMIZE_TOOLS=str(tmp_path / "cache"))
    out = run_cli("--print-dir", env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(tmp_path / "cache" / "bin")


def test_the_packaged_script_is_the_one_ci_runs():
    assert os.path.realpath(tools.INSTALL_SCRIPT) == os.path.realpath(SCRIPT)
    assert read(tools.INSTALL_SCRIPT) == read(SCRIPT)
    assert "bash scripts/install-tools" in read(os.path.join(REPO, ".ci", "run")).decode()
    packaged = os.path.join(os.path.dirname(tools.INSTALL_SCRIPT), "gotools")
    assert sorted(os.listdir(packaged)) == sorted(os.listdir(GOTOOLS))


def test_unknown_tool_fails_with_the_known_names():
    out = run_cli("no-such-tool")
    assert out.returncode != 0
    assert "no-such-tool" in out.stderr


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """``pip wheel --no-deps .`` of this checkout (pip fetches setuptools from PyPI)."""
    out_dir = tmp_path_factory.mktemp("wheel")
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                        str(out_dir), REPO], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    (whl,) = glob.glob(str(out_dir / "*.whl"))
    return whl


def test_the_wheel_carries_the_installer_and_the_go_modules(wheel, tmp_path):
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        assert z.read("pytest_kustomize/_tools/install-tools") == read(SCRIPT)
        mods = glob.glob(os.path.join(GOTOOLS, "*", "go.mod"))
        assert mods
        for mod in mods:
            tool_dir = os.path.relpath(os.path.dirname(mod), GOTOOLS)
            for name in ("go.mod", "go.sum"):
                member = "pytest_kustomize/_tools/gotools/%s/%s" % (tool_dir, name)
                assert member in names
                assert z.read(member) == read(os.path.join(os.path.dirname(mod), name))
        z.extractall(tmp_path / "site")
    # the unpacked wheel, away from any checkout, runs its own copy
    env = dict(os.environ, PYTHONPATH=str(tmp_path / "site"))
    out = run_cli("--list", cwd=str(tmp_path), env=env)
    assert out.returncode == 0, out.stderr
    assert out.stdout == run_cli("--list").stdout


def test_wheel_installer_sees_the_tools_built_from_the_checkout(wheel, tmp_path):
    """The stamp of a Go-wrapper tool hashes its go.mod/go.sum: the wheel's copy finds the
    build CI made from scripts/ up to date, so it reads the same pinned modules."""
    tools.require_tool("etcd")
    if not os.path.isfile(os.path.join(tools.tools_root(), "stamps", "etcd")):
        pytest.skip("etcd was not built by install-tools (no stamp); build it with: %s"
                    % tools.install_command("etcd"))
    with zipfile.ZipFile(wheel) as z:
        z.extractall(tmp_path / "site")
    env = dict(os.environ, PYTHONPATH=str(tmp_path / "site"))
    out = run_cli("etcd", cwd=str(tmp_path), env=env)
    assert out.returncode == 0, out.stderr
    assert "install-tools: etcd %s is up to date" % tools.PINNED_VERSIONS["etcd"] in out.stderr


def test_a_missing_tool_skips_naming_the_command(pytester, monkeypatch, tmp_path):
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("PYTEST_KUSTOMIZE_TOOLS", str(tmp_path / "empty"))
    monkeypatch.setenv(tools.env_var("kubeconform"), "")
    (tmp_path / "path").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "path"))
    pytester.makepyfile(test_x="""
        from pytest_kustomize.tools import require_tool
        def test_needs_kubeconform():
            require_tool("kubeconform")
    """)
    result = pytester.runpytest("-rs")
    result.assert_outcomes(skipped=1)
    result.stdout.fnmatch_lines(["SKIPPED *kubeconform not found*install it with: "
                                 "pytest-kustomize install-tools kubeconform*"])


def test_a_second_install_of_a_tool_waits_for_the_first(tmp_path):
    """Parallel runs (CI jobs on one cache, xdist workers) build a tool one at a time: while
    another holds the tool's lock the script does not even check the stamp; once it is
    released it finds the stamp the first run wrote and skips the build."""
    kind = tools.require_tool("kind")
    src_stamp = os.path.join(tools.tools_root(), "stamps", "kind")
    if not os.path.isfile(src_stamp):
        pytest.skip("kind was not installed by install-tools (no stamp)")
    root = tmp_path / "tools"
    (root / "bin").mkdir(parents=True)
    (root / "stamps").mkdir()
    os.symlink(kind, root / "bin" / "kind")
    (root / "stamps" / "kind").write_bytes(read(src_stamp))
    env = dict(os.environ, PYTEST_KUSTOMIZE_TOOLS=str(root))
    with open(root / "stamps" / ".kind.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        p = subprocess.Popen(["bash", SCRIPT, "kind"], env=env, stderr=subprocess.PIPE,
                             text=True)
        with pytest.raises(subprocess.TimeoutExpired):
            p.wait(3)                                   # blocked on the lock
        fcntl.flock(lock, fcntl.LOCK_UN)
        _out, err = p.communicate(timeout=120)
    assert p.returncode == 0, err
    assert "install-tools: kind %s is up to date" % tools.PINNED_VERSIONS["kind"] in err
    assert "building" not in err


def test_a_build_shows_its_place_and_a_heartbeat(tmp_path):
    """Progress of a long build: "[2/2] building …" and a line every
    PYTEST_KUSTOMIZE_INSTALL_HEARTBEAT seconds until it ends (a stand-in `go` that takes
    3 s and fails; the real builds take minutes)."""
    fake = tmp_path / "fakebin"
    fake.mkdir()
    (fake / "go").write_text('#!/bin/sh\nif [ "$1" = env ]; then echo go1.26.8; exit 0; fi\n'
                             'sleep 3\nexit 1\n')
    (fake / "go").chmod(0o755)
    env = dict(os.environ, PATH="%s:/usr/bin:/bin" % fake,
               PYTEST_KUSTOMIZE_TOOLS=str(tmp_path / "cache"),
               PYTEST_KUSTOMIZE_INSTALL_HEARTBEAT="1")
    out = run_cli("kind", "kubeconform", cwd=str(tmp_path), env=env)
    assert out.returncode == 1
    lines = out.stderr.splitlines()
    assert "install-tools: [1/2] building kind %s with go1.26.8 ..." \
        % tools.PINNED_VERSIONS["kind"] in lines, out.stderr
    assert "install-tools: [2/2] building kubeconform %s with go1.26.8 ..." \
        % tools.PINNED_VERSIONS["kubeconform"] in lines, out.stderr
    beats = [ln for ln in lines if ln.startswith("install-tools:   ... still building kind (")]
    assert 1 <= len(beats) <= 4, out.stderr
    assert "install-tools: failed: kind kubeconform" in lines


def test_every_skip_for_a_missing_tool_names_the_installer(pytester, monkeypatch, tmp_path):
    """With nothing installed, each tool's skip (require_tool) and the kube_cluster
    fixture's skip name ``pytest-kustomize install-tools TOOL``."""
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setenv("PYTEST_KUSTOMIZE_TOOLS", str(tmp_path / "empty"))
    for name in tools.PINNED_VERSIONS:
        monkeypatch.setenv(tools.env_var(name), "")
    for var in ("KUBEBUILDER_ASSETS", "TEST_ASSET_ETCD", "TEST_ASSET_KUBE_APISERVER"):
        monkeypatch.delenv(var, raising=False)
    (tmp_path / "path").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path / "path"))
    pytester.makepyfile(test_x="""
        import pytest
        from pytest_kustomize import tools

        @pytest.mark.parametrize("name", sorted(tools.PINNED_VERSIONS))
        def test_tool(name):
            tools.require_tool(name)

        def test_cluster(kube_cluster):
            pass
    """)
    result = pytester.runpytest("-rs", "-p", "no:xdist")
    result.assert_outcomes(skipped=len(tools.PINNED_VERSIONS) + 1)
    skips = [ln for ln in result.stdout.lines if ln.startswith("SKIPPED")]
    assert len(skips) == len(tools.PINNED_VERSIONS) + 1, skips
    for name in tools.PINNED_VERSIONS:
        assert any("%s not found" % name in ln and ln.endswith(
            "install it with: pytest-kustomize install-tools %s" % name) for ln in skips), name
    cluster = [ln for ln in skips if "no cluster provider" in ln]
    assert len(cluster) == 1, skips
    for name in ("kind", "etcd", "kube-apiserver"):
        assert "pytest-kustomize install-tools %s" % name in cluster[0], cluster[0]
