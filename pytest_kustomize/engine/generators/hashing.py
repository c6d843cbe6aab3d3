"""kustomize's content-hash name suffix for generated ConfigMaps and Secrets."""
from __future__ import annotations

import hashlib
import json

_ENCODE = str.maketrans({"0": "g", "1": "h", "3": "k", "a": "m", "e": "t"})


def _go_json(obj) -> str:
    """encoding/json.Marshal: sorted keys, compact, HTML characters escaped."""
    s = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return (s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def encode(hex_digest: str) -> str:
    return hex_digest[:10].translate(_ENCODE)


def _field(obj: dict, key: str):
    v = obj.get(key)
    if v is None:
        return ""
    return v


def content_hash(obj: dict) -> str:
    """The 10-character suffix kustomize appends to a generated object's name."""
    kind = obj.get("kind")
    if kind == "ConfigMap":
        m = {"kind": "ConfigMap", "name": "", "data": _field(obj, "data")}
        if isinstance(obj.get("binaryData"), dict):
            m["binaryData"] = obj["binaryData"]
    elif kind == "Secret":
        t = obj.get("type")
        m = {"kind": "Secret", "type": "" if t is None else t, "name": "",
             "data": _field(obj, "data")}
        if isinstance(obj.get("stringData"), dict):
            m["stringData"] = obj["stringData"]
    else:
        m = obj
    return encode(hashlib.sha256(_go_json(m).encode("utf-8", "surrogatepass")).hexdigest())
