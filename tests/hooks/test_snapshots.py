"""Render snapshots seen from a user's run (pytester): CI mode, unused files, names per test
and parametrization (the same with pytest-xdist), and syrupy in the same session."""
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]

TREE = {
    "overlays/a/kustomization.yaml": "resources:\n- cm.yaml\n",
    "overlays/a/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n"
                          "data:\n  mode: blue\n",
    "overlays/b/kustomization.yaml": "resources:\n- ../a\nnamePrefix: b-\n",
}

ONE = """
    def test_a(kustomize, kustomize_snapshot):
        kustomize_snapshot.assert_match(kustomize.build("overlays/a"))
"""

PARAM = """
    import pytest

    @pytest.mark.parametrize("overlay", ["overlays/a", "overlays/b"])
    def test_overlay(kustomize, kustomize_snapshot, overlay):
        kustomize_snapshot.assert_match(kustomize.build(overlay))

    class TestShop:
        def test_a(self, kustomize, kustomize_snapshot):
            kustomize_snapshot.assert_match(kustomize.build("overlays/a"), "extra")
"""


@pytest.fixture
def repo(pytester, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    # under `pytest -n`, the inner run is not a worker (syrupy reads this variable)
    for var in ("PYTEST_XDIST_WORKER", "PYTEST_XDIST_WORKER_COUNT"):
        monkeypatch.delenv(var, raising=False)
    for path, content in TREE.items():
        p = pytester.path / path
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(content)
    return pytester


def snaps(repo, module="test_x"):
    d = repo.path / "__kustomize_snapshots__" / module
    return sorted(p.name for p in d.iterdir()) if d.is_dir() else []


@pytest.mark.parametrize("how", ["env", "flag", "ini"])
def test_ci_mode_fails_on_a_missing_snapshot_instead_of_writing_it(repo, monkeypatch, how):
    repo.makepyfile(test_x=ONE)
    args = []
    if how == "env":
        monkeypatch.setenv("CI", "true")
    elif how == "flag":
        args = ["--kustomize-snapshot-ci"]
    else:
        repo.makeini("[pytest]\nkustomize_snapshot_ci = true\n")
    result = repo.runpytest(*args)
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["E *SnapshotMissing: snapshot __kustomize_snapshots__/test_x/test_a.yaml "
                                 "does not exist and CI mode does not write it*"])
    assert snaps(repo) == []


def test_ci_mode_fails_on_a_changed_snapshot_and_keeps_the_file(repo, monkeypatch):
    repo.makepyfile(test_x=ONE)
    repo.runpytest().assert_outcomes(passed=1)            # written outside CI
    snap = repo.path / "__kustomize_snapshots__/test_x/test_a.yaml"
    before = snap.read_text()
    assert "mode: blue" in before
    cm = repo.path / "overlays/a/cm.yaml"
    cm.write_text(cm.read_text().replace("blue", "green"))
    monkeypatch.setenv("CI", "true")
    result = repo.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["E *render differs from snapshot __kustomize_snapshots__/test_x/test_a."
                                 "yaml (run pytest with --kustomize-snapshot-update*",
                                 "E *-  mode: blue", "E *+  mode: green"])
    assert snap.read_text() == before
    monkeypatch.delenv("CI")
    repo.runpytest("--kustomize-snapshot-update").assert_outcomes(passed=1)
    assert "mode: green" in snap.read_text()


def test_snapshots_are_per_test_and_parametrization(repo):
    repo.makepyfile(test_x=PARAM)
    repo.runpytest().assert_outcomes(passed=3)
    assert snaps(repo) == ["TestShop.test_a-extra.yaml", "test_overlay_overlays_a_.yaml",
                           "test_overlay_overlays_b_.yaml"]
    d = repo.path / "__kustomize_snapshots__/test_x"
    assert "name: b-a" in (d / "test_overlay_overlays_b_.yaml").read_text()
    assert "name: a\n" in (d / "test_overlay_overlays_a_.yaml").read_text()


