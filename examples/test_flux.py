"""The shop as Flux applies it: clusters/staging and clusters/production hold Flux
Kustomizations with postBuild variables (docs/flux.md)."""
import pytest


@pytest.mark.flux_tree("examples/shop/clusters/production", root="examples/shop")
def test_production_gets_the_cluster_values(flux_tree):
    shop = flux_tree.get("shop")
    web = shop.resources.get("Deployment", "web")
    assert web["metadata"]["namespace"] == "shop-prod"               # targetNamespace
    assert web["spec"]["replicas"] == 5                              # ${web_replicas}, an int
    assert web["metadata"]["annotations"]["example.com/url"] == "https://shop.example.com"
    env = web["spec"]["template"]["spec"]["containers"][0]["env"]
    assert {"name": "LOG_LEVEL", "value": "info"} in env            # the ${log_level:=info} default
    assert web["metadata"]["labels"]["kustomize.toolkit.fluxcd.io/name"] == "shop"
    assert not shop.warnings


@pytest.mark.flux_tree("examples/shop/clusters/staging", root="examples/shop")
def test_staging_overrides_and_defaults(flux_tree):
    web = flux_tree.get("shop").resources.get("Deployment", "web")
    assert web["spec"]["replicas"] == 2                              # the := default
    env = web["spec"]["template"]["spec"]["containers"][0]["env"]
    assert {"name": "LOG_LEVEL", "value": "debug"} in env
    assert flux_tree.chain("flux-system/shop") == ["flux-system/flux-system", "flux-system/shop"]
    assert flux_tree.problems == []


def test_every_object_is_labelled_for_the_cluster(flux):
    for env in ("staging", "production"):
        tree = flux.tree("examples/shop/clusters/%s" % env, "examples/shop", strict=True)
        for r in tree.get("shop").resources:
            assert r.data["metadata"]["labels"]["example.com/cluster"] == env
