"""A realistic repo (examples/shop): one base, a monitoring component, three overlays.

Shows every feature of the plugin: rendering, queries, provenance, policy checks with
waivers, overlay diffs and snapshots. YAML tests for the same repo live in
test_shop.kustomize.yaml.
"""
import os

import pytest

from pytest_kustomize.assertions import (Waiver, assert_field, assert_subset,
                                         check_image_overrides, check_images_pinned,
                                         check_namespace_set, check_no_placeholders,
                                         check_probes, check_references_resolve,
                                         check_resource_limits, check_selectors_unchanged)
from pytest_kustomize.diff import diff

SHOP = os.path.join(os.path.dirname(os.path.abspath(__file__)), "shop")


def render(kustomize, overlay):
    return kustomize.build(os.path.join(SHOP, "overlays", overlay))


@pytest.mark.kustomize_overlays("shop/overlays/*", relative_to="test")
def test_every_overlay_meets_the_basics(kustomize, overlay):
    resources = kustomize.build(overlay)
    check_references_resolve(resources)
    check_resource_limits(resources)
    check_probes(resources)
    check_namespace_set(resources)
    check_no_placeholders(resources)
    check_image_overrides(resources, ["registry.example.com/shop/web:1.4.2"])


@pytest.mark.kustomize_overlays("shop/overlays/*", relative_to="test")
def test_images_are_pinned(kustomize, overlay):
    waivers = [Waiver("Deployment/web", "images-pinned", "dev follows the latest build")] \
        if overlay.endswith("dev") else []
    check_images_pinned(kustomize.build(overlay), waivers=waivers)


def test_production_scales_out_and_pins_by_digest(kustomize):
    prod = render(kustomize, "production")
    web = prod.get("Deployment", "web")
    assert_field(web, "spec.replicas", 3)
    assert_field(web, "spec.template.spec.containers.[name=web].image", matches=r"@sha256:")
    assert web.namespace == "shop-prod"


def test_generated_config_is_found_by_its_kustomization_name(kustomize):
    prod = render(kustomize, "production")
    config = prod.get("ConfigMap", "web-config")          # web-config-<hash> in the output
    assert config.name.startswith("web-config-") and config.name != "web-config"
    assert config["data"]["LOG_LEVEL"] == "warn"          # merged by the overlay
    assert "cart.timeout" in config["data"]["app.properties"]
    web = prod.get("Deployment", "web")
    assert config in prod.references(web, kind="ConfigMap")


def test_monitoring_component_only_where_enabled(kustomize):
    assert len(render(kustomize, "dev").select("ServiceMonitor")) == 0
    for overlay in ("staging", "production"):
        resources = render(kustomize, overlay)
        assert_subset(resources.get("Deployment", "web"), {
            "spec": {"template": {"metadata": {"annotations": {"prometheus.io/scrape": "true"}}}}})


def test_selectors_are_the_same_in_staging_and_production(kustomize):
    check_selectors_unchanged(render(kustomize, "production"), render(kustomize, "staging"))


def test_staging_to_production_diff(kustomize):
    changes = diff(render(kustomize, "staging"), render(kustomize, "production"))
    assert not changes.added and not changes.removed
    web = next(o for o in changes.changed.values() if o.kind == "Deployment")
    assert any(c.path == "spec.replicas" and (c.old, c.new) == (2, 3) for c in web.changes)
    secrets = [o for o in changes.changed.values() if o.kind == "Secret"]
    assert all("change-me" not in str(o) for o in secrets)


def test_production_render_matches_snapshot(kustomize, kustomize_snapshot):
    kustomize_snapshot.assert_match(render(kustomize, "production"))
