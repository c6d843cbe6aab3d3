"""The built-in kustomize engine: load a kustomization, generate, transform, print."""
