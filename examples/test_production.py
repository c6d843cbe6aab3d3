"""The seed scenario: the production overlay scales nginx to 3 and changes nothing else."""
import copy
import os
import shutil
import subprocess

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))


def test_production_runs_three_replicas(kustomize):
    prod = kustomize.build(os.path.join(HERE, "overlays/production"))
    deployment = prod[0]
    assert deployment.kind == "Deployment"
    assert deployment.data["spec"]["replicas"] == 3


def test_production_changes_nothing_else(kustomize):
    base = kustomize.build(os.path.join(HERE, "base")).to_dicts()
    prod = kustomize.build(os.path.join(HERE, "overlays/production")).to_dicts()
    assert len(prod) == len(base) == 1
    expected = copy.deepcopy(base)
    expected[0]["spec"]["replicas"] = 3
    assert prod == expected


@pytest.mark.skipif(shutil.which("kubectl") is None and os.environ.get("CI") != "true",
                    reason="kubectl (the reference kustomize) is not installed")
def test_production_is_byte_identical_to_kubectl_kustomize(kustomize):
    ref = subprocess.run(["kubectl", "kustomize", os.path.join(HERE, "overlays/production")],
                         capture_output=True, text=True, check=True).stdout
    assert kustomize.build(os.path.join(HERE, "overlays/production")).to_yaml() == ref
