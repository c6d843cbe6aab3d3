"""``--kustomize-validate``: a schema-validation test for every kustomization file collected
(Components excepted), with its options.

Gates: ini ``kustomize_roots`` adds directories to the collection when pytest's own
(``testpaths``) does not reach them (validation items, and the Flux items of
``kustomize_flux_trees``), and a warning names
the kustomization directories nothing validates; ``kustomize_validate_missing_schemas =
error`` makes a resource without a schema fail; the CRDs of the repository (CRD files and
multi-document files such as ``flux-system/gotk-components.yaml``) give schemas to their
custom resources (``kustomize_validate_find_crds``, default on)."""
from __future__ import annotations

import os
import warnings

import pytest
import yaml

from ..engine.loader import KUSTOMIZATION_FILE_NAMES
from ..errors import KustomizeError
from ..validation import validate
from ..validation import crds as crdmod
from ..validation.crds import find_crd_files
from .options import option
from .render import renderer_for

_FOUND_CRDS = pytest.StashKey[list]()
_SKIP_DIRS = {"node_modules", "__pycache__", "venv", ".venv"}


def pytest_addoption(parser):
    group = parser.getgroup("kustomize-validate", "pytest-kustomize schema validation")
    group.addoption("--kustomize-validate", action="store_true", default=None,
                    help="add a schema-validation test for every kustomization directory "
                    "collected (Components excepted)")
    group.addoption("--kustomize-kubernetes-version", default=None,
                    help="Kubernetes version of the schemas (default 1.33)")
    group.addoption("--kustomize-validate-strict", action="store_true", default=None,
                    help="unknown fields are invalid")
    group.addoption("--kustomize-validate-missing-schemas", choices=["warn", "error"],
                    default=None, help="a resource without a schema: a warning (default) "
                    "or a failure")
    parser.addini("kustomize_validate", "add a validation test per kustomization", type="bool",
                  default=False)
    parser.addini("kustomize_kubernetes_version", "Kubernetes version of the schemas",
                  default="")
    parser.addini("kustomize_validate_strict", "unknown fields are invalid", type="bool",
                  default=False)
    parser.addini("kustomize_validate_skip_kinds", "kinds not to validate", type="args",
                  default=[])
    parser.addini("kustomize_validate_crds", "CRD files/directories (relative to the rootdir)",
                  type="paths", default=[])
    parser.addini("kustomize_validate_missing_schemas", "warn (default) or error: a resource "
                  "without a schema", default="")
    parser.addini("kustomize_validate_find_crds", "give schemas to the custom resources of "
                  "every CRD found in the rootdir's YAML files", type="bool", default=True)
    parser.addini("kustomize_roots", "directories collected besides testpaths: their "
                  "kustomization files (validation) and Flux cluster trees", type="paths",
                  default=[])


def pytest_collect_file(file_path, parent):
    if file_path.name in KUSTOMIZATION_FILE_NAMES and option(parent.config,
                                                             "kustomize_validate"):
        return KustomizationValidation.from_parent(parent, path=file_path)
    return None


def _kustomization_files(root: str) -> list:
    out = []
    for dirpath, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in _SKIP_DIRS)
        out += [os.path.join(dirpath, n) for n in names if n in KUSTOMIZATION_FILE_NAMES]
    return sorted(out)


def _roots(config) -> list:
    roots = [str(p) for p in config.getini("kustomize_roots")]
    for root in roots:
        if not os.path.isdir(root):
            raise pytest.UsageError("kustomize_roots: %s is not a directory" % root)
    return roots


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    if not option(config, "kustomize_validate"):
        return
    done = {os.path.realpath(str(it.path)) for it in items if isinstance(it, ValidationItem)}
    if config.args_source == pytest.Config.ArgsSource.ARGS:
        return                  # the arguments name the run
    missed = [f for f in _kustomization_files(str(config.rootpath))
              if os.path.realpath(f) not in done and not _is_component(f)]
    if missed:
        rel = [os.path.relpath(os.path.dirname(f), str(config.rootpath)) for f in missed]
        warnings.warn_explicit(pytest.PytestWarning(
            "kustomize_validate: %d kustomization %s under the rootdir %s not collected "
            "(testpaths = %s), so nothing validates them: %s%s. Set kustomize_roots "
            "in the ini file (or add them to testpaths)." % (
                len(rel), "directory" if len(rel) == 1 else "directories",
                "is" if len(rel) == 1 else "are",
                " ".join(config.getini("testpaths")) or "(none)", ", ".join(rel[:5]),
                " …" if len(rel) > 5 else "")), None,
            os.path.relpath(str(config.inipath or config.rootpath), str(config.rootpath)), 1)


def _is_component(path) -> bool:
    try:
        with open(path, encoding="utf-8") as f:
            doc = yaml.safe_load(f) or {}
        return isinstance(doc, dict) and doc.get("kind") == "Component"
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return False                  # the render reports what is wrong with the file


