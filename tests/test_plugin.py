"""The pytest layer seen from a user's test run (pytester): fixtures, markers, failure
messages with diffs and provenance, snapshots, YAML tests."""
import textwrap

import pytest

TREE = {
    "base/kustomization.yaml": "resources:\n- deployment.yaml\n",
    "base/deployment.yaml": textwrap.dedent("""\
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: nginx
        spec:
          replicas: 1
          template:
            spec:
              containers:
              - name: nginx
                image: nginx:latest
        """),
    "overlays/production/kustomization.yaml": "resources:\n- ../../base\npatches:\n"
                                              "- path: patch.yaml\n",
    "overlays/production/patch.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
                                      "  name: nginx\nspec:\n  replicas: 2\n",
    "overlays/staging/kustomization.yaml": "resources:\n- ../../base\n",
}


@pytest.fixture
def repo(pytester):
    for path, content in TREE.items():
        p = pytester.path / path
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(content)
    return pytester


def test_failed_field_assertion_names_the_file_that_set_the_value(repo):
    repo.makepyfile(test_x="""
        from pytest_kustomize.assertions import assert_field
        def test_replicas(kustomize):
            d = kustomize.build("overlays/staging").get("Deployment", "nginx")
            assert_field(d, "spec.replicas", 3)
        def test_patched(kustomize):
            d = kustomize.build("overlays/production").get("Deployment", "nginx")
            assert_field(d, "spec.replicas", 3)
    """)
    result = repo.runpytest()
    result.assert_outcomes(failed=2)
    result.stdout.fnmatch_lines([
        "*spec.replicas is 1, expected 3 — set in base/deployment.yaml; no patch touched it*",
        "*spec.replicas is 2, expected 3 — set by patch overlays/production/patch.yaml "
        "(PatchTransformer in overlays/production/kustomization.yaml)*",
    ])


def test_plain_assert_on_resources_shows_a_field_diff_with_provenance(repo):
    repo.makepyfile(test_x="""
        def test_same(kustomize):
            a = kustomize.build("overlays/staging").get("Deployment", "nginx")
            b = kustomize.build("overlays/production").get("Deployment", "nginx")
            assert a == b
    """)
    result = repo.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*Deployment.v1.apps/nginx.[[]noNs[]] differs:*",
        "*spec.replicas: 1 -> 2*",
        "*right: set by patch overlays/production/patch.yaml*",
    ])


def test_overlay_marker_parametrizes_and_policy_waivers(repo):
    repo.makepyfile(test_x="""
        import pytest
        from pytest_kustomize.assertions import Waiver, check_images_pinned
        @pytest.mark.kustomize_overlays("overlays/*")
        def test_pinned(kustomize, overlay):
            waive = [Waiver("Deployment/nginx", "images-pinned", "demo")] \\
                if overlay.endswith("staging") else []
            check_images_pinned(kustomize.build(overlay), waivers=waive)
        def test_unused_waiver(kustomize):
            check_images_pinned(kustomize.build("overlays/staging"), waivers=[
                Waiver("Deployment/nginx", "images-pinned", "ok"),
                Waiver("Deployment/other", "images-pinned", "stale")])
    """)
    result = repo.runpytest("-v")
    result.assert_outcomes(passed=1, failed=2)
    result.stdout.fnmatch_lines([
        "*test_pinned?overlays/production? FAILED*",
        "*test_pinned?overlays/staging? PASSED*",
        "*image 'nginx:latest' is not pinned (tag latest)*",
        "*unused waivers*",
        "*images-pinned for Deployment/other (stale)*",
    ])


def test_snapshot_written_compared_and_updated(repo, monkeypatch):
    monkeypatch.delenv("CI", raising=False)      # CI mode would refuse to write it
    repo.makepyfile(test_x="""
        def test_snap(kustomize, kustomize_snapshot):
            kustomize_snapshot.assert_match(kustomize.build("overlays/production"))
    """)
    repo.runpytest().assert_outcomes(passed=1)
    snap = repo.path / "__kustomize_snapshots__" / "test_x" / "test_snap.yaml"
    assert "replicas: 2" in snap.read_text()
    (repo.path / "overlays/production/patch.yaml").write_text(
        TREE["overlays/production/patch.yaml"].replace("replicas: 2", "replicas: 5"))
    result = repo.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*render differs from snapshot*", "*-  replicas: 2*",
                                 "*+  replicas: 5*"])
    repo.runpytest("--kustomize-snapshot-update").assert_outcomes(passed=1)
    assert "replicas: 5" in snap.read_text()


