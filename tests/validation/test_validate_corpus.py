"""Every expected output of the conformance corpus, valid or not, gets the same verdicts and
the same flagged fields from kubeconform and from the in-process validator."""
from __future__ import annotations

import collections
import os

import pytest
import yaml

from _agreement import agreement
from pytest_kustomize.tools import require_tool
from pytest_kustomize.validation import validate

CORPUS = os.environ.get("KUSTOMIZE_CONFORMANCE_DIR") or os.path.join(
    os.path.dirname(__file__), "..", "..", "..", "shared", "conformance")


def outputs():
    cases = os.path.join(CORPUS, "cases")
    if not os.path.isdir(cases):
        return []
    out = []
    for name in sorted(os.listdir(cases)):
        with open(os.path.join(cases, name, "case.yaml")) as f:
            meta = yaml.safe_load(f)
        if meta.get("expect") == "output":
            out.append(os.path.join(cases, name, "expected.yaml"))
    return out


@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
def test_both_validators_agree_on_every_corpus_output(strict):
    require_tool("kubeconform")
    files = outputs()
    assert len(files) >= 260, "conformance corpus not found at %s" % CORPUS
    seen = collections.Counter()
    differ = []
    for path in files:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        a = validate(text, validator="kubeconform", strict=strict, source=path)
        b = validate(text, validator="jsonschema", strict=strict, source=path)
        if agreement(a) != agreement(b):
            differ.append((path, agreement(a), agreement(b)))
        seen.update(r.status for r in a.results)
    assert differ == []
    # the corpus exercises every verdict (it is not all-valid)
    assert seen["valid"] > 300 and seen["invalid"] > 50 and seen["skipped"] > 100
