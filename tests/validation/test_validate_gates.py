"""The gates of --kustomize-validate, as a suite's output shows them: overlays outside
testpaths (warning, or ini kustomize_roots), a mode where a missing schema fails, and CRDs
found in the repository (multi-document files such as flux-system/gotk-components.yaml),
Flux's own kinds included — with the verdicts compared between kubeconform and the
in-process validator given the same CRD-derived schemas."""
from __future__ import annotations

import glob
import os
import textwrap

import pytest

from _agreement import agreement
from pytest_kustomize import tools
from pytest_kustomize.tools import find_tool, require_tool
from pytest_kustomize.validation import validate
from pytest_kustomize.validation.crds import find_crd_files, load_crd_files

# found before pytester gives the inner run its own HOME (the tool cache is under ~/.cache)
KUBECONFORM = find_tool("kubeconform")
FLUX_CRDS = tools.tool_data("flux-crds")
CM = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: b}\n"
BAD_SVC = "apiVersion: v1\nkind: Service\nmetadata: {name: s}\nspec: {ports: [{port: x}]}\n"
WIDGET_CRD = textwrap.dedent("""\
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata: {name: widgets.example.com}
    spec:
      group: example.com
      names: {kind: Widget, plural: widgets}
      scope: Namespaced
      versions:
      - name: v1
        served: true
        storage: true
        schema:
          openAPIV3Schema:
            type: object
            properties:
              spec:
                type: object
                properties:
                  size: {type: integer}
    """)


@pytest.fixture
def kubeconform_env(monkeypatch):
    monkeypatch.setenv("PYTEST_KUSTOMIZE_KUBECONFORM", KUBECONFORM or require_tool("kubeconform"))


def test_overlays_outside_testpaths_are_named_in_a_warning(pytester, kubeconform_env):
    pytester.makeini("[pytest]\nkustomize_validate = true\ntestpaths = tests\n")
    pytester.makefile(".yaml", **{"clusters/prod/kustomization": "resources: [svc.yaml]\n",
                                  "clusters/prod/svc": BAD_SVC})
    pytester.makepyfile(**{"tests/test_a": "def test_a():\n    pass\n"})
    result = pytester.runpytest("-W", "default")
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines([
        "*kustomize_validate: 1 kustomization directory under the rootdir is not collected "
        "(testpaths = tests), so nothing validates them: clusters/prod. Set kustomize_roots*"])


def test_kustomize_roots_collects_the_overlays(pytester, kubeconform_env):
    pytester.makeini("[pytest]\nkustomize_validate = true\ntestpaths = tests\n"
                     "kustomize_roots = clusters\n")
    pytester.makefile(".yaml", **{"clusters/prod/kustomization": "resources: [svc.yaml]\n",
                                  "clusters/prod/svc": BAD_SVC,
                                  "clusters/dev/kustomization": "resources: [cm.yaml]\n",
                                  "clusters/dev/cm": CM})
    pytester.makepyfile(**{"tests/test_a": "def test_a():\n    pass\n"})
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*collected 3 items",
                                 "*clusters/dev/kustomization.yaml::validate PASSED*",
                                 "*clusters/prod/kustomization.yaml::validate FAILED*",
                                 "*Service.v1.[[]noGrp]/s.[[]noNs]: spec.ports.0.port: *"])
    assert "not collected" not in result.stdout.str()
    # given explicit arguments, the run is what they name
    pytester.runpytest("tests").assert_outcomes(passed=1)
    # an overlay outside both testpaths and the roots is still named
    pytester.makefile(".yaml", **{"infra/kustomization": "resources: [cm.yaml]\n",
                                  "infra/cm": CM})
    result = pytester.runpytest("-W", "default")
    result.assert_outcomes(passed=2, failed=1, warnings=1)
    result.stdout.fnmatch_lines(["*1 kustomization directory under the rootdir is not "
                                 "collected (testpaths = tests), so nothing validates them: "
                                 "infra.*"])
    pytester.makeini("[pytest]\nkustomize_validate = true\nkustomize_roots = nowhere\n")
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["ERROR: kustomize_roots: *nowhere is not a directory"])


def test_missing_schemas_warn_by_default_and_fail_in_error_mode(pytester, kubeconform_env):
    pytester.makeini("[pytest]\nkustomize_validate = true\nkustomize_validate_find_crds = false\n")
    pytester.makefile(".yaml", **{
        "o/kustomization": "resources: [w.yaml]\n",
        "o/w": "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n"})
    result = pytester.runpytest("-W", "default")
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(["*no schema for example.com/v1 Widget*"
                                 "kustomize_validate_missing_schemas = error makes this a "
                                 "failure*"])
    result = pytester.runpytest("--kustomize-validate-missing-schemas=error")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*1 resources: 1 error*",
                                 "Widget.v1.example.com/w.[[]noNs]: error: no schema for "
                                 "example.com/v1 Widget*o/w.yaml*"])
    pytester.makeini("[pytest]\nkustomize_validate = true\nkustomize_validate_find_crds = false"
                     "\nkustomize_validate_missing_schemas = error\n")
    pytester.runpytest().assert_outcomes(failed=1)
    pytester.makeini("[pytest]\nkustomize_validate = true\n"
                     "kustomize_validate_missing_schemas = maybe\n")
    result = pytester.runpytest()
    result.stdout.fnmatch_lines(["*kustomize_validate_missing_schemas must be warn or error, "
                                 "not 'maybe'*"])


