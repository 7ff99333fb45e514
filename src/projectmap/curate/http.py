"""One bounded HTTP request: a total deadline, a size cap, http and https only.

Every network read of projectmap (Overpass, the place-search services) goes
through :func:`fetch`. The deadline covers connecting, the headers and the
whole body: a server that trickles one byte every few seconds is cut off when
the time is up, not when it next falls silent. Redirects are not followed.
"""

from __future__ import annotations

import contextlib
import http.client
import socket
import ssl
import threading
import time
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass

from projectmap.errors import FetchError

#: The largest answer read by default (bytes).
MAX_BYTES = 64_000_000
_CHUNK = 65_536


@dataclass(frozen=True)
class Answer:
    """A server's answer: its HTTP status, content type and body."""

    status: int
    reason: str
    content_type: str
    body: bytes


def check_url(url: str, *, option: str) -> urllib.parse.SplitResult:
    """Return the parts of an ``http`` or ``https`` URL with a host.

    Raises
    ------
    FetchError
        For any other scheme (``file://``, ``ftp://``) or a URL without a host.
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise FetchError(
            f"{option} {url!r} is not an http:// or https:// address; pass the server's URL"
        )
    return parts


def fetch(
    url: str,
    *,
    service: str,
    option: str,
    data: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    deadline: float = 60.0,
    max_bytes: int = MAX_BYTES,
) -> Answer:
    """GET ``url`` (or POST ``data`` to it) and return the whole answer within ``deadline`` s.

    Parameters
    ----------
    url : str
        An ``http`` or ``https`` URL, query string included.
    service : str
        Who is asked (``Overpass server``), for error messages.
    option : str
        How the user gave the URL (``--overpass-url``), for error messages.
    data : bytes, optional
        A form-encoded body to POST.
    headers : mapping, optional
        Extra request headers.
    deadline : float
        Seconds for the whole exchange.
    max_bytes : int
        The largest body accepted.

    Raises
    ------
    FetchError
        When the server cannot be reached, is too slow, or sends too much.
    """
    parts = check_url(url, option=option)
    if not deadline > 0 or deadline == float("inf"):
        raise FetchError(f"deadline {deadline!r} is not a positive number of seconds")
    where = f"{service} {_where(parts)}"
    started = time.monotonic()
    connection = _connection(parts, deadline)
    watchdog = threading.Timer(deadline, _cut, args=(connection,))
    watchdog.daemon = True
    watchdog.start()
    try:
        answer = _exchange(connection, parts, data, headers or {}, max_bytes, where=where,
                           end=started + deadline)  # fmt: skip
    except FetchError:
        raise
    except (OSError, http.client.HTTPException, ValueError) as exc:
        if time.monotonic() - started >= deadline:
            raise _too_slow(where, deadline) from exc
        raise FetchError(f"cannot reach {where} ({_reason(exc)}); check the network") from exc
    finally:
        watchdog.cancel()
        connection.close()
    if time.monotonic() - started >= deadline:
        raise _too_slow(where, deadline)
    return answer


def _connection(parts: urllib.parse.SplitResult, deadline: float) -> http.client.HTTPConnection:
    try:
        port = parts.port
    except ValueError as exc:
        raise FetchError(f"{_where(parts)!r} has a bad port ({exc})") from exc
    if parts.scheme == "https":
        context = ssl.create_default_context()
        return http.client.HTTPSConnection(
            parts.hostname or "", port, timeout=deadline, context=context
        )
    return http.client.HTTPConnection(parts.hostname or "", port, timeout=deadline)


def _exchange(
    connection: http.client.HTTPConnection,
    parts: urllib.parse.SplitResult,
    data: bytes | None,
    extra: Mapping[str, str],
    max_bytes: int,
    *,
    where: str,
    end: float,
) -> Answer:
    from projectmap import __version__  # late: the package's __init__ imports much

    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {"User-Agent": f"projectmap/{__version__}", "Accept": "application/json", **extra}
    if data is not None:
        headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
    connection.request("POST" if data is not None else "GET", target, body=data, headers=headers)
    response = connection.getresponse()
    declared = response.getheader("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise _too_big(where, max_bytes)
    chunks: list[bytes] = []
    size = 0
    while time.monotonic() < end and (chunk := response.read1(_CHUNK)):
        size += len(chunk)
        if size > max_bytes:
            raise _too_big(where, max_bytes)
        chunks.append(chunk)
    content_type = response.getheader("Content-Type") or ""
    return Answer(response.status, response.reason, content_type, b"".join(chunks))


def _cut(connection: http.client.HTTPConnection) -> None:
    """Shut the socket down from the watchdog: a blocked read returns at once."""
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)


def _where(parts: urllib.parse.SplitResult) -> str:
    """The URL without its query (which may hold a key) or user name."""
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}{parts.path}"


def _reason(exc: BaseException) -> str:
    return str(getattr(exc, "reason", None) or exc) or type(exc).__name__


def _too_slow(where: str, deadline: float) -> FetchError:
    return FetchError(
        f"{where} did not answer in full within {deadline:g} s; try again later or raise --timeout"
    )


def _too_big(where: str, max_bytes: int) -> FetchError:
    return FetchError(f"{where} sent more than {max_bytes // 1_000_000} MB; ask for a smaller area")