def test_xdist_workers_use_the_same_snapshot_names(repo, monkeypatch):
    pytest.importorskip("xdist")
    # the subprocess imports this checkout's pytest_kustomize, not an installed one
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    repo.makepyfile(test_x=PARAM)
    result = repo.runpytest_subprocess("-n", "2", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)
    written = snaps(repo)
    assert written == ["TestShop.test_a-extra.yaml", "test_overlay_overlays_a_.yaml",
                       "test_overlay_overlays_b_.yaml"]
    # a serial run finds exactly those files, writes none and reports none unused
    before = {n: (repo.path / "__kustomize_snapshots__/test_x" / n).stat().st_mtime_ns for n in written}
    result = repo.runpytest()
    result.assert_outcomes(passed=3)
    assert "kustomize snapshots" not in result.stdout.str()
    assert {n: (repo.path / "__kustomize_snapshots__/test_x" / n).stat().st_mtime_ns
            for n in snaps(repo)} == before


def test_unused_snapshots_are_reported_and_removed_on_update(repo):
    repo.makepyfile(test_x=PARAM)
    repo.runpytest().assert_outcomes(passed=3)
    repo.makepyfile(test_x=ONE)                            # the parametrized tests are gone
    result = repo.runpytest()
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines([
        "*kustomize snapshots*",
        "unused __kustomize_snapshots__/test_x/TestShop.test_a-extra.yaml",
        "unused __kustomize_snapshots__/test_x/test_overlay_overlays_a_.yaml",
        "unused __kustomize_snapshots__/test_x/test_overlay_overlays_b_.yaml",
        "3 unused snapshot file(s); --kustomize-snapshot-update removes them",
    ])
    assert len(snaps(repo)) == 4
    # a run of part of the file says nothing about the rest of it
    result = repo.runpytest("-k", "nothing_matches")
    assert "kustomize snapshots" not in result.stdout.str()
    result = repo.runpytest("--kustomize-snapshot-update")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["removed unused __kustomize_snapshots__/test_x/test_overlay_overlays_a_.yaml"])
    assert snaps(repo) == ["test_a.yaml"]


def test_a_failing_test_keeps_its_snapshot(repo):
    repo.makepyfile(test_x=ONE)
    repo.runpytest().assert_outcomes(passed=1)
    repo.makepyfile(test_x=ONE.replace("kustomize_snapshot.assert_match", "assert 0; x = "))
    result = repo.runpytest("--kustomize-snapshot-update")
    result.assert_outcomes(failed=1)
    assert "kustomize snapshots" not in result.stdout.str()
    assert snaps(repo) == ["test_a.yaml"]


def test_coexists_with_syrupy_in_one_session(repo):
    pytest.importorskip("syrupy")
    repo.makepyfile(test_x=ONE + """
    def test_syrupy(snapshot):
        assert {"mode": "blue"} == snapshot
""")
    result = repo.runpytest("--snapshot-update", "--kustomize-snapshot-update")
    result.assert_outcomes(passed=2)
    assert snaps(repo) == ["test_a.yaml"]
    assert (repo.path / "__snapshots__/test_x.ambr").is_file()           # syrupy's file
    result = repo.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*1 snapshot passed*"])          # syrupy's own summary
    # --snapshot-update belongs to syrupy here: it does not rewrite the kustomize snapshot
    cm = repo.path / "overlays/a/cm.yaml"
    cm.write_text(cm.read_text().replace("blue", "green"))
    result = repo.runpytest("--snapshot-update")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["E *render differs from snapshot*"])
    help_text = repo.runpytest("--help").stdout.str()
    assert "--kustomize-snapshot-update" in help_text and "--kustomize-snapshot-ci" in help_text


def test_short_aliases_without_another_snapshot_plugin(repo):
    repo.makepyfile(test_x=ONE)
    repo.runpytest("-p", "no:syrupy").assert_outcomes(passed=1)
    cm = repo.path / "overlays/a/cm.yaml"
    cm.write_text(cm.read_text().replace("blue", "green"))
    repo.runpytest("-p", "no:syrupy", "--snapshot-ci").assert_outcomes(failed=1)
    repo.runpytest("-p", "no:syrupy", "--snapshot-update").assert_outcomes(passed=1)
    assert "mode: green" in (repo.path / "__kustomize_snapshots__/test_x/test_a.yaml").read_text()
