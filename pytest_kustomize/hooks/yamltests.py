"""Collects ``test_*.kustomize.yaml`` files: one pytest item per test in the file."""
from __future__ import annotations

import os

import pytest

from ..errors import KustomizeError
from ..yamltests import load, run_test
from .render import renderer_for


def pytest_collect_file(file_path, parent):
    name = file_path.name
    if name.startswith("test_") and name.endswith((".kustomize.yaml", ".kustomize.yml")):
        return YamlTestFile.from_parent(parent, path=file_path)
    return None


class YamlTestFile(pytest.File):
    def collect(self):
        try:
            tf = load(self.path.read_text(encoding="utf-8"), str(self.path))
        except (KustomizeError, OSError, UnicodeDecodeError) as e:
            raise self.CollectError(str(e)) from None
        for i, t in enumerate(tf.spec["tests"]):
            name = str(t.get("name") or t.get("it") or "test %d" % (i + 1))
            yield YamlTestItem.from_parent(self, name=name, test_file=tf, index=i)


class YamlTestItem(pytest.Item):
    def __init__(self, *, test_file, index, **kw):
        super().__init__(**kw)
        self.test_file = test_file
        self.index = index

    def runtest(self):
        tf, t = self.test_file, self.test_file.spec["tests"][self.index]
        overlay = t.get("overlay") or tf.spec.get("overlay")
        if not overlay:
            raise tf.error("no overlay given (set 'overlay' at the top or in the test)",
                           "tests", self.index)
        overlay = os.path.join(os.path.dirname(str(self.path)), str(overlay))
        resources = renderer_for(self.config).build(overlay, **(tf.spec.get("options") or {}))
        run_test(tf, self.index, resources)

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, (AssertionError, KustomizeError)):
            return "%s\n  in %s, test %r" % (excinfo.value, self.path.name, self.name)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        line = self.test_file.lines.get(("tests", self.index))
        return self.path, None if line is None else line - 1, self.name
