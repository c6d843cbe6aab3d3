"""``build --all``: every kustomization directory of a repository in one process, bases shared
between overlays (engine/memo.py), checked byte for byte against one ``kubectl kustomize`` per
directory, on a generated monorepo (overlays over shared bases and components) and examples/."""
from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys

import pytest

from pytest_kustomize.repo import RepoRenderer, build_all, kustomization_dirs

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
needs_kubectl = pytest.mark.skipif(shutil.which("kubectl") is None,
                                   reason="kubectl (the oracle) is not on PATH")


def genrepo():
    spec = importlib.util.spec_from_file_location(
        "pk_genrepo", os.path.join(ROOT, "benchmarks", "genrepo.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def kubectl(d: str) -> tuple:
    p = subprocess.run(["kubectl", "kustomize", d], capture_output=True, text=True)
    return p.returncode, p.stdout


def cli_all(root: str, *extra) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", "pytest_kustomize", "build", "--all", root,
                           *extra], capture_output=True, text=True, env=env)


def sections(stdout: str) -> dict:
    """{directory: text} of the --all output; errors as 'Error: …'."""
    out: dict = {}
    cur = None
    for line in stdout.splitlines(keepends=True):
        if line.startswith("### "):
            head = line[4:].rstrip("\n")
            if ": Error: " in head:
                d, msg = head.split(": Error: ", 1)
                out[d] = "Error: " + msg
                cur = None
            else:
                cur = head
                out[cur] = ""
            continue
        out[cur] += line
    return out


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    root = str(tmp_path_factory.mktemp("monorepo"))
    genrepo().generate(root, overlays=24, bases=4)
    broken = os.path.join(root, "envs", "dev", "broken")
    os.makedirs(broken)
    with open(os.path.join(broken, "kustomization.yaml"), "w") as f:
        f.write("resources:\n- ../../../bases/app00\n- missing.yaml\n")
    return root


@pytest.fixture(scope="module")
def oracle(repo) -> dict:
    """{directory: (rc, stdout)} of one ``kubectl kustomize`` per directory of ``repo``."""
    if shutil.which("kubectl") is None:
        pytest.skip("kubectl (the oracle) is not on PATH")
    return {os.path.relpath(d, repo): kubectl(d) for d in kustomization_dirs(repo)}


@needs_kubectl
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_build_all_equals_kubectl_per_directory(repo, oracle, jobs):
    p = cli_all(repo, "--no-cache", "--jobs", jobs)
    got = sections(p.stdout)
    dirs = [os.path.relpath(d, repo) for d in kustomization_dirs(repo)]
    assert list(got) == dirs                     # in path order, whichever process rendered
    assert len(dirs) == 24 + 4 + 2 + 3 + 1      # overlays, apps, common + jobs, components, broken
    for d in dirs:
        rc, text = oracle[d]
        if d == "envs/dev/broken":
            assert rc != 0 and got[d].startswith("Error: ") and "missing.yaml" in got[d]
            continue
        assert rc == 0, d
        assert got[d] == text, d
    assert p.returncode == 1                     # one directory failed, the others rendered
    assert "envs/dev/broken: Error: " in p.stderr
    assert "%d directories: %d rendered, 0 from cache, 1 failed" % (len(dirs), len(dirs) - 1) \
        in p.stderr


def test_jobs_share_the_persistent_cache_and_rebuild_only_what_an_edit_touched(tmp_path):
    root = str(tmp_path / "repo")
    genrepo().generate(root, overlays=12, bases=2)
    cache = str(tmp_path / "cache")
    n = len(kustomization_dirs(root))
    first = cli_all(root, "--cache-dir", cache, "-j", "2")
    assert first.returncode == 0, first.stderr
    assert "%d directories: %d rendered, 0 from cache, 0 failed" % (n, n) in first.stderr
    serial = cli_all(root, "--no-cache")
    assert first.stdout == serial.stdout
    warm = cli_all(root, "--cache-dir", cache, "-j", "2")
    assert "%d directories: 0 rendered, %d from cache, 0 failed" % (n, n) in warm.stderr
    assert warm.stdout == serial.stdout
    dep = os.path.join(root, "bases", "app00", "deployment.yaml")
    with open(dep) as f:
        text = f.read()
    with open(dep, "w") as f:
        f.write(text.replace("--log-level=info", "--log-level=warn"))
    edited = cli_all(root, "--cache-dir", cache, "-j", "0")
    users = [d for d, t in sections(cli_all(root, "--no-cache").stdout).items()
             if "--log-level=warn" in t]
    assert users and "bases/app00" in users
    assert "%d directories: %d rendered, %d from cache, 0 failed" % (
        n, len(users), n - len(users)) in edited.stderr
    assert edited.stdout == cli_all(root, "--no-cache").stdout


def test_a_base_is_accumulated_once_for_all_overlays(repo):
    rr = RepoRenderer()
    overlays = [d for d in kustomization_dirs(repo) if "/envs/" in d and "broken" not in d]
    results = list(build_all(repo, overlays, renderer=rr))
    assert all(r.ok for r in results)
    # 4 app bases, bases/common (inside every app base), bases/jobs: each accumulated once
    assert rr.memo.misses == 6
    # every other use is a copy: 24 overlays use an app base and every 4th bases/jobs (30
    # uses, 5 of them first ones); bases/common is reached only while an app base is
    # accumulated (4 times, the first one a miss)
    assert rr.memo.hits == (24 + 6 - 5) + (4 - 1)
    # and each copy is private: a fresh, unshared render of every overlay is the same
    import pytest_kustomize
    for r in results:
        fresh = pytest_kustomize.build(os.path.join(repo, r.path))
        assert r.resources.to_yaml() == fresh.to_yaml(), r.path


def test_an_edited_base_is_accumulated_again(tmp_path):
    root = str(tmp_path)
    ovs = genrepo().generate(root, overlays=3, bases=1)
    rr = RepoRenderer()
    before = rr.build(ovs[0])[0].to_yaml()
    dep = os.path.join(root, "bases", "app00", "deployment.yaml")
    with open(dep) as f:
        text = f.read()
    with open(dep, "w") as f:
        f.write(text.replace("--log-level=info", "--log-level=warn"))
    after = rr.build(ovs[0])[0].to_yaml()
    assert "--log-level=warn" in after and after != before
    import pytest_kustomize
    assert after == pytest_kustomize.build(ovs[0]).to_yaml()


@needs_kubectl
def test_build_all_of_examples_equals_kubectl():
    ex = os.path.join(ROOT, "examples")
    p = cli_all(ex, "--no-cache")
    got = sections(p.stdout)
    assert p.returncode == 0, p.stderr
    assert len(got) >= 7
    for d, text in got.items():
        rc, want = kubectl(os.path.join(ex, d))
        assert rc == 0 and text == want, d


def test_build_all_of_a_missing_root_is_a_clear_error(tmp_path):
    p = cli_all(str(tmp_path / "nope"))
    assert p.returncode == 1
    assert "is not a directory" in p.stderr and "Traceback" not in p.stderr