def test_snapshot_update_option_with_and_without_syrupy(repo, monkeypatch):
    """syrupy owns --snapshot-update when it is active; --kustomize-snapshot-update always
    works, and without syrupy --snapshot-update is ours too."""
    pytest.importorskip("syrupy")
    monkeypatch.delenv("CI", raising=False)       # CI mode would refuse to write the snapshot
    repo.makepyfile(test_x="""
        def test_snap(kustomize, kustomize_snapshot):
            kustomize_snapshot.assert_match(kustomize.build("overlays/production"))
    """)
    repo.runpytest().assert_outcomes(passed=1)          # written (syrupy active, no clash)
    snap = repo.path / "__kustomize_snapshots__" / "test_x" / "test_snap.yaml"
    (repo.path / "overlays/production/patch.yaml").write_text(
        TREE["overlays/production/patch.yaml"].replace("replicas: 2", "replicas: 6"))
    repo.runpytest("--kustomize-snapshot-update").assert_outcomes(passed=1)
    assert "replicas: 6" in snap.read_text()
    (repo.path / "overlays/production/patch.yaml").write_text(
        TREE["overlays/production/patch.yaml"].replace("replicas: 2", "replicas: 7"))
    repo.runpytest("-p", "no:syrupy", "--snapshot-update").assert_outcomes(passed=1)
    assert "replicas: 7" in snap.read_text()


def test_renders_are_cached_until_a_file_changes(repo):
    repo.makepyfile(test_x="""
        def test_cache(kustomize, tmp_path):
            first = kustomize.build("overlays/production")
            assert kustomize.build("overlays/production") is first
            import pathlib, time
            p = pathlib.Path("overlays/production/patch.yaml")
            time.sleep(0.01)
            p.write_text(p.read_text().replace("replicas: 2", "replicas: 4"))
            second = kustomize.build("overlays/production")
            assert second is not first
            assert second.get("Deployment", "nginx")["spec"]["replicas"] == 4
    """)
    repo.runpytest().assert_outcomes(passed=1)


def test_yaml_tests_are_collected_with_readable_failures(repo):
    (repo.path / "test_prod.kustomize.yaml").write_text(textwrap.dedent("""\
        overlay: overlays/production
        tests:
        - name: two replicas
          select: {kind: Deployment}
          asserts:
          - equal: {path: spec.replicas, value: 2}
          - matchRegex: {path: "spec.template.spec.containers.[name=nginx].image", pattern: "^nginx"}
        - name: three replicas
          select: {kind: Deployment}
          asserts:
          - equal: {path: spec.replicas, value: 3}
        """))
    result = repo.runpytest("-v")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*two replicas PASSED*",
        "*three replicas FAILED*",
        "*test_prod.kustomize.yaml:11: asserts[[]0[]] equal: "
        "Deployment.v1.apps/nginx.[[]noNs[]]: spec.replicas is 2, "
        "expected 3 — set by patch overlays/production/patch.yaml*",
    ])


@pytest.mark.parametrize("body, message", [
    # a typo must not turn a test into one that checks nothing; the error names the line
    ("- name: t\n  assert:\n  - equal: {path: spec.replicas, value: 2}\n",
     "4: tests[[]0[]]: unknown key 'assert' (use asserts, documentIndex, documentSelector, gates, "
     "it, name, overlay, overlays, select, skip)"),
    ("- name: t\n  asserts: []\n", "4: tests[[]0[]]: 'asserts' must be a non-empty list, got []"),
    ("- name: t\n  asserts: 5\n", "4: tests[[]0[]]: 'asserts' must be a non-empty list, got 5"),
    ("- name: t\n  asserts:\n  - equals: {path: spec.replicas, value: 2}\n",
     "5: tests[[]0[]].asserts[[]0[]]: unknown assertion 'equals' (known: equal, *"),
    ("- name: t\n  asserts:\n  - {equal: {path: a, value: 1}, exists: {path: a}}\n",
     "5: tests[[]0[]].asserts[[]0[]] must be a mapping naming one assertion*"),
    ("- name: t\n  asserts:\n  - equal: {path: a, value: 1}\n  - equal: [a]\n",
     "6: tests[[]0[]].asserts[[]1[]]: equal takes a mapping, got [[]'a'[]]"),
    ("- name: t\n  select: {knd: Deployment}\n  asserts:\n  - exists: {path: a}\n",
     "3: tests[[]0[]]: select takes annotations, *, got {'knd': 'Deployment'}"),
    ("- name: t\n  asserts:\n  - exists: {path: a}\noptions: [x]\n",
     "6: 'options' must be a mapping of build options, got [[]'x'[]]"),
])
def test_yaml_test_files_with_a_wrong_shape_fail_collection(repo, body, message):
    (repo.path / "test_bad.kustomize.yaml").write_text(
        "overlay: overlays/production\ntests:\n" + body)
    result = repo.runpytest()
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines(["*test_bad.kustomize.yaml:" + message])


def test_yaml_tests_take_helm_unittest_it_as_the_name(repo):
    (repo.path / "test_it.kustomize.yaml").write_text(
        "overlay: overlays/production\ntests:\n- it: runs two replicas\n"
        "  select: {kind: Deployment}\n  asserts:\n  - equal: {path: spec.replicas, value: 2}\n")
    result = repo.runpytest("-v")
    result.assert_outcomes(passed=1)
    result.stdout.fnmatch_lines(["*runs two replicas PASSED*"])