def _crds(config) -> list:
    crds = [str(p) for p in config.getini("kustomize_validate_crds")]
    if config.getini("kustomize_validate_find_crds"):
        if _FOUND_CRDS not in config.stash:
            found = []
            for f in find_crd_files(str(config.rootpath)):
                try:
                    crdmod.collect([], [f])
                    found.append(f)
                except KustomizeError as e:     # a broken CRD found by the search: said once
                    warnings.warn("kustomize_validate_find_crds: %s (file left out)" % e)
            config.stash[_FOUND_CRDS] = found
        crds += [f for f in config.stash[_FOUND_CRDS] if f not in crds]
    return crds


def _missing_is_error(config) -> bool:
    mode = option(config, "kustomize_validate_missing_schemas", "warn")
    if mode not in ("warn", "error"):
        raise pytest.UsageError("kustomize_validate_missing_schemas must be warn or error, "
                                "not %r" % mode)
    return mode == "error"


COUNTS = "kustomize_validation_counts"


class _Totals:
    """Totals of every validation item of one session (overlays, Flux trees), counted from
    the reports (so the items xdist workers ran count too), shown in the terminal summary."""

    def __init__(self):
        self.n, self.counts = 0, {}

    def pytest_runtest_logreport(self, report):
        if report.when != "call":
            return
        for name, counts in report.user_properties:
            if name == COUNTS and isinstance(counts, dict):
                self.n += 1
                for k, v in counts.items():
                    self.counts[k] = self.counts.get(k, 0) + v

    def pytest_terminal_summary(self, terminalreporter):
        if not self.n:
            return
        c = self.counts
        order = ["valid", "invalid", "error", "no schema", "skipped", "render failed"]
        bad = bool(c.get("invalid") or c.get("error") or c.get("render failed"))
        terminalreporter.write_line("kustomize validation: %d render%s, %d resources: %s" % (
            self.n, "" if self.n == 1 else "s",
            sum(v for k, v in c.items() if k != "render failed"),
            ", ".join("%d %s" % (c[k], k) for k in order if c.get(k))), red=bad, green=not bad)


def pytest_configure(config):
    if option(config, "kustomize_validate") or config.getini("kustomize_flux_validate"):
        config.pluginmanager.register(_Totals(), "kustomize-validation-totals")
    # overlays and cluster trees outside testpaths: collect them too (unless arguments
    # name the run)
    if config.getini("kustomize_roots") and \
            config.args_source != pytest.Config.ArgsSource.ARGS:
        args = list(config.args)
        have = {os.path.realpath(os.path.join(str(config.invocation_params.dir), a))
                for a in args}
        config.args = args + [r for r in _roots(config) if os.path.realpath(r) not in have]


class ValidationFailed(Exception):
    pass


class KustomizationValidation(pytest.File):
    """A kustomization file: one validation item, unless it is a Component."""

    def collect(self):
        if not _is_component(self.path):
            yield ValidationItem.from_parent(self, name="validate")


def _validate(config, resources):
    return validate(
        resources, kubernetes_version=option(config, "kustomize_kubernetes_version"),
        strict=bool(option(config, "kustomize_validate_strict", False)),
        skip_kinds=config.getini("kustomize_validate_skip_kinds"),
        crds=_crds(config), ignore_missing_schemas=not _missing_is_error(config))


class FluxTreeValidation(pytest.Item):
    """``flux-validate``: every object of every build of a Flux tree (the Kustomizations and
    sources of the cluster directory included), with the CRDs of the repository."""

    def __init__(self, *, tree, **kw):
        super().__init__(**kw)
        self.tree = tree

    def runtest(self):
        objects = [r for b in self.tree.builds.values() for r in b.resources]
        try:
            report = _validate(self.config, objects)
        except KustomizeError as e:
            raise ValidationFailed("validation failed: %s" % e) from None
        _check(self, report)

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, ValidationFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, self.name


def _check(item, report) -> None:
    item.user_properties.append(("validation", report.summary()))
    counts: dict = {}
    for r in report.results:
        key = "no schema" if r.status == "skipped" and r.message.startswith("no schema") \
            else r.status
        counts[key] = counts.get(key, 0) + 1
    item.user_properties.append((COUNTS, counts))
    for r in report.skipped:
        if r.message.startswith("no schema"):
            warnings.warn("%s: %s (kustomize_validate_missing_schemas = error makes this "
                          "a failure)" % (r.resource_id, r.message))
    if not report.ok:
        raise ValidationFailed("%s\n%s" % (report.summary(), "\n".join(
            line for r in report.invalid for line in r.lines())))


class ValidationItem(pytest.Item):
    def runtest(self):
        config = self.config
        directory = os.path.dirname(str(self.path))
        _missing_is_error(config)
        try:
            report = _validate(config, renderer_for(config).build(directory))
        except KustomizeError as e:
            self.user_properties.append((COUNTS, {"render failed": 1}))
            raise ValidationFailed("render failed: %s" % e) from None
        _check(self, report)

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, ValidationFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, "validate %s" % os.path.dirname(str(self.path))
