"""go-yaml v2 decoding into an interface{}, then sigs.k8s.io/yaml's conversion to JSON:
how kustomize reads its own files (the kustomization, configurations, crds) as opposed to
resources (kyaml, go-yaml v3: see yamlv3). YAML 1.1 scalars (``yes`` is a bool, a date stays
a string), non-string keys become strings, ``<<`` merges in order (a later key wins)."""
from __future__ import annotations

import base64
import binascii
import math
import struct

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from ..errors import YamlError
from . import yamlscalar, yamlv3

# ---------------------------------------------------------------------------------------
_V2_TRUE = {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"}
_V2_FALSE = {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"}
_V2_NULL = {"", "~", "null", "Null", "NULL"}
_V2_SPECIAL = {".inf": math.inf, ".Inf": math.inf, ".INF": math.inf, "+.inf": math.inf,
               "+.Inf": math.inf, "+.INF": math.inf, "-.inf": -math.inf, "-.Inf": -math.inf,
               "-.INF": -math.inf, ".nan": math.nan, ".NaN": math.nan, ".NAN": math.nan}
_PLAIN = "!pytest-kustomize/plain"
# expanded nodes of one kustomization file (an alias bomb stops here)
NODE_BUDGET = 1_000_000


def v2_resolve(value: str):
    """A plain scalar as go-yaml v2 decodes it into an interface{}."""
    if value in _V2_NULL:
        return None
    if value in _V2_TRUE:
        return True
    if value in _V2_FALSE:
        return False
    if value in _V2_SPECIAL:
        return _V2_SPECIAL[value]
    if yamlscalar.v2_is_plain_string(value) or (value[0].isdigit() and yamlscalar.timestamp(value)):
        return value
    plain = value.replace("_", "")
    iv = yamlscalar.go_parse_int(plain)
    if iv is not None:
        return iv
    try:
        return float(plain)
    except ValueError:
        return value


class _Resolver(yaml.resolver.BaseResolver):
    def resolve(self, kind, value, implicit):
        if kind is ScalarNode:
            return _PLAIN if implicit[0] else yamlscalar.STR
        return yamlscalar.SEQ if kind is SequenceNode else yamlscalar.MAP


if yamlv3.CParser is not None:
    class _Composer(yamlv3.CParser, _Resolver):
        def __init__(self, stream):
            yamlv3.CParser.__init__(self, stream)
            _Resolver.__init__(self)
else:  # pragma: no cover - PyYAML without libyaml
    class _Composer(yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser,
                    yaml.composer.Composer, _Resolver):
        def __init__(self, stream):
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            _Resolver.__init__(self)


def _scalar(node: ScalarNode):
    tag, value = node.tag, node.value
    if tag == _PLAIN:
        return v2_resolve(value)
    if tag in (yamlscalar.STR, "!") or not tag.startswith("tag:yaml.org,2002:"):
        return value
    if tag == yamlscalar.BINARY:
        try:
            return base64.b64decode(value.replace("\n", ""), validate=False).decode(
                "utf-8", "replace")
        except (binascii.Error, ValueError):
            raise YamlError("yaml: !!binary value contains invalid base64 data") from None
    v = v2_resolve(value)
    want = {yamlscalar.INT: (int,), yamlscalar.FLOAT: (int, float), yamlscalar.BOOL: (bool,),
            yamlscalar.NULL: (type(None),)}.get(tag)
    if want is None:
        return value
    if isinstance(v, bool) and bool not in want:
        v = value
    if not isinstance(v, want):
        raise YamlError("yaml: cannot decode !!str `%s` as a %s"
                        % (value[:40], "!!" + tag.rsplit(":", 1)[1]))
    return float(v) if tag == yamlscalar.FLOAT else v


def float32_key(f: float) -> str:
    """strconv.FormatFloat(f, 'g', -1, 32), as sigs.k8s.io/yaml writes a float map key."""
    if math.isinf(f):
        return ".inf" if f > 0 else "-.inf"
    if math.isnan(f):
        return ".nan"
    f32 = struct.unpack("f", struct.pack("f", f))[0] if abs(f) < 3.5e38 else f
    for p in range(1, 10):
        s = "%.*e" % (p - 1, f32)
        if struct.unpack("f", struct.pack("f", float(s)))[0] == f32:
            break
    return yamlscalar.go_float(float(s))


def _key(node, path) -> str:
    if not isinstance(node, ScalarNode):
        raise YamlError("invalid map key: a key must be a scalar (line %d)"
                        % (node.start_mark.line + 1), file=path)
    k = _scalar(node)
    if isinstance(k, str):
        return k
    if isinstance(k, bool):
        return "true" if k else "false"
    if isinstance(k, int):
        return str(k)
    if isinstance(k, float):
        return float32_key(k)
    raise YamlError("unsupported map key of type: <nil>, key: <nil> (line %d)"
                    % (node.start_mark.line + 1), file=path)


class _Builder:
    """Nodes to JSON-like values with go-yaml v2's merge rule (in order: a later key wins),
    counting expanded nodes against NODE_BUDGET."""

    def __init__(self, path, strict: bool = False):
        self.path = path
        self.strict = strict      # go-yaml's UnmarshalStrict: a repeated key is an error
        self.count = 0

    def value(self, node):
        self.count += 1
        if self.count > NODE_BUDGET:
            raise YamlError("document expands to more than %d nodes (YAML aliases?)"
                            % NODE_BUDGET, file=self.path)
        if isinstance(node, ScalarNode):
            v = _scalar(node)
            if isinstance(v, float) and (math.isinf(v) or math.isnan(v)):
                raise YamlError("json: unsupported value: %s"
                                % ("NaN" if math.isnan(v) else ("+Inf" if v > 0 else "-Inf")),
                                file=self.path)
            return v
        if isinstance(node, SequenceNode):
            return [self.value(n) for n in node.value]
        out: dict = {}
        for k, v in node.value:
            if isinstance(k, ScalarNode) and k.tag == _PLAIN and k.value == "<<":
                self._merge(v, out)
                continue
            key = _key(k, self.path)
            if self.strict and key in out:
                raise YamlError('yaml: unmarshal errors:\n  line %d: key "%s" already set in '
                                'map' % (k.start_mark.line + 1, key), file=self.path)
            out[key] = self.value(v)
        return out

    def _merge(self, node, out: dict) -> None:
        items = node.value if isinstance(node, SequenceNode) else [node]
        for n in items:
            if not isinstance(n, MappingNode):
                raise YamlError("map merge requires map or sequence of maps as the value",
                                file=self.path)
            out.update(self.value(n))


def load_v2(text, path: str, strict: bool = False):
    """The first YAML document of ``text`` as sigs.k8s.io/yaml's JSON value (None if empty)."""
    text = yamlv3.prepare_text(text)
    loader = _Composer(text)
    try:
        node = loader.get_node() if loader.check_node() else None
    except yaml.YAMLError as e:
        raise yamlv3.yaml_error(e, path) from None
    except UnicodeEncodeError:
        raise YamlError("malformed YAML: invalid UTF-8", file=path) from None
    finally:
        loader.dispose()
    return None if node is None else _Builder(path, strict).value(node)
