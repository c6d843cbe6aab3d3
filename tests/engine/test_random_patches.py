"""Random strategic-merge patches (containers, ports, env, volumes, tolerations, init
containers, finalizers; $patch delete/replace, $setElementOrder, $retainKeys,
$deleteFromPrimitiveList, nulls) on random Deployments, built by the engine and by kubectl:
outputs must be byte-identical, or both must fail. Fixed seeds; found the list-directive case
in test_strategicmerge.py."""

import json
import random

import pytest

from pytest_kustomize.errors import KustomizeError

NAMES = ["a", "b", "c", "d"]


def container(rng, name):
    c = {"name": name, "image": rng.choice(["nginx", "busybox:1", "x/y:2"])}
    if rng.random() < 0.6:
        c["ports"] = [
            {"containerPort": p, "protocol": rng.choice(["TCP", "UDP"])}
            for p in rng.sample([80, 443, 8080, 9090], rng.randint(1, 3))
        ]
    if rng.random() < 0.6:
        c["env"] = [
            {"name": n, "value": str(rng.randint(0, 9))}
            for n in rng.sample(["X", "Y", "Z", "W"], rng.randint(1, 3))
        ]
    if rng.random() < 0.3:
        c["args"] = rng.sample(["--a", "--b", "--c"], 2)
    if rng.random() < 0.3:
        c["volumeMounts"] = [
            {"name": v, "mountPath": "/" + v}
            for v in rng.sample(["v1", "v2", "v3"], rng.randint(1, 2))
        ]
    return c


def deployment(rng):
    spec = {"containers": [container(rng, n) for n in rng.sample(NAMES, rng.randint(1, 3))]}
    if rng.random() < 0.5:
        spec["volumes"] = [
            {"name": v, "emptyDir": {}} for v in rng.sample(["v1", "v2", "v3"], rng.randint(1, 3))
        ]
    if rng.random() < 0.4:
        spec["tolerations"] = [
            {"key": k, "operator": "Exists"} for k in rng.sample(["t1", "t2"], rng.randint(1, 2))
        ]
    if rng.random() < 0.3:
        spec["initContainers"] = [container(rng, "init")]
    d = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "web", "labels": {"app": "web", "tier": "x"}},
        "spec": {
            "replicas": 1,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}},
            "selector": {"matchLabels": {"app": "web"}},
            "template": {"metadata": {"labels": {"app": "web"}}, "spec": spec},
        },
    }
    if rng.random() < 0.4:
        d["metadata"]["finalizers"] = rng.sample(["f1", "f2", "f3"], rng.randint(1, 3))
    return d


def patch(rng, base):
    p = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}}
    spec = {}
    r = rng.random
    if r() < 0.5:
        cs = []
        for n in rng.sample(NAMES, rng.randint(1, 3)):
            c = {"name": n}
            x = r()
            if x < 0.2:
                c["$patch"] = "delete"
            elif x < 0.3:
                c["$patch"] = "replace"
                c["image"] = "rep"
            else:
                if r() < 0.5:
                    c["image"] = "new"
                if r() < 0.4:
                    c["ports"] = [{"containerPort": rng.choice([80, 443, 7070]), "protocol": "TCP"}]
                if r() < 0.4:
                    c["env"] = [{"name": rng.choice(["X", "Q"]), "value": "p"}] + (
                        [{"name": "Y", "$patch": "delete"}] if r() < 0.3 else []
                    )
                if r() < 0.2:
                    c["args"] = ["--z"]
                if r() < 0.2:
                    c["resources"] = None
            cs.append(c)
        spec["containers"] = cs
        if r() < 0.25:
            spec["$setElementOrder/containers"] = [
                {"name": n} for n in rng.sample(NAMES, rng.randint(1, 4))
            ]
    if r() < 0.3:
        spec["volumes"] = [{"name": rng.choice(["v1", "v4"]), "configMap": {"name": "cm"}}]
        if r() < 0.3:
            spec["volumes"].append({"$patch": "replace"})
    if r() < 0.2:
        spec["tolerations"] = [{"key": "t9", "operator": "Exists"}]
    if r() < 0.15:
        spec["initContainers"] = None
    tpl = {"spec": spec} if spec else {}
    if r() < 0.3:
        tpl.setdefault("metadata", {})["labels"] = (
            {"extra": "1"} if r() < 0.7 else {"$patch": "replace", "only": "this"}
        )
    ps = {}
    if tpl:
        ps["template"] = tpl
    if r() < 0.3:
        ps["strategy"] = (
            {"$retainKeys": ["type"], "type": "Recreate"}
            if r() < 0.6
            else {"type": "Recreate", "rollingUpdate": None}
        )
    if r() < 0.2:
        ps["replicas"] = None
    if ps:
        p["spec"] = ps
    if r() < 0.3:
        p["metadata"]["$deleteFromPrimitiveList/finalizers"] = rng.sample(["f1", "f3"], 1)
    if r() < 0.2:
        p["metadata"]["finalizers"] = ["f9"]
    if r() < 0.2:
        p["metadata"]["labels"] = {"tier": None, "new": "y"}
    return p


@pytest.mark.parametrize("seed", range(50))
def test_random_patch_matches_kubectl(oracle, seed):
    rng = random.Random(seed)
    files = {"d.json": json.dumps(deployment(rng))}
    kust = "resources: [d.json]\npatches:\n"
    for i in range(rng.randint(1, 2)):
        files["p%d.json" % i] = json.dumps(patch(rng, None))
        kust += "- path: p%d.json\n" % i
    files["kustomization.yaml"] = kust
    oracle.write(files)
    ref = oracle.kubectl()
    if ref.returncode != 0:
        with pytest.raises(KustomizeError):
            oracle.engine()
        return
    assert oracle.engine() == ref.stdout
