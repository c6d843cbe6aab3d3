"""The native parts of the engine (pytest_kustomize/engine/_yamlprint.c, the printer,
_yamlload.c, the reader on libyaml, and _walk.c, the field-spec walk). All are optional: without a C compiler, or without
libyaml's headers (Debian: libyaml-dev) for the reader, the install still succeeds and the
engine reads and prints with its Python code (same output, slower; docs/performance.md)."""
from setuptools import Extension, setup

setup(ext_modules=[
    Extension("pytest_kustomize.engine._yamlprint", ["pytest_kustomize/engine/_yamlprint.c"],
              extra_compile_args=["-O2"], optional=True),
    Extension("pytest_kustomize.engine._yamlload", ["pytest_kustomize/engine/_yamlload.c"],
              libraries=["yaml"], extra_compile_args=["-O2"], optional=True),
    Extension("pytest_kustomize.engine._walk", ["pytest_kustomize/engine/_walk.c"],
              extra_compile_args=["-O2"], optional=True),
])
