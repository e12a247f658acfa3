"""Outbound HTTP requests of the portal: only to public addresses, bounded in time and size.

Every request the portal makes on behalf of a user-supplied URL (harvest sources today,
webhooks later) goes through :func:`session` or :func:`fetch`:

- **Addresses.** Only ``http`` and ``https``. The host name is resolved once, *every*
  address it resolves to is checked, and the connection is made to a checked address
  (the TLS certificate is still verified against the host name), so a DNS answer that
  changes between the check and the connection (DNS rebinding) cannot reach another
  address. Loopback, private (RFC 1918, ULA), shared (CGNAT), link-local, multicast,
  reserved and unspecified addresses — also written as IPv4-mapped, 6to4, Teredo or
  NAT64 IPv6 addresses — are refused unless
  ``ckanext.khtourism.outbound.allow_private_addresses`` is on, or the host or network
  is listed in ``ckanext.khtourism.outbound.allowed_hosts``. Every redirect is a new
  request, checked the same way (at most :data:`MAX_REDIRECTS`). Proxy settings of the
  environment are ignored (a proxy would hide the address actually contacted).
- **Time.** A session has one deadline for everything it does (connection, headers,
  body, redirects): a watchdog shuts its sockets down when it passes, so a server that
  trickles one byte per second cannot hold a worker longer than the timeout.
- **Size.** :func:`read_body` stops at ``ckanext.khtourism.outbound.max_bytes``.

Error messages name the URL and the cause, never the body of the remote answer.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NameResolutionError, NewConnectionError
from urllib3.util import connection as urllib3_connection

import ckan.plugins.toolkit as tk

SCHEMES = ("http", "https")
MAX_REDIRECTS = 5
USER_AGENT = "ckanext-khtourism/0.1 (+https://github.com/ckan/ckanext-harvest)"
DEFAULT_TIMEOUT = 60.0
DEFAULT_MAX_BYTES = 200 * 1024 * 1024
CHUNK = 64 * 1024

# IPv6 prefixes that carry an IPv4 address (checked as that IPv4 address too)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
# Python counts these as global although no public service lives there
_NOT_PUBLIC = (
    ipaddress.ip_network("100.64.0.0/10"),  # shared address space (CGNAT)
    ipaddress.ip_network("192.0.0.0/24"),  # IETF protocol assignments
    ipaddress.ip_network("198.18.0.0/15"),  # benchmarking
    ipaddress.ip_network("64:ff9b:1::/48"),  # local-use NAT64
)


class OutboundError(Exception):
    """An outbound request failed; the message names the URL and the cause (no remote body)."""


class AddressRefused(OutboundError, OSError):
    """The URL's scheme or address is not one the portal contacts.

    An ``OSError`` so that urllib3 and requests report it as a connection error
    (stock code that catches ``requests.ConnectionError`` records it and goes on).
    """


class TooLarge(OutboundError):
    pass


class TimedOut(OutboundError):
    pass


class HTTPStatusError(OutboundError):
    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Policy:
    allow_private: bool = False
    allowed_hosts: frozenset[str] = frozenset()
    allowed_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    timeout: float = DEFAULT_TIMEOUT
    max_bytes: int = DEFAULT_MAX_BYTES


def policy() -> Policy:
    """The policy the configuration sets (read at each call: tests may change it)."""
    hosts: set[str] = set()
    networks = []
    for entry in str(tk.config.get("ckanext.khtourism.outbound.allowed_hosts") or "").split():
        try:
            networks.append(ipaddress.ip_network(entry, strict=False))
        except ValueError:
            hosts.add(entry.lower().rstrip("."))
    return Policy(
        allow_private=tk.asbool(
            tk.config.get("ckanext.khtourism.outbound.allow_private_addresses", False)
        ),
        allowed_hosts=frozenset(hosts),
        allowed_networks=tuple(networks),
        timeout=float(tk.config.get("ckanext.khtourism.outbound.timeout") or DEFAULT_TIMEOUT),
        max_bytes=int(tk.config.get("ckanext.khtourism.outbound.max_bytes") or DEFAULT_MAX_BYTES),
    )


# --- addresses ------------------------------------------------------------------------------
def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    found = []
    if address.ipv4_mapped:
        found.append(address.ipv4_mapped)
    if address.sixtofour:
        found.append(address.sixtofour)
    if address.teredo:
        found.extend(address.teredo)
    if address in _NAT64:
        found.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return found


def is_public(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for an address of the public internet (unicast, globally routed)."""
    candidates: list[Any] = [address]
    if isinstance(address, ipaddress.IPv6Address):
        candidates.extend(_embedded_ipv4(address))
    for candidate in candidates:
        if (
            not candidate.is_global
            or candidate.is_multicast
            or candidate.is_reserved
            or candidate.is_unspecified
            or candidate.is_loopback
            or candidate.is_link_local
            or candidate.is_private
            or any(
                candidate in network
                for network in _NOT_PUBLIC
                if network.version == candidate.version
            )
        ):
            return False
    return True


