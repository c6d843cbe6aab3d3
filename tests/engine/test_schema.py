"""The merge-key table is generated from real schema data, not typed by hand."""
import os
import subprocess
import sys

import pytest

from pytest_kustomize.engine.schema import Schema

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def test_table_is_what_the_generator_makes_from_kubernetes_validate():
    pytest.importorskip("kubernetes_validate")
    p = subprocess.run([sys.executable, os.path.join(ROOT, "scripts", "gen_mergekeys.py"),
                        "--check"], capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr


def test_known_merge_keys():
    s = Schema.default()
    containers = s.for_type("apps/v1", "Deployment").field("spec").field("template") \
        .field("spec").field("containers")
    assert containers.has_merge_strategy() and containers.keys == ("name",)
    ports = containers.elements().field("ports")
    assert ports.keys == ("containerPort", "protocol")
    svc_ports = s.for_type("v1", "Service").field("spec").field("ports")
    assert svc_ports.keys == ("port", "protocol")


def test_removed_api_versions_use_the_current_kind():
    s = Schema.default()
    legacy = s.for_type("extensions/v1beta1", "Deployment")
    assert legacy is not None
    assert legacy.field("spec").field("template").field("spec").field("containers").keys \
        == ("name",)
    assert s.for_type("example.com/v1", "Deployment") is None
