"""Every ```python block in docs/ runs (from the repository root)."""
import os
import re

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DOCS = os.path.join(ROOT, "docs")
BLOCK = re.compile(r"```python\n(.*?)```", re.S)


def _blocks():
    out = []
    for name in sorted(os.listdir(DOCS)):
        if name.endswith(".md"):
            text = open(os.path.join(DOCS, name), encoding="utf-8").read()
            for i, code in enumerate(BLOCK.findall(text)):
                out.append(pytest.param(code, id="%s-%d" % (name, i)))
    return out


@pytest.mark.parametrize("code", _blocks())
def test_doc_example_runs(code, monkeypatch):
    monkeypatch.chdir(ROOT)
    exec(compile(code, "<doc>", "exec"), {"__name__": "doc_example"})
