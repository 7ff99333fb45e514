"""Check that two output folders of ``projectmap build`` hold the same bytes.

Used while restructuring the code (issue 14): build the sample and the dev
corpus before a change, build them again after it, and compare::

    .venv/bin/projectmap build /work/shared/eval/dev/texts -o /tmp/ref-dev
    ... change the code ...
    .venv/bin/projectmap build /work/shared/eval/dev/texts -o /tmp/new-dev
    .venv/bin/python scripts/compare_outputs.py /tmp/ref-dev /tmp/new-dev

Every file is compared byte for byte, except the HTML pages: Folium names its
elements with random ids (``map_3f2a...``), so those are renumbered in order of
appearance before comparing. Exits 1 and lists the files that differ.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

_FOLIUM_ID = re.compile(rb"_[0-9a-f]{32}(?![0-9a-f])")


def normalised(path: Path) -> bytes:
    """The bytes of ``path``, with Folium's random ids renumbered if it is HTML.

    Parameters
    ----------
    path : Path
        A file in an output folder.

    Returns
    -------
    bytes
        The file's bytes, ready to compare.
    """
    data = path.read_bytes()
    if path.suffix != ".html":
        return data
    seen: dict[bytes, bytes] = {}

    def number(match: re.Match[bytes]) -> bytes:
        return seen.setdefault(match.group(0), b"_id%d" % len(seen))

    return _FOLIUM_ID.sub(number, data)


def differences(before: Path, after: Path) -> list[str]:
    """The files that differ, are missing or are new between two folders.

    Parameters
    ----------
    before, after : Path
        Output folders (of one report or of several).

    Returns
    -------
    list of str
        One line per difference, empty when the folders match.
    """
    old = {p.relative_to(before) for p in before.rglob("*") if p.is_file()}
    new = {p.relative_to(after) for p in after.rglob("*") if p.is_file()}
    lines = [f"missing: {p}" for p in sorted(old - new)]
    lines += [f"new: {p}" for p in sorted(new - old)]
    for rel in sorted(old & new):
        if normalised(before / rel) != normalised(after / rel):
            lines.append(f"differs: {rel}")
    return lines


def main(argv: list[str]) -> int:
    """Compare the two folders named on the command line; 0 when identical."""
    if len(argv) != 2:
        print("usage: compare_outputs.py BEFORE_DIR AFTER_DIR", file=sys.stderr)
        return 2
    before, after = Path(argv[0]), Path(argv[1])
    for folder in (before, after):
        if not folder.is_dir():
            print(f"{folder}: not a folder; give two output folders", file=sys.stderr)
            return 2
    lines = differences(before, after)
    for line in lines:
        print(line)
    count = sum(1 for p in before.rglob("*") if p.is_file())
    print(f"{count} files compared, {len(lines)} differences")
    return 1 if lines else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