def test_crds_in_a_multi_document_file_of_the_repository_are_found(pytester, kubeconform_env):
    pytester.makeini("[pytest]\nkustomize_validate = true\n"
                     "kustomize_validate_missing_schemas = error\n")
    # the CRD sits in a multi-document file outside any kustomization, after a Namespace
    pytester.makefile(".yaml", **{
        "infra/flux-system/gotk-components": "apiVersion: v1\nkind: Namespace\n"
                                             "metadata: {name: x}\n---\n" + WIDGET_CRD,
        "apps/good/kustomization": "resources: [w.yaml]\n",
        "apps/good/w": "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n"
                       "spec: {size: 3}\n",
        "apps/bad/kustomization": "resources: [w.yaml]\n",
        "apps/bad/w": "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n"
                      "spec: {size: three}\n"})
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*apps/bad/kustomization.yaml::validate FAILED*",
                                 "*apps/good/kustomization.yaml::validate PASSED*",
                                 "Widget.v1.example.com/w.[[]noNs]: spec.size: *apps/bad/w.yaml*"])
    pytester.makeini("[pytest]\nkustomize_validate = true\nkustomize_validate_find_crds = false\n"
                     "kustomize_validate_missing_schemas = error\n")
    pytester.runpytest().assert_outcomes(failed=2)


def test_find_crd_files_reads_every_document(tmp_path):
    (tmp_path / "a.yaml").write_text(CM + "---\n" + WIDGET_CRD + "---\n" +
                                     WIDGET_CRD.replace("widgets", "gadgets")
                                     .replace("Widget", "Gadget"))
    (tmp_path / "b.yaml").write_text(CM)
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "c.yaml").write_text(WIDGET_CRD)
    (tmp_path / "broken.yaml").write_text("kind: CustomResourceDefinition\n: : [\n")
    assert find_crd_files(str(tmp_path)) == [str(tmp_path / "a.yaml")]
    assert [d["spec"]["names"]["kind"] for d, _ in load_crd_files([tmp_path / "a.yaml"])] \
        == ["Widget", "Gadget"]


def _flux_crds() -> str:
    d = FLUX_CRDS
    if not d:
        tools.missing("Flux CRDs not found (written next to the tools when kustomize-controller "
                      "is built); install them with: %s"
                      % tools.install_command("kustomize-controller"), ["kustomize-controller"])
    return d


FLUX_OBJECTS = textwrap.dedent("""\
    apiVersion: source.toolkit.fluxcd.io/v1
    kind: GitRepository
    metadata: {name: flux-system, namespace: flux-system}
    spec:
      interval: 1m0s
      ref: {branch: main}
      url: ssh://git@github.com/example/fleet
    ---
    apiVersion: kustomize.toolkit.fluxcd.io/v1
    kind: Kustomization
    metadata: {name: flux-system, namespace: flux-system}
    spec:
      interval: 10m0s
      path: ./clusters/prod
      prune: %s
      sourceRef: {kind: GitRepository, name: flux-system}
    """)


def test_flux_kinds_are_validated_with_the_crds_of_gotk_components(pytester, kubeconform_env):
    """A Flux repository's gotk-components.yaml (the real CRDs of kustomize-controller and
    source-controller, concatenated as `flux install --export` does) gives schemas to the
    GitRepository and Kustomization of gotk-sync.yaml."""
    crd_text = "---\n".join(open(f).read() for f in sorted(
        glob.glob(os.path.join(_flux_crds(), "*.yaml"))))
    pytester.makeini("[pytest]\nkustomize_validate = true\n"
                     "kustomize_validate_missing_schemas = error\n")
    pytester.makefile(".yaml", **{
        "clusters/prod/flux-system/gotk-components": crd_text,
        "clusters/prod/flux-system/gotk-sync": FLUX_OBJECTS % "true",
        "clusters/prod/flux-system/kustomization": "resources: [gotk-sync.yaml]\n",
        "clusters/bad/flux-system/gotk-sync": FLUX_OBJECTS % '"yes"',
        "clusters/bad/flux-system/kustomization": "resources: [gotk-sync.yaml]\n"})
    result = pytester.runpytest("-v")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*clusters/bad/flux-system/kustomization.yaml::validate FAILED*",
        "*clusters/prod/flux-system/kustomization.yaml::validate PASSED*",
        "*2 resources: 1 valid, 1 invalid (kubeconform*",
        "Kustomization.v1.kustomize.toolkit.fluxcd.io/flux-system.flux-system: spec.prune: *"])
    # the same CRD-derived schemas, both validators: the same verdicts, field by field
    crds = find_crd_files(str(pytester.path))
    assert crds == [str(pytester.path / "clusters/prod/flux-system/gotk-components.yaml")]
    for prune in ("true", '"yes"'):
        for strict in (False, True):
            a = validate(FLUX_OBJECTS % prune, crds=crds, strict=strict,
                         ignore_missing_schemas=False, validator="kubeconform")
            b = validate(FLUX_OBJECTS % prune, crds=crds, strict=strict,
                         ignore_missing_schemas=False, validator="jsonschema")
            assert agreement(a) == agreement(b)
            assert [r.status for r in a.results] == (
                ["valid", "valid"] if prune == "true" else ["valid", "invalid"])


