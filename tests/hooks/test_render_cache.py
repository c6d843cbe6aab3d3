"""The persistent render cache seen from a user's runs (pytester): the terminal summary counts
renders ("N rendered, M from cache"), and after every kind of change the renders the session
hands to tests equal fresh renders (pytest_kustomize.build, no cache, no memo): edits, renames,
re-pointed file and directory links, a new kustomization file, Git checkouts, the switches
that turn it off, and pytest-xdist workers sharing the cache."""
from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess

import pytest

import pytest_kustomize
from pytest_kustomize.errors import KustomizeError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

TEST_FILE = '''
import os, pathlib, pytest

@pytest.mark.kustomize_overlays("envs/*/*")
def test_render(kustomize, overlay):
    out = pathlib.Path(os.environ["PK_RENDER_OUT"])
    name = os.path.relpath(overlay, kustomize.root).replace(os.sep, "__")
    (out / (name + ".yaml")).write_text(kustomize.build(overlay).to_yaml())
'''


def _genrepo():
    spec = importlib.util.spec_from_file_location(
        "pk_genrepo_cache", os.path.join(ROOT, "benchmarks", "genrepo.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture
def repo(pytester, monkeypatch, tmp_path_factory):
    _genrepo().generate(str(pytester.path), overlays=9, bases=3)
    pytester.makepyfile(test_renders=TEST_FILE)
    out = tmp_path_factory.mktemp("renders")
    monkeypatch.setenv("PK_RENDER_OUT", str(out))
    pytester.out = out
    return pytester


def run(p, *args, outcome: dict | None = None) -> tuple:
    """(rendered, from cache) as the summary prints them; every written render is checked
    against a fresh render of the same directory."""
    for f in p.out.iterdir():
        f.unlink()
    r = p.runpytest("-q", *args)
    if outcome is not None:
        r.assert_outcomes(**outcome)
    else:
        r.assert_outcomes(passed=9)
    lines = [ln for ln in r.outlines if ln.startswith("pytest-kustomize: ")]
    assert lines, r.outlines
    m = re.fullmatch(r"pytest-kustomize: (\d+) rendered, (\d+) from cache", lines[-1])
    assert m, lines
    for f in p.out.iterdir():
        d = os.path.join(str(p.path), f.name[:-5].replace("__", os.sep))
        assert f.read_text() == pytest_kustomize.build(d).to_yaml(), d
    return int(m[1]), int(m[2])


def users_of(n_base: int) -> int:
    return sum(1 for n in range(9) if n % 3 == n_base)


def edit(path, old, new):
    with open(path) as f:
        text = f.read()
    assert old in text
    with open(path, "w") as f:
        f.write(text.replace(old, new))


def test_a_second_run_renders_nothing_and_an_edit_only_its_users(repo):
    assert run(repo) == (9, 0)
    assert run(repo) == (0, 9)
    edit(repo.path / "bases/app01/deployment.yaml", "--log-level=info", "--log-level=debug")
    assert run(repo) == (users_of(1), 9 - users_of(1))
    assert "--log-level=debug" in (repo.out / "envs__staging__tenant001.yaml").read_text()
    edit(repo.path / "bases/common/objects.yaml", "eu-west-1", "us-east-2")   # a base's base
    assert run(repo) == (9, 0)
    assert run(repo) == (0, 9)


def test_renames(repo):
    assert run(repo) == (9, 0)
    os.rename(repo.path / "bases/app02/hpa.yaml", repo.path / "bases/app02/autoscaler.yaml")
    # the kustomization still names hpa.yaml: its users fail, as kubectl does, and are not
    # served the old render
    assert run(repo, outcome=dict(passed=9 - users_of(2), failed=users_of(2))) \
        == (0, 9 - users_of(2))
    edit(repo.path / "bases/app02/kustomization.yaml", "- hpa.yaml", "- autoscaler.yaml")
    assert run(repo) == (users_of(2), 9 - users_of(2))


def test_a_retargeted_file_link(repo):
    props = repo.path / "bases/app00/config.properties"
    shutil.copy(props, repo.path / "bases/app00/a.properties")
    (repo.path / "bases/app00/b.properties").write_text("key0=from-b\n")
    props.unlink()
    os.symlink("a.properties", props)
    assert run(repo) == (9, 0)
    assert run(repo) == (0, 9)
    props.unlink()
    os.symlink("b.properties", props)
    assert run(repo) == (users_of(0), 9 - users_of(0))
    assert "from-b" in (repo.out / "envs__dev__tenant000.yaml").read_text()


def test_a_retargeted_directory_link(repo):
    shutil.copytree(repo.path / "bases/app00", repo.path / "bases/app00v2")
    edit(repo.path / "bases/app00v2/deployment.yaml", "--log-level=info", "--log-level=v2")
    os.symlink("app00", repo.path / "bases/current")
    edit(repo.path / "envs/dev/tenant000/kustomization.yaml", "- ../../../bases/app00",
         "- ../../../bases/current")
    assert run(repo) == (9, 0)
    assert "--log-level=info" in (repo.out / "envs__dev__tenant000.yaml").read_text()
    os.unlink(repo.path / "bases/current")
    os.symlink("app00v2", repo.path / "bases/current")
    assert run(repo) == (1, 8)
    assert "--log-level=v2" in (repo.out / "envs__dev__tenant000.yaml").read_text()


def test_a_new_kustomization_file_in_a_base_is_seen(repo):
    assert run(repo) == (9, 0)
    (repo.path / "bases/app01/kustomization.yml").write_text("resources: []\n")
    with pytest.raises(KustomizeError, match="multiple kustomization files"):
        pytest_kustomize.build(str(repo.path / "envs/staging/tenant001"))
    assert run(repo, outcome=dict(passed=9 - users_of(1), failed=users_of(1))) \
        == (0, 9 - users_of(1))
    (repo.path / "bases/app01/kustomization.yml").unlink()
    # the inputs read as before the file came: the stored renders are right again
    assert run(repo) == (0, 9)


def git(p, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
                   cwd=str(p.path), check=True, capture_output=True)


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_git_checkouts_between_commits(repo):
    (repo.path / ".gitignore").write_text(".pytest_cache/\n__pycache__/\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "one")
    edit(repo.path / "bases/app00/service.yaml", "port: 80", "port: 8000")
    edit(repo.path / "envs/staging/tenant004/kustomization.yaml", "TENANT=t004", "TENANT=x")
    git(repo, "commit", "-qam", "two")
    assert run(repo) == (9, 0)
    git(repo, "checkout", "-q", "HEAD~1")
    assert run(repo) == (users_of(0) + 1, 9 - users_of(0) - 1)
    assert "port: 80\n" in (repo.out / "envs__dev__tenant000.yaml").read_text()
    git(repo, "checkout", "-q", "main")
    # both commits' renders are kept: back on main everything comes from the cache
    assert run(repo) == (0, 9)
    assert "port: 8000" in (repo.out / "envs__dev__tenant000.yaml").read_text()


def test_the_cache_can_be_switched_off(repo):
    assert run(repo) == (9, 0)
    assert run(repo, "--kustomize-no-cache") == (9, 0)
    repo.makeini("[pytest]\nkustomize_cache = false\n")
    assert run(repo) == (9, 0)
    repo.makeini("[pytest]\n")
    assert run(repo) == (0, 9)
    # without pytest's cache provider there is nowhere to keep renders
    assert run(repo, "-p", "no:cacheprovider") == (9, 0)


def test_xdist_workers_share_the_cache(repo):
    pytest.importorskip("xdist")
    assert run(repo, "-n", "2") == (9, 0)
    assert run(repo, "-n", "2") == (0, 9)
    edit(repo.path / "bases/app02/deployment.yaml", "cpu: 100m", "cpu: 250m")
    assert run(repo, "-n", "2") == (users_of(2), 9 - users_of(2))
    assert not list((repo.path / ".pytest_cache").rglob("*.tmp"))
