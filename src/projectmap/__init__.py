"""projectmap: put the projects of Chinese local-government work reports on a map.

The public API is small::

    from projectmap import build
    result = build("report.txt")          # a BuildResult: .projects, .places (GeoDataFrames)

Names other than the error class are imported on first use, the version too, so that
``projectmap --version`` does not load geopandas and jieba.
"""

from importlib import import_module
from typing import Any

from projectmap.errors import ProjectmapError

_LAZY = {
    "BuildOptions": "projectmap.pipeline",
    "BuildResult": "projectmap.places.result",
    "Gazetteer": "projectmap.places.gazetteer",
    "build": "projectmap.pipeline",
    "load_gazetteer": "projectmap.places.gazetteer",
}

__all__ = ["ProjectmapError", "__version__", *_LAZY]


def _version() -> str:
    """The installed version, read on first use: ``importlib.metadata`` costs 20 ms to import."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("projectmap")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0.0.0"


def __getattr__(name: str) -> Any:
    if name == "__version__":
        globals()["__version__"] = found = _version()
        return found
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'projectmap' has no attribute {name!r}")
