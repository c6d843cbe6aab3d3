"""The JSON schema of YAML test files (docs/yaml-tests.schema.json): it is what the code
checks, every example test file in the repository and in the docs passes it, and typos are
rejected both by the schema (as an editor would) and by collection (naming file and line)."""
from __future__ import annotations

import glob
import json
import os
import re

import jsonschema
import pytest
import yaml

from pytest_kustomize.errors import KustomizeError
from pytest_kustomize.yamltests import load, schema

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PUBLISHED = os.path.join(ROOT, "docs", "yaml-tests.schema.json")


def _validator():
    with open(PUBLISHED, encoding="utf-8") as f:
        published = json.load(f)
    jsonschema.Draft202012Validator.check_schema(published)
    return jsonschema.Draft202012Validator(published)


def _examples() -> list:
    out = []
    for p in sorted(glob.glob(os.path.join(ROOT, "examples", "**", "test_*.kustomize.y*ml"),
                              recursive=True)):
        out.append(pytest.param(open(p, encoding="utf-8").read(), id=os.path.relpath(p, ROOT)))
    doc = open(os.path.join(ROOT, "docs", "yaml-tests.md"), encoding="utf-8").read()
    for i, block in enumerate(re.findall(r"```yaml\n(.*?)```", doc, re.S)):
        if re.search(r"^tests:", block, re.M):
            out.append(pytest.param(block, id="docs/yaml-tests.md-%d" % i))
    return out


def test_the_published_schema_is_the_one_the_code_checks():
    with open(PUBLISHED, encoding="utf-8") as f:
        assert json.load(f) == schema(), (
            "regenerate: python3 -c 'import json; from pytest_kustomize.yamltests import "
            "schema; print(json.dumps(schema(), indent=2, sort_keys=True))' "
            "> docs/yaml-tests.schema.json")


def test_there_are_examples_to_check():
    ids = [p.id for p in _examples()]
    assert "examples/test_shop.kustomize.yaml" in ids
    assert sum(i.startswith("docs/") for i in ids) >= 3


@pytest.mark.parametrize("text", _examples())
def test_every_example_test_file_is_valid(text):
    data = yaml.safe_load(text)
    errors = [e.message for e in _validator().iter_errors(data)]
    assert errors == []
    load(text, "example.kustomize.yaml")        # and the collector accepts it


TYPOS = [
    # (the file, what collection says, where the schema says it is)
    ("overlay: o\ntests:\n- it: t\n  assert:\n  - exists: {path: a}\n",
     "example.kustomize.yaml:4: tests[0]: unknown key 'assert'", ["tests", 0]),
    ("overlay: o\ntests:\n- it: t\n  asserts:\n  - equal: {path: a, vlaue: 1}\n",
     "example.kustomize.yaml:5: tests[0].asserts[0]: equal: unknown parameter 'vlaue' "
     "(takes decodeBase64, path, value)", ["tests", 0, "asserts", 0]),
    ("overlay: o\ntests:\n- it: t\n  asserts:\n  - equals: {path: a, value: 1}\n",
     "example.kustomize.yaml:5: tests[0].asserts[0]: unknown assertion 'equals'",
     ["tests", 0, "asserts", 0]),
    ("overlay: o\ntests:\n- it: t\n  documentSelector: {path: a, valeu: b}\n  asserts:\n"
     "  - exists: {path: a}\n",
     "example.kustomize.yaml:4: tests[0]: documentSelector takes path and value (and "
     "matchMany)", ["tests", 0, "documentSelector"]),
    ("overlay: o\ntests:\n- it: t\n  documentSelector: {path: a, value: b, matchmany: true}\n"
     "  asserts:\n  - exists: {path: a}\n",
     "example.kustomize.yaml:4: tests[0].documentSelector: unknown key 'matchmany' (use "
     "matchMany, path, value)", ["tests", 0, "documentSelector"]),
    ("overlay: o\ntests:\n- it: t\n  asserts:\n  - greaterOrEqual: {path: a}\n",
     "example.kustomize.yaml:5: tests[0].asserts[0]: greaterOrEqual needs 'value'",
     ["tests", 0, "asserts", 0]),
    ("overlay: o\ntests:\n- it: t\n  asserts:\n  - lengthEqual: {path: a}\n",
     "example.kustomize.yaml:5: tests[0].asserts[0]: lengthEqual needs 'count'",
     ["tests", 0, "asserts", 0]),
    ("overlay: o\ntests:\n- it: t\n  asserts:\n  - exists: {path: a}\n    not: yes please\n",
     "example.kustomize.yaml:6: tests[0].asserts[0].not: 'yes please' is not of type "
     "'boolean'", ["tests", 0, "asserts", 0]),
    ("overlays: overlays/prod\ntests:\n- it: t\n  asserts:\n  - exists: {path: a}\n",
     "example.kustomize.yaml:1: overlays: 'overlays/prod' is not of type 'array'",
     ["overlays"]),
    ("overlay: o\ntests:\n- it: t\n  documentIndex: -1\n  asserts:\n  - exists: {path: a}\n",
     "example.kustomize.yaml:4: tests[0].documentIndex: -1 is less than the minimum of 0",
     ["tests", 0, "documentIndex"]),
    ("overlay: o\ntests:\n- it: t\n  asserts:\n  - failedRender: {errorMesage: x}\n",
     "example.kustomize.yaml:5: tests[0].asserts[0]: failedRender: unknown parameter "
     "'errorMesage' (takes errorMessage, errorPattern)", ["tests", 0, "asserts", 0]),
    ("overlay: o\nsuit: s\ntests:\n- it: t\n  asserts:\n  - exists: {path: a}\n",
     "example.kustomize.yaml:2: unknown key 'suit'", []),
]


