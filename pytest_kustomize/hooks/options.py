"""Reading the plugin's settings: a command-line option wins, else the ini value of the same
name. Every hook module reads its options through :func:`option`."""
from __future__ import annotations


def option(config, name: str, default=None):
    """``--name`` from the command line, else the ini ``name``, else ``default``."""
    v = config.getoption(name, default=None)
    if v is None:
        try:
            v = config.getini(name)
        except ValueError:        # not an ini setting
            v = None
    return default if v in (None, "", []) else v
