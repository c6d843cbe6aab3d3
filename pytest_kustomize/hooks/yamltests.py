"""Collects ``test_*.kustomize.yaml`` files: one pytest item per test in the file and
overlay it runs on (``name[overlays/prod]`` when a test runs on several). A test
renders the file's ``overlay``, or its ``flux`` Kustomization (from a cluster tree or a
file), or checks ``gates`` on a ``diff`` of two refs (``yamlgates``)."""
from __future__ import annotations

import os

import pytest

from ..engine import yamlio
from ..errors import KustomizeError
from ..gates import flux_kustomizations, flux_owners
from ..gitdiff import diff_refs
from ..snapshot import Snapshot
from ..sources.git import open_repo
from ..yamlgates import run_gates
from ..yamltests import load, run_test
from .flux import FluxHelper
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
            if tf.spec.get("flux") or tf.spec.get("diff"):
                # a Flux Kustomization or a diff of refs: one item, whatever the overlays
                yield YamlTestItem.from_parent(self, name=name, test_file=tf, index=i,
                                               overlay=None)
                continue
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

    def _here(self, p) -> str:
        return os.path.normpath(os.path.join(os.path.dirname(str(self.path)), str(p)))

    def runtest(self):
        tf = self.test_file
        if tf.spec.get("diff"):
            return self._run_gates(tf)
        config = self.config
        store = Snapshot(str(self.path), self.nodeid.split("::", 1)[1],
                         bool(option(config, "kustomize_snapshot_update")), ci_mode(config),
                         config.stash[_USED])

        def snapshot(values, name):
            return store.assert_match(yamlio.dump_documents(values), name)
        if tf.spec.get("flux"):
            return run_test(tf, self.index, lambda: self._flux(tf.spec["flux"]), snapshot)
        overlay = os.path.join(os.path.dirname(str(self.path)), self.overlay)
        options = tf.spec.get("options") or {}
        run_test(tf, self.index, lambda: renderer_for(config).build(overlay, **options),
                 snapshot)

    def _flux(self, f: dict):
        """The resources of the file's Flux Kustomization (trees cached per session)."""
        helper = FluxHelper(self.config)
        ns, _, name = str(f["kustomization"]).rpartition("/")
        anchor = self._here(f.get("tree") or os.path.dirname(str(f.get("file"))))
        root = self._here(f["root"]) if f.get("root") else _work_tree(anchor)
        values = [self._here(v) for v in f.get("values") or []]
        strict = f.get("strict")
        if f.get("tree"):
            tree = helper.tree(anchor, root, strict=strict, values=values)
            return tree.get(name, ns or None).resources
        return helper.build(name, self._here(f["file"]), root=root,
                            path=self._here(f["path"]) if f.get("path") else None,
                            namespace=ns or f.get("namespace") or "flux-system",
                            strict=strict, values=values).resources

    def _run_gates(self, tf) -> None:
        spec, cache = tf.spec, tf.__dict__.setdefault("_diff", {})
        if "d" not in cache:
            names = spec.get("overlays") or [spec.get("overlay")]
            if not all(names):
                raise tf.error("a 'diff' file needs 'overlay' or 'overlays'", "diff")
            dirs = [self._here(n) for n in names]
            d = spec["diff"]
            cache["d"] = diff_refs(dirs, str(d["base"]), d.get("head") and str(d["head"]),
                                   ignore=d.get("ignore") or ())
            cache["owners"] = cache["base_owners"] = None
            if d.get("flux"):
                root = _work_tree(dirs[0])
                cache["owners"] = flux_owners(
                    dirs, flux_kustomizations(root, d.get("head") and str(d["head"])), root)
                cache["base_owners"] = flux_owners(
                    dirs, flux_kustomizations(root, str(d["base"])), root)
        run_gates(tf, self.index, cache["d"], cache["owners"], cache["base_owners"])

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, (AssertionError, KustomizeError)):
            return "%s\n  in %s, test %r" % (excinfo.value, self.path.name, self.name)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        line = self.test_file.lines.get(("tests", self.index))
        return self.path, None if line is None else line - 1, self.name


def _work_tree(path: str) -> str:
    try:
        return os.path.realpath(open_repo(path).working_tree_dir)
    except KustomizeError:
        return os.path.dirname(path)