@pytest.mark.parametrize("text, message, where", TYPOS, ids=[m.split(": ", 1)[1][:40]
                                                             for _t, m, _w in TYPOS])
def test_typos_are_rejected_by_the_schema_and_by_collection(text, message, where):
    errors = list(_validator().iter_errors(yaml.safe_load(text)))
    assert errors, "the schema accepted a typo"
    assert any(list(e.absolute_path)[:len(where)] == where for e in errors), [
        (list(e.absolute_path), e.message) for e in errors]
    with pytest.raises(KustomizeError) as ei:
        load(text, "example.kustomize.yaml")
    assert str(ei.value).startswith(message), str(ei.value)


@pytest.mark.parametrize("entry, message", [
    ("- matchRegex: {path: a, pattern: '(['}",
     "example.kustomize.yaml:5: tests[0].asserts[0]: matchRegex: pattern '([' is not a "
     "regular expression"),
    ("- failedRender: {errorPattern: '*x'}",
     "example.kustomize.yaml:5: tests[0].asserts[0]: failedRender: errorPattern '*x' is not "
     "a regular expression"),
    ("- isType: {path: a, type: integer}",
     "example.kustomize.yaml:5: tests[0].asserts[0]: isType: unknown type 'integer' (known: "
     "string, int"),
    ("- exists: {path: 'spec..replicas'}",
     "example.kustomize.yaml:5: tests[0].asserts[0]: exists: malformed field path "
     "'spec..replicas'"),
    ("- lengthEqual: {paths: [a, 'b[']}",
     "example.kustomize.yaml:5: tests[0].asserts[0]: lengthEqual: malformed field path 'b['"),
    ("- exists: {path: a}\n    documentSelector: {path: 'x]', value: 1}",
     "example.kustomize.yaml:6: tests[0].asserts[0].documentSelector: malformed field path "
     "'x]'"),
])
def test_bad_patterns_and_paths_are_named_at_collection(entry, message):
    text = "overlay: o\ntests:\n- it: t\n  asserts:\n  %s\n" % entry
    with pytest.raises(KustomizeError) as ei:
        load(text, "example.kustomize.yaml")
    assert str(ei.value).startswith(message), str(ei.value)


def test_a_typo_fails_collection_with_file_and_line(pytester):
    pytester.path.joinpath("test_typo.kustomize.yaml").write_text(TYPOS[1][0])
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(errors=1)
    result.stdout.fnmatch_lines([
        "*test_typo.kustomize.yaml:5: tests[[]0[]].asserts[[]0[]]: equal: unknown parameter "
        "'vlaue' (takes decodeBase64, path, value)*"])
    assert "Traceback" not in result.stdout.str()