def _host_allowed(host: str, rules: Policy) -> bool:
    return host.lower().rstrip(".") in rules.allowed_hosts


def check_address(host: str, address: str, rules: Policy) -> None:
    """Raise :class:`AddressRefused` unless ``address`` (of ``host``) may be contacted."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.is_multicast or ip.is_unspecified:
        raise AddressRefused(f"{host}: address {ip} is not a host the portal contacts")
    if is_public(ip) or rules.allow_private or _host_allowed(host, rules):
        return
    if any(ip in network for network in rules.allowed_networks if network.version == ip.version):
        return
    raise AddressRefused(
        f"{host} resolves to {ip}, a loopback, private or reserved address: the portal does "
        "not contact internal networks (ckanext.khtourism.outbound.allowed_hosts)"
    )


def resolve(host: str, port: int, rules: Policy) -> list[tuple[Any, ...]]:
    """``getaddrinfo`` of ``host``, refused as a whole if any of its addresses is refused."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    for *_rest, sockaddr in infos:
        check_address(host, sockaddr[0], rules)
    return infos


def check_url(url: str, rules: Policy | None = None, *, resolve_host: bool = True) -> None:
    """Raise :class:`AddressRefused` for a URL the portal would refuse to contact.

    Used where a URL is saved (a harvest source) and before a gather; the connection
    itself is checked again (DNS answers change). A host name that does not resolve
    now is not refused here (the request will report it).
    """
    rules = rules or policy()
    try:
        parts = urlsplit(url.strip())
        port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
    except ValueError as error:
        raise AddressRefused(f"malformed URL ({error})") from error
    if parts.scheme.lower() not in SCHEMES:
        raise AddressRefused(
            f"scheme {parts.scheme or '(none)'!r} is not allowed: only http and https"
        )
    host = parts.hostname
    if not host:
        raise AddressRefused("the URL has no host name")
    if parts.username or parts.password:
        raise AddressRefused("user names and passwords in URLs are not allowed")
    if not resolve_host:
        return
    try:
        resolve(host, port, rules)
    except socket.gaierror:
        return
    except UnicodeError as error:
        raise AddressRefused(f"{host}: not a valid host name") from error


# --- connections ------------------------------------------------------------------------------
class Deadline:
    """One time budget for a session: its sockets are shut down when it has passed."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.expires: float | None = None
        self.expired = False
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._timer: threading.Timer | None = None

    def start(self) -> None:
        with self._lock:
            if self.expires is not None:
                return
            self.expires = time.monotonic() + self.seconds
            self._timer = threading.Timer(self.seconds, self._expire)
            self._timer.daemon = True
            self._timer.start()

    def remaining(self) -> float:
        if self.expires is None:
            return self.seconds
        return max(0.0, self.expires - time.monotonic())

    def register(self, sock: socket.socket) -> None:
        with self._lock:
            if self.expired:
                sock.close()
                raise TimeoutError("deadline passed")
            self._sockets.append(sock)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            for sock in self._sockets:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            self._sockets.clear()

    def cancel(self) -> None:
        if self._timer is not None:
            self._timer.cancel()


class _GuardedConnectionMixin:
    """``_new_conn`` of urllib3's connections: resolve once, check, connect to that address."""

    outbound_policy: Policy
    outbound_deadline: Deadline

    def _new_conn(self) -> socket.socket:
        conn: Any = self
        deadline = self.outbound_deadline
        if deadline.expired:
            raise ConnectTimeoutError(conn, f"{conn.host}: no time left")
        try:
            infos = resolve(conn._dns_host, conn.port, self.outbound_policy)
        except socket.gaierror as error:
            raise NameResolutionError(conn.host, conn, error) from error
        timeout = conn.timeout if isinstance(conn.timeout, (int, float)) else None
        remaining = deadline.remaining()
        timeout = remaining if timeout is None else min(timeout, remaining)
        last_error: OSError | None = None
        for *_rest, sockaddr in infos:
            try:
                sock = urllib3_connection.create_connection(
                    (sockaddr[0], sockaddr[1]),
                    timeout,
                    source_address=conn.source_address,
                    socket_options=conn.socket_options,
                )
            except TimeoutError as error:
                raise ConnectTimeoutError(
                    conn, f"Connection to {conn.host} timed out (connect timeout={timeout:g})"
                ) from error
            except OSError as error:
                last_error = error
                continue
            deadline.register(sock)
            return sock
        raise NewConnectionError(conn, f"Failed to establish a new connection: {last_error}")


