"""The network check: each URL requested once with httpx (:func:`probe_urls`) and what
happened classified into a status (:func:`classify`).

``HEAD`` first and ``GET`` where ``HEAD`` is refused, redirects followed one hop at a
time, retries for 408, 429 and 5xx honouring ``Retry-After`` (RFC 9110 §10.2.3), a
global and a per-host concurrency limit. httpx is imported when a request is made,
not with this module.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import errno
import functools
import random
import socket
import ssl
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable
from urllib.parse import urldefrag, urlsplit

from cvtex import __version__
from cvtex.links.model import Probe
from cvtex.links.policy import Policy

if TYPE_CHECKING:
    import httpx


USER_AGENT = f"cvtex/{__version__} (CV link checker; checks the links of a CV PDF once per render)"

#: Status codes after which a request is retried (RFC 9110 §15.5.9 408, RFC 6585 §4 429, §15.6 5xx).
RETRY_CODES = frozenset({408, 429} | set(range(500, 600)))
#: Status codes answering HEAD after which the request is repeated with GET: 405 Method
#: Not Allowed, 501 Not Implemented (RFC 9110 §9.1: servers need not support HEAD) and
#: 403 from servers that take a HEAD request for a bot.
HEAD_REFUSED = frozenset({403, 405, 501})
#: Status codes that say nothing about the link: authentication (401), refusal (403),
#: rate limit (429), LinkedIn's 999 — and retried codes that stayed (408, 5xx).
UNVERIFIED_CODES = frozenset({401, 403, 429, 999, 408} | set(range(500, 600)))
PERMANENT_REDIRECTS = frozenset({301, 308})  # RFC 9110 §15.4.2, §15.4.9


@dataclass(frozen=True)
class NetworkSettings:
    """How :func:`probe_urls` talks to servers.

    ``timeout``: seconds to connect and, separately, to wait for a response;
    ``concurrency``: requests in flight at once; ``per_host``: of those, to one host;
    ``retries``: extra attempts after 408/429/5xx; ``backoff``: seconds before the first
    retry when the server sends no ``Retry-After`` (doubled each time, ±20 % jitter);
    ``max_retry_wait``: longest wait (s) a ``Retry-After`` may ask for before the link is
    left unverified; ``max_redirects``: hops followed.
    """

    timeout: float = 10.0
    concurrency: int = 16
    per_host: int = 4
    retries: int = 2
    backoff: float = 0.5
    max_retry_wait: float = 10.0
    max_redirects: int = 10
    user_agent: str = USER_AGENT




def retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header value: ``delay-seconds`` or an
    ``HTTP-date`` (RFC 9110 §10.2.3, dates per §5.6.7); ``None`` when absent or invalid.
    A date in the past gives 0."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    now = time.time() if now is None else now
    return max(0.0, when.timestamp() - now)


def _error_kind(exc: BaseException) -> tuple[str, str]:
    """Classify an httpx exception by what caused it (its chain of causes)."""
    import httpx

    if isinstance(exc, httpx.TooManyRedirects):
        return "redirects", str(exc)
    if isinstance(exc, httpx.TimeoutException):
        what = "connecting" if isinstance(exc, httpx.ConnectTimeout) else "waiting for the response"
        return "timeout", f"timed out {what}"
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.InvalidURL)):
        return "invalid", str(exc)
    chain: list[BaseException] = []
    seen = exc
    while seen is not None and seen not in chain and len(chain) < 10:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__  # type: ignore[assignment]
    for cause in chain:
        if isinstance(cause, socket.gaierror):
            temporary = cause.errno == getattr(socket, "EAI_AGAIN", -3)
            return ("dns-temporary" if temporary else "dns"), f"DNS lookup failed: {cause.strerror or cause}"
        if isinstance(cause, ssl.SSLError):
            return "tls", f"TLS error: {getattr(cause, 'verify_message', None) or cause.reason or cause}"
        if isinstance(cause, ConnectionRefusedError):
            return "refused", "connection refused"
        if isinstance(cause, OSError) and cause.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN):
            return "network", f"network unreachable: {cause.strerror}"
    text = str(exc) or type(exc).__name__
    if isinstance(exc, httpx.ConnectError):
        lowered = text.lower()
        if "name or service not known" in lowered or "nodename nor servname" in lowered or "getaddrinfo" in lowered:
            return "dns", f"DNS lookup failed: {text}"
        if "ssl" in lowered or "certificate" in lowered or "tls" in lowered:
            return "tls", f"TLS error: {text}"
        if "refused" in lowered:
            return "refused", "connection refused"
        return "network", text
    if isinstance(exc, httpx.RemoteProtocolError):
        return "protocol", f"the server broke the HTTP protocol: {text}"
    return "network", text


@functools.lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    """The TLS context (system or ``SSL_CERT_FILE`` trust store, certifi otherwise):
    built once per process, as loading the CA bundle takes tens of milliseconds."""
    import httpx

    return httpx.create_ssl_context()


def _host_key(target: "str | httpx.Request") -> str:
    """The host a URL or request goes to, as :attr:`httpx.URL.host` spells it (lower
    case, IDNA-decoded): the key of the per-host limit. An ASCII host without a punycode
    label (``xn--``, RFC 3492) from :func:`urllib.parse.urlsplit` is already in that
    form, at a twentieth of the cost of parsing an :class:`httpx.URL`."""
    import httpx

    if not isinstance(target, str):
        return target.url.host
    host = urlsplit(target).hostname or ""
    return host if host.isascii() and "xn--" not in host else httpx.URL(target).host


class _Host:
    """Per-host state: the concurrency slots and the time (``time.monotonic``) before
    which no request may be sent, after a ``Retry-After``."""

    def __init__(self, limit: int) -> None:
        self.slots = asyncio.Semaphore(limit)
        self.not_before = 0.0


async def probe_urls(urls: Iterable[str], settings: NetworkSettings = NetworkSettings()) -> dict[str, Probe]:
    """Request every URL once and return ``{url: Probe}`` for each URL given. URLs that
    differ only in their fragment share one request and one probe (RFC 3986 §3.5: the
    fragment is not sent).

    ``HEAD`` first, then ``GET`` (response body not read) for the same URL when the
    server answers ``HEAD`` with a code in :data:`HEAD_REFUSED`. Redirects are followed
    one hop at a time (httpx builds each next request: RFC 9110 §15.4); a URL seen twice
    in one chain is a loop. 408, 429 and
    5xx are retried ``settings.retries`` times after ``Retry-After`` seconds or an
    exponential backoff; a ``Retry-After`` also holds back other requests to that host.
    Hosts under ``.invalid`` are not looked up (RFC 6761 §6.4: they never resolve).
    Never raises for a network problem: it is recorded in the probe.
    """
    import httpx

    given = list(dict.fromkeys(urls))
    unique = list(dict.fromkeys(urldefrag(u).url for u in given))
    if not unique:
        return {}
    # One client per slot of the global limit, each with a single request in flight:
    # httpcore's pool re-examines every connection it holds (a poll() per connection)
    # each time a request starts or ends, so one shared pool of N connections costs
    # O(N) per request — measured 1.0-1.5 ms of CPU per URL at N = 16, against 0.4 ms
    # with a client per slot (benchmarks/links.py). Checking a client out of the queue
    # is the global limit; the host semaphore is taken first, so a request waiting for
    # a busy host does not hold a slot that another host's request could use.
    limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)
    timeout = httpx.Timeout(settings.timeout, pool=None)
    hosts: dict[str, _Host] = {}
    headers = {"User-Agent": settings.user_agent, "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    pool = [httpx.AsyncClient(headers=headers, timeout=timeout, limits=limits, follow_redirects=False,
                              max_redirects=settings.max_redirects, verify=_ssl_context())
            for _ in range(min(settings.concurrency, len(unique)))]
    clients: asyncio.Queue[httpx.AsyncClient] = asyncio.Queue()
    async with contextlib.AsyncExitStack() as stack:
        for client in pool:
            clients.put_nowait(await stack.enter_async_context(client))

        async def send(target: str | httpx.Request, probe: Probe) -> tuple[httpx.Request, httpx.Response]:
            # ``target`` is the URL itself for the first request: building an httpx
            # Request (~50 µs) waits until a slot is held, or every URL queued behind
            # the first wave would be built before that wave's connections open.
            key = _host_key(target)
            host = hosts.get(key)
            if host is None:
                host = hosts[key] = _Host(settings.per_host)
            attempt = 0
            while True:
                delay = host.not_before - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                async with host.slots:
                    client = await clients.get()
                    try:
                        request = client.build_request("HEAD", target) if isinstance(target, str) else target
                        target = request
                        probe.attempts += 1
                        response = await client.send(request)  # HEAD: no body, the connection is reused
                        if request.method == "HEAD" and response.status_code in HEAD_REFUSED:
                            request = client.build_request("GET", request.url)
                            probe.attempts += 1
                            response = await client.send(request, stream=True)  # the body is never read
                            await response.aclose()
                    finally:
                        clients.put_nowait(client)
                probe.method = request.method
                if response.status_code not in RETRY_CODES or attempt >= settings.retries:
                    return request, response
                asked = retry_after(response.headers.get("Retry-After"))
                wait = asked if asked is not None else settings.backoff * 2 ** attempt * random.uniform(0.8, 1.2)
                if wait > settings.max_retry_wait:
                    probe.message = f"Retry-After asks for {wait:.0f} s, more than the {settings.max_retry_wait:g} s allowed"
                    return request, response
                if asked is not None:
                    host.not_before = max(host.not_before, time.monotonic() + wait)
                probe.waits.append(round(wait, 3))
                attempt += 1
                await asyncio.sleep(wait)

        async def one(url: str) -> Probe:
            probe = Probe(url, checked_at=time.time())
            if (urlsplit(url).hostname or "").lower().rstrip(".").endswith(".invalid"):
                probe.error, probe.message = "dns", "the .invalid domain never resolves (RFC 6761 §6.4)"
                return probe
            seen = {url}
            target: str | httpx.Request = url
            try:
                while True:
                    request, response = await send(target, probe)
                    probe.final_url = str(request.url)
                    if response.next_request is None:
                        probe.code = response.status_code
                        return probe
                    target = response.next_request
                    location = str(target.url)
                    probe.hops.append([response.status_code, location])
                    if location in seen:
                        probe.error, probe.message = "loop", f"redirect loop back to {location}"
                        return probe
                    if len(probe.hops) > settings.max_redirects:
                        probe.error, probe.message = "redirects", f"more than {settings.max_redirects} redirects"
                        return probe
                    seen.add(location)
            except httpx.HTTPError as exc:
                probe.error, probe.message = _error_kind(exc)
                return probe

        results = dict(zip(unique, await asyncio.gather(*(one(u) for u in unique))))
    return {u: results[urldefrag(u).url] for u in given}


@dataclass(frozen=True)
class Verdict:
    """The classification of a probe: ``status`` (:data:`STATUSES`), a one-line
    ``message``, and for a permanent redirect its new ``location``."""

    status: str
    message: str
    location: str | None = None


def classify(probe: Probe, policy: Policy = Policy(), *, network_down: bool = False) -> Verdict:
    """Classify what a request showed (RFC 9110 §15 status code semantics).

    * **ok** — a 2xx (or other non-error) final response, or a code ``policy`` accepts
      for the host; temporary redirects (302, 303, 307) on the way are fine.
    * **redirected** — ok, but the URL itself is permanently redirected (301, 308):
      ``location`` is where the leading run of permanent redirects ends.
    * **broken** — 404, 410 and other 4xx not listed below; DNS failure, TLS error,
      connection refused, redirect loop or too many redirects, an invalid redirect.
    * **unverified** (a warning) — 401, 403, 429, 999, 408 and 5xx after retries,
      timeouts, protocol errors, and DNS failures when ``network_down`` (no host of the
      run could be reached, so the machine is probably offline).
    """
    if probe.error:
        if probe.error in ("dns", "dns-temporary", "network") and (network_down or probe.error == "dns-temporary"):
            return Verdict("unverified", f"{probe.message} — no network? (--offline skips the check)")
        if probe.error in ("dns", "tls", "refused", "loop", "redirects", "invalid"):
            return Verdict("broken", _via(probe) + probe.message)
        return Verdict("unverified", _via(probe) + probe.message)
    code = probe.code or 0
    final = probe.final_url or probe.url
    accepted = policy.accepts(probe.url, code) or policy.accepts(final, code)
    note = f"HTTP {code}" + (f" ({probe.method})" if probe.method == "GET" else "")
    if code in UNVERIFIED_CODES and not accepted:
        reason = {401: "needs a login", 403: "the server refused the check", 429: "rate-limited",
                  408: "the server timed out",
                  999: "the server refused the check"}.get(code, "the server had a problem" if code >= 500 else "")
        extra = f"; {probe.message}" if probe.message else ""
        retried = f" after {len(probe.waits)} retries" if probe.waits else ""
        return Verdict("unverified", f"{_via(probe)}{note}{retried}: {reason}{extra}".rstrip(": "))
    if 400 <= code and not accepted:
        return Verdict("broken", f"{_via(probe)}{note}")
    if accepted and not 200 <= code < 400:
        note += " (accepted by the link policy)"
    if probe.hops and probe.hops[0][0] in PERMANENT_REDIRECTS:
        location, code_moved = probe.hops[0][1], probe.hops[0][0]
        for hop_code, hop_location in probe.hops:
            if hop_code not in PERMANENT_REDIRECTS:
                break
            location = hop_location
        return Verdict("redirected", f"moved permanently ({code_moved}) to {location}: update the link; {note}",
                       location)
    if probe.hops:
        return Verdict("ok", f"{note} after a temporary redirect ({probe.hops[0][0]}) to {final}")
    return Verdict("ok", note)


def _via(probe: Probe) -> str:
    return f"redirected to {probe.final_url}: " if probe.hops and probe.final_url else ""


def _is_definite(probe: Probe, network_down: bool) -> bool:
    """Whether a probe is worth caching: a server's answer that retrying would not change
    (not 408, 429 or 5xx) or a broken link — not a timeout or an unreachable network."""
    if probe.error is None:
        return probe.code not in RETRY_CODES
    return classify(probe, network_down=network_down).status == "broken"
