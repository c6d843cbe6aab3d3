"""``--kustomize-validate``: a schema-validation test for every kustomization file collected
(Components excepted), with its options."""
from __future__ import annotations

import os
import warnings

import pytest
import yaml

from ..engine.loader import KUSTOMIZATION_FILE_NAMES
from ..errors import KustomizeError
from ..validation import validate
from .options import option
from .render import renderer_for


def pytest_addoption(parser):
    group = parser.getgroup("kustomize-validate", "pytest-kustomize schema validation")
    group.addoption("--kustomize-validate", action="store_true", default=None,
                    help="add a schema-validation test for every kustomization directory "
                    "collected (Components excepted)")
    group.addoption("--kustomize-kubernetes-version", default=None,
                    help="Kubernetes version of the schemas (default 1.33)")
    group.addoption("--kustomize-validate-strict", action="store_true", default=None,
                    help="unknown fields are invalid")
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


def pytest_collect_file(file_path, parent):
    if file_path.name in KUSTOMIZATION_FILE_NAMES and option(parent.config,
                                                             "kustomize_validate"):
        return KustomizationValidation.from_parent(parent, path=file_path)
    return None


class ValidationFailed(Exception):
    pass


class KustomizationValidation(pytest.File):
    """A kustomization file: one validation item, unless it is a Component."""

    def collect(self):
        try:
            with open(self.path, encoding="utf-8") as f:
                doc = yaml.safe_load(f) or {}
            if isinstance(doc, dict) and doc.get("kind") == "Component":
                return
        except (OSError, UnicodeDecodeError, yaml.YAMLError):
            pass                      # the render reports what is wrong with the file
        yield ValidationItem.from_parent(self, name="validate")


class ValidationItem(pytest.Item):
    def runtest(self):
        config = self.config
        directory = os.path.dirname(str(self.path))
        try:
            res = renderer_for(config).build(directory)
            report = validate(
                res, kubernetes_version=option(config, "kustomize_kubernetes_version"),
                strict=bool(option(config, "kustomize_validate_strict", False)),
                skip_kinds=config.getini("kustomize_validate_skip_kinds"),
                crds=[str(p) for p in config.getini("kustomize_validate_crds")])
        except KustomizeError as e:
            raise ValidationFailed("render failed: %s" % e) from None
        self.user_properties.append(("validation", report.summary()))
        for r in report.skipped:
            if r.message.startswith("no schema"):
                warnings.warn("%s: %s" % (r.resource_id, r.message))
        if not report.ok:
            raise ValidationFailed("%s\n%s" % (report.summary(), "\n".join(
                line for r in report.invalid for line in r.lines())))

    def repr_failure(self, excinfo):
        if isinstance(excinfo.value, ValidationFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo)

    def reportinfo(self):
        return self.path, None, "validate %s" % os.path.dirname(str(self.path))
