"""Loading and composition (resources, bases, components, load restrictor, cycles, duplicate
ids, kustomization file names) against kubectl."""
import pytest

import pytest_kustomize
from pytest_kustomize.errors import KustomizeError

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {n}\ndata:\n  k: v\n"


def test_nested_bases_directories_and_multidoc(oracle):
    oracle.assert_same({
        "base/kustomization.yaml": "resources:\n- cms.yaml\n",
        "base/cms.yaml": CM.format(n="a") + "---\n" + CM.format(n="b"),
        "mid/kustomization.yml": "bases:\n- ../base\nnamePrefix: mid-\n",
        "top/Kustomization": "resources:\n- ../mid\n- extra.yaml\nnamespace: top\n",
        "top/extra.yaml": CM.format(n="c"),
    }, build_dir="top")


def test_components_apply_in_the_parents_context(oracle):
    oracle.assert_same({
        "base/kustomization.yaml": "resources:\n- cm.yaml\n",
        "base/cm.yaml": CM.format(n="a"),
        "comp/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1alpha1\n"
                                   "kind: Component\ncommonLabels:\n  comp: 'yes'\n"
                                   "resources:\n- extra.yaml\n",
        "comp/extra.yaml": CM.format(n="from-component"),
        "overlay/kustomization.yaml": "resources:\n- ../base\ncomponents:\n- ../comp\n"
                                      "namePrefix: o-\n",
    }, build_dir="overlay")


def test_file_outside_root_is_refused_unless_load_restrictor_none(oracle):
    files = {
        "shared/cm.yaml": CM.format(n="shared"),
        "app/kustomization.yaml": "resources:\n- ../shared/cm.yaml\n",
    }
    err = oracle.assert_both_fail(files, build_dir="app", contains="is not in or below")
    assert "kustomization.yaml" in str(err)
    oracle.assert_same(build_dir="app", flags=("--load-restrictor", "LoadRestrictionsNone"),
                       load_restrictor="none")


def test_cycle_is_detected(oracle):
    oracle.assert_both_fail({
        "a/kustomization.yaml": "resources:\n- ../b\n",
        "b/kustomization.yaml": "resources:\n- ../a\n",
    }, build_dir="a", contains="cycle detected")


def test_duplicate_ids_are_errors(oracle):
    oracle.assert_both_fail({
        "kustomization.yaml": "resources:\n- a.yaml\n- b.yaml\n",
        "a.yaml": CM.format(n="same"),
        "b.yaml": CM.format(n="same"),
    }, contains="may not add resource with an already registered id")


def test_same_name_in_different_namespaces_is_fine(oracle):
    oracle.assert_same({
        "kustomization.yaml": "resources:\n- a.yaml\n- b.yaml\n",
        "a.yaml": CM.format(n="same").replace("name: same", "name: same\n  namespace: x"),
        "b.yaml": CM.format(n="same"),
    })


def test_unknown_kustomization_field_names_file_and_field(oracle):
    err = oracle.assert_both_fail({"kustomization.yaml": "resources: []\nnamePrefx: a-\n"},
                                  contains="unknown field")
    assert err.file.endswith("kustomization.yaml") and err.field == "namePrefx"


def test_missing_kustomization_file(tmp_path):
    with pytest.raises(KustomizeError) as ei:
        pytest_kustomize.build(tmp_path)
    assert "kustomization" in str(ei.value)
