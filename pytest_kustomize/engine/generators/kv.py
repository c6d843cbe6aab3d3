"""Key/value sources of ConfigMap and Secret generators: env files, literals, files."""
from __future__ import annotations

import posixpath

from ...errors import GeneratorError
from ..yamlscalar import scalar_to_string as _s


def parse_literal(source: str) -> tuple:
    if source.startswith("=") or "=" not in source:
        raise GeneratorError("invalid literal source %s, expected key=value" % source)
    key, value = source.split("=", 1)
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return key, value


def parse_file_source(source: str) -> tuple:
    n = source.count("=")
    if n == 0:
        return posixpath.basename(source), source
    if n == 1 and source.startswith("="):
        raise GeneratorError('missing key name for file path "%s" in source "%s"'
                             % (source[1:], source))
    if n == 1 and source.endswith("="):
        raise GeneratorError('missing file path for key name "%s" in source "%s"'
                             % (source[:-1], source))
    if n > 1:
        raise GeneratorError('source "%s" key name or file path contains \'=\'' % source)
    key, path = source.split("=")
    return key, path


def env_file_pairs(content: bytes, path: str) -> list:
    """KEY=VALUE lines; blank lines, ``#`` comments and lines without a key skipped; a bare
    KEY gives ""."""
    pairs = []
    lines = content.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    for i, raw in enumerate(lines):
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise GeneratorError("line %d has invalid utf8 bytes in env file %s" % (i, path)) \
                from None
        if i == 0 and line.startswith("\ufeff"):
            line = line[1:]
        line = line.lstrip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not key:
            continue        # "=value": kustomize drops a line without a key
        # kustomize's env-name check accepts every key; the config-key check applies later
        pairs.append((key, value if sep else ""))
    return pairs


def load_pairs(args: dict, loader) -> list:
    """All (key, value) pairs of one generator entry: env files, then literals, then files.
    Values are str, or bytes for file contents that are not valid UTF-8."""
    pairs = []
    for p in args.get("envs") or []:
        pairs.extend(env_file_pairs(loader.read_bytes(_s(p)), _s(p)))
    for lit in args.get("literals") or []:
        pairs.append(parse_literal(_s(lit)))
    for src in args.get("files") or []:
        key, path = parse_file_source(_s(src))
        data = loader.read_bytes(path)
        try:
            pairs.append((key, data.decode("utf-8")))
        except UnicodeDecodeError:
            pairs.append((key, data))
    return pairs


def validated_map(args: dict, loader, kind: str) -> dict:
    name = _s(args.get("name"))
    out = {}
    for key, value in load_pairs(args, loader):
        # kustomize's validator accepts every key (its ErrIfInvalidKey is a no-op), so a key
        # the API server would refuse still renders; schema validation or apply reports it
        if key in out:
            raise GeneratorError("configmap %s illegally repeats the key `%s`" % (name, key))
        out[key] = value
    return out
