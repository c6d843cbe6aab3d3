"""Failures from the plugin are short: the test's line and the error naming the file and
field, without engine or plugin frames (pytester, counting the printed lines)."""
import re

import pytest

import importlib.util as _ilu
import os as _os

# tests/conftest.py by path: a bare "import conftest" finds whichever conftest module
# (tests/flux/conftest.py) was imported first
_spec = _ilu.spec_from_file_location(
    "_tests_conftest", _os.path.join(_os.path.dirname(_os.path.dirname(__file__)), "conftest.py"))
_conftest = _ilu.module_from_spec(_spec)
_spec.loader.exec_module(_conftest)
Oracle = _conftest.Oracle

TREE = {
    "overlays/unknown/kustomization.yaml": "resources: []\nnmePrefix: x-\n",
    "overlays/nopatch/kustomization.yaml": "patches:\n- path: missing.yaml\n",
    "overlays/ok/kustomization.yaml": "resources:\n- cm.yaml\n",
    "overlays/ok/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app\n"
                           "data:\n  mode: blue\n",
}

TESTS = """
    def test_unknown_field(kustomize):
        kustomize.build("overlays/unknown")

    def test_missing_patch(kustomize):
        kustomize.build("overlays/nopatch")
"""


@pytest.fixture
def repo(pytester):
    for path, content in TREE.items():
        p = pytester.path / path
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(content)
    return pytester


def failure_sections(lines):
    """{test name: lines of its section} from the FAILURES part of a run's output."""
    sections, name = {}, None
    for line in lines:
        if re.match(r"^=+ short test summary info =+$", line):
            break
        m = re.match(r"^_{3,} (\S+) _{3,}$", line)
        if m:
            name = m.group(1)
            sections[name] = []
        elif name:
            sections[name].append(line)
    return sections


def test_failed_render_is_short_and_names_file_and_field(repo):
    repo.makepyfile(test_x=TESTS)
    result = repo.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=2)
    sections = failure_sections(result.stdout.lines)
    assert set(sections) == {"test_unknown_field", "test_missing_patch"}
    for name, lines in sections.items():
        assert len(lines) <= 25, "\n".join(lines)
        text = "\n".join(lines)
        assert "pytest_kustomize/engine" not in text and "renderer.py" not in text, text
    result.stdout.fnmatch_lines([
        "E *KustomizationError: */overlays/unknown/kustomization.yaml: field nmePrefix: "
        "invalid Kustomization: json: unknown field \"nmePrefix\"",
        "test_x.py:2: KustomizationError",
        "E *PatchError: */overlays/nopatch/kustomization.yaml: field patches[[]0[]]: "
        "failed to get the patch file from path(missing.yaml)*",
        "test_x.py:5: PatchError",
    ])
    # the same errors from the oracle
    assert 'unknown field \\"nmePrefix\\"' in Oracle(str(repo.path)).kubectl("overlays/unknown").stderr
    assert ("failed to get the patch file from path(missing.yaml)"
            in Oracle(str(repo.path)).kubectl("overlays/nopatch").stderr)


def test_full_trace_still_shows_the_engine_frames(repo):
    repo.makepyfile(test_x=TESTS)
    result = repo.runpytest("-p", "no:cacheprovider", "--full-trace", "-k", "unknown")
    result.assert_outcomes(failed=1)
    text = result.stdout.str()
    assert "pytest_kustomize/engine/kustomization.py" in text
    assert "pytest_kustomize/renderer.py" in text


def test_snapshot_mismatch_does_not_print_the_plugin_source(repo, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    repo.makepyfile(test_x="""
        def test_snap(kustomize, kustomize_snapshot):
            kustomize_snapshot.assert_match(kustomize.build("overlays/ok"))
    """)
    repo.runpytest("-p", "no:cacheprovider").assert_outcomes(passed=1)
    cm = repo.path / "overlays/ok/cm.yaml"
    cm.write_text(cm.read_text().replace("blue", "green"))
    result = repo.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    section = failure_sections(result.stdout.lines)["test_snap"]
    text = "\n".join(section)
    assert len(section) <= 25, text
    assert "def compare" not in text and "snapshot.py" not in text, text
    result.stdout.fnmatch_lines(["E *render differs from snapshot*", "E *-  mode: blue",
                                 "E *+  mode: green"])


def test_an_assertion_in_the_test_itself_keeps_its_frame(repo):
    repo.makepyfile(test_x="""
        def test_value(kustomize):
            cm = kustomize.build("overlays/ok").get("ConfigMap", "app")
            assert cm["data"]["mode"] == "red"
    """)
    result = repo.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([">       assert cm*== ?red?", "E       AssertionError*"])
