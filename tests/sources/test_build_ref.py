"""build(path, ref=...) and `build --ref` equal `kubectl kustomize` on a checkout of the ref,
and leave the repository byte-for-byte as it was."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

import pytest_kustomize

from pytest_kustomize.errors import KustomizeError
from pytest_kustomize.gitdiff import build_at

import _scenario as scenario

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def kubectl(path: str) -> subprocess.CompletedProcess:
    if subprocess.run(["which", "kubectl"], capture_output=True).returncode != 0:
        if os.environ.get("CI") == "true":
            pytest.fail("kubectl is required in CI")
        pytest.skip("kubectl not on PATH (it bundles the reference kustomize)")
    return subprocess.run(["kubectl", "kustomize", path], capture_output=True, text=True,
                          timeout=120)


@pytest.fixture
def history(repo):
    scenario.make(repo)
    # the work tree differs from every ref: a dirty file, a staged file, a stash
    repo.write({"overlays/prod/replicas.yaml": scenario.PR_PROD["overlays/prod/replicas.yaml"]
                .replace("5", "9")})
    repo.git("stash", "-q")
    repo.write({"overlays/dev/kustomization.yaml": "namespace: scratch\nresources:\n"
                "- ../../base\n", "notes.txt": "untracked\n"})
    repo.git("add", "overlays/dev/kustomization.yaml")
    repo.write({"base/service.yaml": "# half-edited\n"})
    return repo


REFS = ["main", "v1", "pr-prod", "pr-selector", "pr-prod~1", "refs/heads/pr-prod"]


@pytest.mark.parametrize("ref", REFS)
@pytest.mark.parametrize("overlay", ["overlays/prod", "overlays/dev", "base"])
def test_build_at_ref_equals_kubectl_on_a_checkout(history, tmp_path, untouched, ref, overlay):
    co = history.checkout_copy(ref, str(tmp_path / "checkout"))
    want = kubectl(os.path.join(co, overlay))
    assert want.returncode == 0, want.stderr
    untouched.start()
    got = build_at(os.path.join(history.path, overlay), ref).to_yaml()
    assert got == want.stdout
    untouched.check()


def test_errors_at_a_ref_read_as_on_a_checkout(history, tmp_path, untouched):
    co = os.path.realpath(history.checkout_copy("pr-broken", str(tmp_path / "checkout")))
    want = kubectl(os.path.join(co, "overlays/dev"))
    assert want.returncode != 0
    untouched.start()
    with pytest.raises(KustomizeError) as ei:
        build_at(os.path.join(history.path, "overlays/dev"), "pr-broken")
    assert "missing.yaml" in str(ei.value)
    # the message names the work-tree path where kubectl names the checkout's
    assert os.path.join(os.path.realpath(history.path), "overlays/dev") in str(ei.value)
    assert co in want.stderr
    untouched.check()


def test_symlinks_and_the_load_restrictor_at_a_ref(repo, tmp_path, untouched):
    repo.write({"shared/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\n",
                "app/kustomization.yaml": "resources:\n- linked.yaml\n",
                "inside/kustomization.yaml": "resources:\n- cm.yaml\n",
                "inside/real.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: real\n"})
    repo.link("app/linked.yaml", "../shared/cm.yaml")
    repo.link("inside/cm.yaml", "real.yaml")
    repo.commit(message="links")
    co = os.path.realpath(repo.checkout_copy("HEAD", str(tmp_path / "checkout")))
    untouched.start()
    ok = kubectl(os.path.join(co, "inside"))
    assert ok.returncode == 0
    assert build_at(os.path.join(repo.path, "inside"), "HEAD").to_yaml() == ok.stdout
    bad = kubectl(os.path.join(co, "app"))
    assert bad.returncode != 0 and "security; file" in bad.stderr
    with pytest.raises(KustomizeError) as ei:
        build_at(os.path.join(repo.path, "app"), "HEAD")
    # the same message as the engine gives on the checkout (and kubectl's refusal in it)
    with pytest.raises(KustomizeError) as on_disk:
        pytest_kustomize.build(os.path.join(co, "app"))
    assert str(ei.value).replace(os.path.realpath(repo.path), co) == str(on_disk.value)
    assert "security; file '%s/app/linked.yaml' is not in or below '%s/app'" % (co, co) \
        in bad.stderr
    assert "security; file '%s/app/linked.yaml' is not in or below '%s/app'" % (co, co) \
        in str(on_disk.value)
    none = subprocess.run(["kubectl", "kustomize", "--load-restrictor", "LoadRestrictionsNone",
                           os.path.join(co, "app")], capture_output=True, text=True, timeout=60)
    assert none.returncode == 0
    assert build_at(os.path.join(repo.path, "app"), "HEAD", load_restrictor="none").to_yaml() \
        == none.stdout
    untouched.check()


def _example_overlays():
    out = []
    for dirpath, _, files in os.walk(os.path.join(ROOT, "examples")):
        if "kustomization.yaml" in files:
            with open(os.path.join(dirpath, "kustomization.yaml")) as f:
                if "kind: Component" not in f.read():
                    out.append(os.path.relpath(dirpath, ROOT))
    return sorted(out)


def test_every_example_overlay_at_head(tmp_path):
    """The project's own repository at HEAD, against kubectl on `git archive HEAD`."""
    co = tmp_path / "archive"
    co.mkdir()
    archive = subprocess.run(["git", "-C", ROOT, "archive", "HEAD", "examples"],
                             capture_output=True, check=True, timeout=60).stdout
    subprocess.run(["tar", "-x", "-C", str(co)], input=archive, check=True, timeout=60)
    overlays = _example_overlays()
    assert len(overlays) >= 5
    for overlay in overlays:
        want = kubectl(os.path.join(str(co), overlay))
        if want.returncode != 0:          # a kustomization only valid with helm or alpha flags
            with pytest.raises(KustomizeError):
                build_at(os.path.join(ROOT, overlay), "HEAD")
            continue
        assert build_at(os.path.join(ROOT, overlay), "HEAD").to_yaml() == want.stdout, overlay


def test_cli_build_ref(history, tmp_path, untouched):
    co = history.checkout_copy("pr-prod", str(tmp_path / "checkout"))
    want = kubectl(os.path.join(co, "overlays/prod"))
    untouched.start()
    p = subprocess.run([sys.executable, "-m", "pytest_kustomize", "build",
                        os.path.join(history.path, "overlays/prod"), "--ref", "pr-prod"],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    assert p.stdout == want.stdout
    bad = subprocess.run([sys.executable, "-m", "pytest_kustomize", "build",
                          os.path.join(history.path, "overlays/prod"), "--ref=--upload-pack=x"],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and "may not start with '-'" in bad.stderr
    assert "Traceback" not in bad.stderr
    untouched.check()
