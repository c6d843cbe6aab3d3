"""The per-process parse caches (reader.objects_with_nulls, jsonpatch6902.decode): a
cached parse is never shared with a caller, so a transformer writing into what it was
handed cannot change what the next read of the same text returns."""
import pytest

from pytest_kustomize.engine import jsonpatch6902, reader

TEXT = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\ndata:\n  k: v\n  e:\n"


@pytest.mark.parametrize("reads", [2, 3, 5])
def test_reader_results_are_never_shared(reads):
    path = "/nowhere/cm-%d.yaml" % reads
    got = [reader.objects_with_nulls(TEXT, path) for _ in range(reads)]
    for i, objs in enumerate(got):
        (obj, nulls), = objs
        assert obj == {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"},
                       "data": {"k": "v", "e": None}}
        assert nulls == (("data", "e"),)
        obj["data"]["k"] = "written by read %d" % i     # as a transformer would
        obj["metadata"].clear()
    ids = {id(objs[0][0]) for objs in got} | {id(objs[0][0]["data"]) for objs in got}
    assert len(ids) == 2 * reads
    (again, _), = reader.objects_with_nulls(TEXT, path)
    assert again["data"]["k"] == "v" and again["metadata"] == {"name": "a"}


def test_reader_list_items_keep_their_own_null_paths():
    text = ("apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n"
            "  metadata: {name: a}\n  data:\n    x:\n- apiVersion: v1\n  kind: ConfigMap\n"
            "  metadata: {name: b}\n  data:\n    y:\n")
    for _ in range(3):
        got = reader.objects_with_nulls(text, "/nowhere/list.yaml")
        assert [o["metadata"]["name"] for o, _ in got] == ["a", "b"]
        assert [p for _, p in got] == [(("data", "x"),), (("data", "y"),)]


def test_decoded_patches_are_copies():
    text = '[{"op": "add", "path": "/a", "value": {"b": [1, 2]}}]'
    first = jsonpatch6902.decode(text, "p.json")
    first[0]["value"]["b"].append(3)
    second = jsonpatch6902.decode(text, "p.json")
    assert second == [{"op": "add", "path": "/a", "value": {"b": [1, 2]}}]
    assert second[0]["value"] is not first[0]["value"]


@pytest.mark.parametrize("text", ["[1, 2]", "- op: add\n  path: [", "{}", "[{\"op\": NaN}]"])
def test_a_refused_patch_is_refused_every_time(text):
    with pytest.raises(ValueError) as first:
        jsonpatch6902.decode(text, "p.yaml")
    with pytest.raises(ValueError) as second:
        jsonpatch6902.decode(text, "p.yaml")
    assert str(second.value) == str(first.value)