def test_a_broken_crd_found_by_the_search_is_left_out_with_a_warning(pytester,
                                                                      kubeconform_env):
    pytester.makeini("[pytest]\nkustomize_validate = true\n")
    pytester.makefile(".yaml", **{
        "vendor/crds": WIDGET_CRD.replace("  group: example.com\n", ""),
        "o/kustomization": "resources: [cm.yaml]\n", "o/cm": CM})
    result = pytester.runpytest("-W", "default")
    result.assert_outcomes(passed=1, warnings=1)
    result.stdout.fnmatch_lines(["*kustomize_validate_find_crds: *vendor/crds.yaml: field spec: "
                                 "CustomResourceDefinition widgets.example.com has no "
                                 "spec.group or spec.names.kind (file left out)*"])


def test_the_terminal_summary_totals_every_overlay(pytester, kubeconform_env):
    pytester.makeini("[pytest]\nkustomize_validate = true\n")
    pytester.makefile(".yaml", **{
        "a/kustomization": "resources: [cm.yaml, w.yaml]\n", "a/cm": CM,
        "a/w": "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n",
        "b/kustomization": "resources: [svc.yaml]\n", "b/svc": BAD_SVC,
        "c/kustomization": "resources: [missing.yaml]\n"})
    result = pytester.runpytest("-p", "no:randomly")
    result.assert_outcomes(passed=1, failed=2, warnings=1)
    result.stdout.fnmatch_lines(["kustomize validation: 3 renders, 3 resources: 1 valid, "
                                 "1 invalid, 1 no schema, 1 render failed"])
    pytest.importorskip("xdist")
    result = pytester.runpytest("-n", "2")
    result.stdout.fnmatch_lines(["kustomize validation: 3 renders, 3 resources: 1 valid, "
                                 "1 invalid, 1 no schema, 1 render failed"])


def test_a_flux_tree_is_validated_with_the_repository_crds(pytester, kubeconform_env):
    """With kustomize_flux_validate, each tree of kustomize_flux_trees gets a flux-validate item:
    every object its builds produce (the Flux objects of the cluster directory included)."""
    pytester.makeini("[pytest]\nkustomize_validate = true\nkustomize_roots = clusters\n"
                     "kustomize_flux_trees = clusters/c1\nkustomize_flux_validate = true\n")
    pytester.makefile(".yaml", **{
        "clusters/c1/sync": (FLUX_OBJECTS % "true" + "---\n" + textwrap.dedent("""\
            apiVersion: kustomize.toolkit.fluxcd.io/v1
            kind: Kustomization
            metadata: {name: apps, namespace: flux-system}
            spec: {interval: 10m, path: ./apps, prune: true,
                   sourceRef: {kind: GitRepository, name: flux-system}}
            """)).replace("./clusters/prod", "./clusters/c1"),
        "crds/widgets": WIDGET_CRD,
        "apps/kustomization": "resources: [w.yaml, svc.yaml]\n",
        "apps/w": "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n"
                  "spec: {size: big}\n",
        "apps/svc": BAD_SVC})
    result = pytester.runpytest("-v", "-W", "default", "apps", "clusters")
    result.assert_outcomes(passed=3, failed=2, warnings=3)   # apps validate, flux-validate
    result.stdout.fnmatch_lines(["*clusters/c1/sync.yaml::flux-validate FAILED*",
                                 "*_ flux-validate _*", "5 resources: 2 invalid, 3 skipped*"])
    section = result.stdout.str().split("_ flux-validate _")[1]
    for line in ("Service.v1.[noGrp]/s.[noNs]: spec.ports.0.port: ",
                 "Widget.v1.example.com/w.[noNs]: spec.size: "):
        assert line in section, section
    # the Flux objects have no schema here (no Flux CRDs in this repository): warned
    result.stdout.fnmatch_lines(["*no schema for kustomize.toolkit.fluxcd.io/v1 "
                                 "Kustomization*"])
