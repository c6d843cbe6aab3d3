"""Where a kustomization's files come from besides the work tree: a commit of a Git repository
(``git.GitTreeFS``) and remote bases (``remote``)."""
