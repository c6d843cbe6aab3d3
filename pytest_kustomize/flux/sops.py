"""The flux CLI's masking of SOPS-encrypted Secrets (``flux build kustomization`` prints
``**SOPS**`` where the controller would decrypt).

Rules, as flux2's ``internal/build`` applies them to every Secret of a build (after the owner
labels, before ``commonMetadata``):

- a Secret whose YAML holds ``sops:`` and ``mac: ENC[`` loses its ``sops`` field; every
  ``data`` value becomes base64(``**SOPS**``) and every ``stringData`` value ``**SOPS**`` —
  for a ``kubernetes.io/dockerconfigjson`` Secret the JSON ``{"mask":"**SOPS**"}`` instead
  (base64-encoded in ``data``);
- any other Secret: a ``data`` value whose base64 decoding holds ``sops`` and ``ENC[`` is
  masked, a ``stringData`` value holding both becomes base64(``**SOPS**``) (flux's quirk: the
  encoded mask, in ``stringData``); a ``data`` value that is not base64 fails the build
  (``illegal base64 data at input byte N``, Go's offsets);
- ``data`` is rewritten as a map of strings (an empty ``data`` disappears), a non-empty
  ``stringData`` likewise.
"""
from __future__ import annotations

import base64
import json

from ..engine import yamlio
from ..errors import FluxError

MASK = "**SOPS**"
MASK_B64 = base64.b64encode(MASK.encode()).decode()
DOCKERCFG = "kubernetes.io/dockerconfigjson"
_ALPHABET = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")


class Base64Error(ValueError):
    def __init__(self, offset: int):
        super().__init__("illegal base64 data at input byte %d" % offset)


def go_b64decode(text: str) -> bytes:
    """``base64.StdEncoding.DecodeString`` (padding required, CR/LF skipped), raising
    ``Base64Error`` with the offset Go's ``CorruptInputError`` reports."""
    src = text.encode("utf-8")
    n, si, out = len(src), 0, bytearray()
    while True:
        quantum: list[int] = []
        while len(quantum) < 4:
            if si == n:
                if not quantum:
                    return bytes(out)
                raise Base64Error(si - len(quantum))
            c = src[si]
            si += 1
            if c in _ALPHABET:
                quantum.append(c)
                continue
            if c in (10, 13):
                continue
            if c != ord("="):
                raise Base64Error(si - 1)
            j = len(quantum)
            if j < 2:
                raise Base64Error(si - 1)
            if j == 2:
                while si < n and src[si] in (10, 13):
                    si += 1
                if si == n:
                    raise Base64Error(n)
                if src[si] != ord("="):
                    raise Base64Error(si - 1)
                si += 1
            while si < n and src[si] in (10, 13):
                si += 1
            if si < n:
                raise Base64Error(si)
            pad = bytes(quantum) + b"=" * (4 - j)
            return bytes(out) + base64.b64decode(pad)
        out += base64.b64decode(bytes(quantum))


def _string(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return v if isinstance(v, str) else yamlio.dump_document(v).strip() \
        if isinstance(v, (dict, list)) else str(v)


def _encrypted(data: bytes) -> bool:
    return b"sops" in data and b"ENC[" in data


def mask_secret(obj: dict) -> dict:
    """The Secret ``obj`` as the flux CLI prints it (a new dict; other kinds unchanged)."""
    if not isinstance(obj, dict) or obj.get("kind") != "Secret":
        return obj
    name = (obj.get("metadata") or {}).get("name") if isinstance(obj.get("metadata"),
                                                                 dict) else None
    raw = obj.get("data")
    data = {str(k): _string(v) for k, v in raw.items()} if isinstance(raw, dict) else {}
    sraw = obj.get("stringData")
    sdata = {str(k): _string(v) for k, v in sraw.items()} if isinstance(sraw, dict) else {}
    out = dict(obj)
    text = yamlio.dump_document(obj)
    if "sops:" in text and "mac: ENC[" in text:
        out.pop("sops", None)
        if obj.get("type") == DOCKERCFG:
            js = json.dumps({"mask": MASK}, separators=(",", ":"))
            data = {k: base64.b64encode(js.encode()).decode() for k in data}
            sdata = {k: js for k in sdata}
        else:
            data = {k: MASK_B64 for k in data}
            sdata = {k: MASK for k in sdata}
    else:
        for k, v in data.items():
            try:
                decoded = go_b64decode(v)
            except Base64Error as e:
                raise FluxError("failed to mask secret %s sops data: %s" % (name, e),
                                field="data.%s" % k, resource="Secret/%s" % name) from None
            if _encrypted(decoded):
                data[k] = MASK_B64
        for k, v in sdata.items():
            if _encrypted(v.encode("utf-8")):
                sdata[k] = MASK_B64
    out.pop("data", None)
    if data:
        out["data"] = data
    if sdata:
        out["stringData"] = sdata
    return out