def _pool_classes(rules: Policy, deadline: Deadline) -> dict[str, type]:
    attrs = {"outbound_policy": rules, "outbound_deadline": deadline}
    http_connection = type(
        "GuardedHTTPConnection", (_GuardedConnectionMixin, HTTPConnection), attrs
    )
    https_connection = type(
        "GuardedHTTPSConnection", (_GuardedConnectionMixin, HTTPSConnection), attrs
    )
    return {
        "http": type(
            "GuardedHTTPConnectionPool", (HTTPConnectionPool,), {"ConnectionCls": http_connection}
        ),
        "https": type(
            "GuardedHTTPSConnectionPool",
            (HTTPSConnectionPool,),
            {"ConnectionCls": https_connection},
        ),
    }


class GuardedAdapter(HTTPAdapter):
    def __init__(self, rules: Policy, deadline: Deadline) -> None:
        self._pool_classes = _pool_classes(rules, deadline)
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = self._pool_classes

    def proxy_manager_for(self, proxy: str, **proxy_kwargs: Any) -> Any:
        raise AddressRefused("proxies are not used for outbound requests")


class GuardedSession(requests.Session):
    """A requests session that only contacts allowed addresses, within one deadline.

    Every response body is read in :meth:`send` (at most ``max_bytes``), so a failure while
    reading — the deadline, a size over the limit, a cut connection — is raised there as a
    ``requests.ConnectionError`` or ``requests.Timeout`` whose cause is an
    :class:`OutboundError`, which code written for plain requests already handles.
    """

    def __init__(
        self,
        timeout: float | None = None,
        rules: Policy | None = None,
        max_bytes: int | None = None,
    ) -> None:
        super().__init__()
        self.rules = rules or policy()
        self.max_bytes = max_bytes or self.rules.max_bytes
        self.deadline = Deadline(float(timeout or self.rules.timeout))
        self.trust_env = False  # no proxies, no .netrc from the environment
        self.max_redirects = MAX_REDIRECTS
        self.headers["User-Agent"] = USER_AGENT
        self.adapters.clear()
        adapter = GuardedAdapter(self.rules, self.deadline)
        self.mount("https://", adapter)
        self.mount("http://", adapter)

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        # every request, redirects included, comes through here
        scheme = urlsplit(request.url or "").scheme.lower()
        if scheme not in SCHEMES:
            raise requests.exceptions.ConnectionError(
                AddressRefused(
                    f"scheme {scheme or '(none)'!r} is not allowed: only http and https"
                ),
                request=request,
            )
        self.deadline.start()
        remaining = self.deadline.remaining()
        if self.deadline.expired or remaining <= 0:
            raise requests.exceptions.Timeout(self._timed_out(), request=request)
        timeout = kwargs.get("timeout")
        if isinstance(timeout, tuple):
            timeout = max((t for t in timeout if t is not None), default=None)
        kwargs["timeout"] = remaining if timeout is None else min(float(timeout), remaining)
        kwargs["proxies"] = {}
        kwargs["stream"] = True  # read below, bounded
        try:
            response = super().send(request, **kwargs)
        except requests.exceptions.RequestException as error:
            if self.deadline.expired and cause(error, AddressRefused) is None:
                raise requests.exceptions.Timeout(self._timed_out(), request=request) from error
            raise
        if response._content is False:  # not read yet (a redirect's target was read already)
            try:
                response._content = read_body(response, self.deadline, self.max_bytes)
                response._content_consumed = True  # iter_content() serves the bytes read
            except TimedOut as error:
                raise requests.exceptions.Timeout(error, request=request) from error
            except TooLarge as error:
                raise requests.exceptions.ConnectionError(error, request=request) from error
            except requests.exceptions.RequestException as error:
                raise requests.exceptions.ConnectionError(
                    OutboundError(
                        f"response truncated (connection closed early: {excerpt(error, 200)})"
                    ),
                    request=request,
                ) from error
        return response

    def _timed_out(self) -> TimedOut:
        return TimedOut(f"timed out after {self.deadline.seconds:g} s in all")

    def close(self) -> None:
        self.deadline.cancel()
        super().close()


def session(
    timeout: float | None = None, rules: Policy | None = None, max_bytes: int | None = None
) -> GuardedSession:
    """A guarded session; ``timeout``: seconds for everything it does (default: the setting)."""
    return GuardedSession(timeout, rules, max_bytes)


