"""The test ``--kustomize-validate`` adds for each collected kustomization directory."""
from __future__ import annotations

import os

import pytest

from ..errors import KustomizeError


class ValidationFailed(Exception):
    pass


class KustomizationValidation(pytest.File):
    """A kustomization file: one validation item, unless it is a Component."""

    def collect(self):
        from ..engine.kustomization import Kustomization  # noqa: F401  (parse errors: item)
        try:
            import yaml
            with open(self.path, encoding="utf-8") as f:
                doc = yaml.safe_load(f) or {}
            if isinstance(doc, dict) and doc.get("kind") == "Component":
                return
        except (OSError, Exception):
            pass                      # the render reports what is wrong with the file
        yield ValidationItem.from_parent(self, name="validate")


class ValidationItem(pytest.Item):
    def runtest(self):
        from ..plugin import _opt, renderer_for
        from ..validation import validate
        config = self.config
        directory = os.path.dirname(str(self.path))
        try:
            res = renderer_for(config).build(directory)
            report = validate(
                res, kubernetes_version=_opt(config, "kustomize_kubernetes_version") or None,
                strict=bool(_opt(config, "kustomize_validate_strict")),
                skip_kinds=config.getini("kustomize_validate_skip_kinds"),
                crds=[str(p) for p in config.getini("kustomize_validate_crds")])
        except KustomizeError as e:
            raise ValidationFailed("render failed: %s" % e) from None
        self.user_properties.append(("validation", report.summary()))
        for r in report.skipped:
            if r.message.startswith("no schema"):
                import warnings
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
