"""Builtin transformers, one module each, all working on a ResourceList in place."""