# --- whole downloads --------------------------------------------------------------------------
def cause(error: BaseException, kind: type[BaseException]) -> Any:
    """The exception of type ``kind`` behind a requests/urllib3 exception, if any."""
    seen: set[int] = set()
    pending: list[Any] = [error]
    while pending:
        current = pending.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        if isinstance(current, kind):
            return current
        if isinstance(current, BaseException):
            pending.extend(current.args)
            pending.append(current.__cause__)
            pending.append(current.__context__)
        pending.append(getattr(current, "reason", None))
    return None


def read_body(response: requests.Response, deadline: Deadline, max_bytes: int) -> bytes:
    """The whole body of a streamed response, refused beyond ``max_bytes`` or the deadline."""
    length = response.headers.get("Content-Length")
    if length and length.isdigit() and int(length) > max_bytes:
        response.close()
        raise TooLarge(f"response larger than {max_bytes} bytes, refused")
    body = bytearray()
    try:
        for chunk in response.iter_content(chunk_size=CHUNK):
            body.extend(chunk)
            if len(body) > max_bytes:
                response.close()
                raise TooLarge(f"response larger than {max_bytes} bytes, refused")
    except (requests.exceptions.RequestException, OSError) as error:
        if deadline.expired:
            raise TimedOut(f"timed out after {deadline.seconds:g} s in all") from error
        raise
    if deadline.expired:
        raise TimedOut(f"timed out after {deadline.seconds:g} s in all")
    return bytes(body)


def status_text(response: requests.Response) -> str:
    """``HTTP 503 Service Unavailable`` (the reason phrase sanitised and short)."""
    reason = excerpt(response.reason or "", 60)
    return f"HTTP {response.status_code}" + (f" {reason}" if reason else "")


SECRET_PARAMETERS = {"token", "access_token", "api_key", "apikey", "key", "password", "secret"}


def redact_url(url: str) -> str:
    """``url`` for a message: credentials in its query string (an ArcGIS ``token``) hidden."""
    try:
        parts = urlsplit(url)
        query = parse_qsl(parts.query, keep_blank_values=True)
    except ValueError:
        return excerpt(url, 300)
    if not any(key.lower() in SECRET_PARAMETERS for key, _value in query):
        return url
    hidden = [(k, "***" if k.lower() in SECRET_PARAMETERS else v) for k, v in query]
    return urlunsplit(parts._replace(query=urlencode(hidden, safe="*")))


_SECRET_IN_TEXT = re.compile(
    r"\b(" + "|".join(sorted(SECRET_PARAMETERS)) + r")=[^&\s)'\"]+", re.IGNORECASE
)


def scrub(text: str) -> str:
    """``text`` (an error of requests, which quotes URLs) with query-string secrets hidden."""
    return _SECRET_IN_TEXT.sub(lambda m: f"{m.group(1)}=***", text)


def excerpt(text: Any, limit: int = 200) -> str:
    """A short, single-line, printable excerpt of remote text (for error messages)."""
    value = "".join(ch if ch.isprintable() else " " for ch in str(text))
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def fetch(
    url: str,
    *,
    params: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    timeout: float | None = None,
    max_bytes: int | None = None,
    rules: Policy | None = None,
) -> requests.Response:
    """GET ``url`` completely (``response.content`` is loaded) or raise :class:`OutboundError`.

    ``timeout`` bounds the whole request (redirects, headers and body); an HTTP error
    status is an error naming the status only.
    """
    shown = redact_url(url)
    with session(timeout, rules, max_bytes) as guarded:
        seconds = guarded.deadline.seconds
        try:
            response = guarded.get(url, params=params, headers=headers)
        except requests.exceptions.RequestException as error:
            known = cause(error, OutboundError)
            if isinstance(known, AddressRefused):
                raise AddressRefused(f"{shown}: refused: {known}") from error
            if known is not None:
                raise type(known)(f"{shown}: {known}") from error
            if guarded.deadline.expired or isinstance(error, requests.exceptions.Timeout):
                raise TimedOut(f"{shown}: timed out after {seconds:g} s in all") from error
            if isinstance(error, requests.exceptions.TooManyRedirects):
                raise OutboundError(f"{shown}: more than {MAX_REDIRECTS} redirects") from error
            if isinstance(error, requests.exceptions.ConnectionError):
                raise OutboundError(
                    f"{shown}: source unreachable ({excerpt(scrub(str(error)), 300)})"
                ) from error
            raise OutboundError(
                f"{shown}: request failed ({excerpt(scrub(str(error)), 300)})"
            ) from error
    if response.status_code >= 400:
        raise HTTPStatusError(
            f"{redact_url(response.url)}: {status_text(response)}", response.status_code
        )
    return response
