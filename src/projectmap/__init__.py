"""projectmap: put the projects of Chinese local-government work reports on a map.

The public API is small::

    from projectmap import build
    result = build("report.txt")          # a BuildResult: .projects, .places (GeoDataFrames)

Names other than the error class and the version are imported on first use, so that
``projectmap --version`` does not load geopandas and jieba.
"""

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from projectmap.errors import ProjectmapError

try:
    __version__ = version("projectmap")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

_LAZY = {
    "BuildOptions": "projectmap.pipeline",
    "BuildResult": "projectmap.places.locate",
    "Gazetteer": "projectmap.places.gazetteer",
    "build": "projectmap.pipeline",
    "load_gazetteer": "projectmap.places.gazetteer",
}

__all__ = ["ProjectmapError", "__version__", *_LAZY]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'projectmap' has no attribute {name!r}")
