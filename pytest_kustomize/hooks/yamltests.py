"""Collects ``test_*.kustomize.yaml`` files: one pytest item per test in the file and
overlay it runs on (``name[overlays/prod]`` when a test runs on several)."""
from __future__ import annotations

import os

import pytest

from ..engine import yamlio
from ..errors import KustomizeError
from ..snapshot import Snapshot
from ..yamltests import load, run_test
from .options import option
from .render import renderer_for
from .snapshot import _USED, ci_mode


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
            overlays = tf.overlays(i)
            if not overlays:
                raise self.CollectError(str(tf.error(
                    "tests[%d]: no overlay given (set 'overlay' or 'overlays' at the top or "
                    "in the test)" % i, "tests", i)))
            for overlay in overlays:
                yield YamlTestItem.from_parent(
                    self, name=name if len(overlays) == 1 else "%s[%s]" % (name, overlay),
                    test_file=tf, index=i, overlay=overlay)


class YamlTestItem(pytest.Item):
    def __init__(self, *, test_file, index, overlay, **kw):
        super().__init__(**kw)
        self.test_file = test_file
        self.index = index
        self.overlay = overlay
        skip = test_file.spec["tests"][index].get("skip")
        if skip:
            self.add_marker(pytest.mark.skip(reason=str(skip.get("reason"))))

    def runtest(self):
        tf = self.test_file
        overlay = os.path.join(os.path.dirname(str(self.path)), self.overlay)
        options = tf.spec.get("options") or {}
        config = self.config
        store = Snapshot(str(self.path), self.nodeid.split("::", 1)[1],
                         bool(option(config, "kustomize_snapshot_update")), ci_mode(config),
                         config.stash[_USED])

        def snapshot(values, name):
            return store.assert_match(yamlio.dump_documents(values), name)
        run_test(tf, self.index, lambda: renderer_for(config).build(overlay, **options),
                 snapshot)

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, (AssertionError, KustomizeError)):
            return "%s\n  in %s, test %r" % (excinfo.value, self.path.name, self.name)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        line = self.test_file.lines.get(("tests", self.index))
        return self.path, None if line is None else line - 1, self.name
