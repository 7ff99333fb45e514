"""The errors projectmap raises.

Every error derives from :class:`ProjectmapError` and from the builtin that fits,
so callers can catch either. Messages name the file and, where known, the fix.
"""


class ProjectmapError(Exception):
    """Base class of every error projectmap raises on purpose."""


class InputError(ProjectmapError, ValueError):
    """A report file that cannot be read as a report."""


class GazetteerError(ProjectmapError, ValueError):
    """A gazetteer file that breaks the gazetteer format."""


class RegionError(ProjectmapError, LookupError):
    """The issuing region is unknown or cannot be found."""


class OutputError(ProjectmapError, OSError):
    """An output folder or file that cannot be written."""


class FetchError(ProjectmapError, OSError):
    """A remote source (an Overpass server) that did not answer usefully."""


class CrsError(ProjectmapError, ValueError):
    """A coordinate reference system name that projectmap does not know."""


class MapError(ProjectmapError, ValueError):
    """A map that cannot be drawn as asked (unknown basemap, missing key, asset not inlinable)."""


class UsageError(ProjectmapError, ValueError):
    """Command-line options that are missing, out of range or do not fit together."""
