"""projectmap: put the projects of Chinese local-government work reports on a map."""

from importlib.metadata import PackageNotFoundError, version

from projectmap.errors import ProjectmapError

try:
    __version__ = version("projectmap")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["ProjectmapError", "__version__"]
