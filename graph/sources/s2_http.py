"""The HTTP side of :class:`graph.sources.s2.S2Source`: pacing, retries, validation, errors.

:class:`S2Transport` sends every request of the Semantic Scholar client (the key only as ``x-api-key``),
paces it (:class:`RateLimiter`, client side), retries it (``Retry-After`` on 429; exponential back-off
with jitter on 5xx, resets, timeouts, truncated JSON), validates the shape of a 200 answer
(:func:`validate_answer`: an empty or malformed answer is retried, never turned into an empty paper) and
raises :mod:`graph.core.errors` exceptions. It logs one line per HTTP request.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import re
import threading
import time
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urlsplit

import httpx

from graph.core.errors import ApiError, NotFoundError, OfflineError, RateLimitedError
from graph.core.settings import Settings

__all__ = ["MAX_RETRY_AFTER_S", "RateLimiter", "S2Transport", "clean_paper", "describe", "validate_answer"]

logger = logging.getLogger("graph.sources.s2")  # one logger for the S2 source, whichever room logs

MAX_RETRY_AFTER_S = 300.0
"""A ``Retry-After`` longer than this is not waited for: we raise :class:`RateLimitedError` at once."""

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_LISTING_PATH = re.compile(r"/(references|citations)$")


class RateLimiter:
    """At most ``rate_per_s`` requests a second: a minimum interval, shared and thread-safe.

    Examples
    --------
    >>> lim = RateLimiter(20)
    >>> t0 = time.monotonic(); _ = [lim.acquire() for _ in range(5)]
    >>> time.monotonic() - t0 >= 0.19
    True
    """

    def __init__(self, rate_per_s: float) -> None:
        self.interval = 1.0 / rate_per_s if rate_per_s and rate_per_s > 0 else 0.0
        self._next = 0.0
        self._lock = threading.Lock()

    def reserve(self) -> float:
        """Reserve the next slot; returns how long the caller must wait for it."""
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next)
            self._next = slot + self.interval
            return slot - now

    def acquire(self) -> None:
        """Block until the next slot."""
        wait = self.reserve()
        if wait > 0:
            time.sleep(wait)

    async def acquire_async(self) -> None:
        """Wait (asynchronously) until the next slot."""
        wait = self.reserve()
        if wait > 0:
            await asyncio.sleep(wait)


class _Retry(Exception):
    """A transient failure of one attempt (internal)."""

    def __init__(self, problem: str, *, status: int | None = None, retry_after: float | None = None) -> None:
        super().__init__(problem)
        self.problem = problem
        self.status = status
        self.retry_after = retry_after


def clean_paper(d: Any) -> dict[str, Any] | None:
    """A paper dict the client's wrappers can hold (they crash on some malformed values)."""
    if not isinstance(d, dict):
        return None
    out = dict(d)
    date = out.get("publicationDate")
    if "publicationDate" in out and not (isinstance(date, str) and _DATE.match(date)):
        out["publicationDate"] = None
    if "authors" in out:
        a = out["authors"]
        out["authors"] = [x for x in a if isinstance(x, dict)] if isinstance(a, list) else None
    for k in ("citations", "references"):
        if k in out:
            v = out[k]
            out[k] = [x for x in v if isinstance(x, dict)] if isinstance(v, list) else None
    for k in ("journal", "publicationVenue", "tldr", "externalIds"):
        if k in out and not isinstance(out[k], dict):
            out[k] = None
    return out


def describe(url: str) -> str:
    """The URL path for messages (no query, never the key)."""
    return urlsplit(url).path or url


class S2Transport:
    """Paced, retried, validated HTTP calls to Semantic Scholar (see the module docstring).

    Attributes
    ----------
    requests:
        HTTP requests sent (every attempt, retries included).
    throttled:
        429 answers received.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.requests = 0
        self.throttled = 0
        self._lock = threading.Lock()
        self._limiter = RateLimiter(settings.rate_per_s)
        self._rng = random.Random()
        self._ssl = httpx.create_ssl_context()  # built once: building one per request costs ~30 ms
        self._headers = {"x-api-key": settings.s2_api_key} if settings.s2_api_key else {}

    def ping(self, url: str) -> bool:
        """Whether the API answers at all (any HTTP status); False quickly when unreachable."""
        if self.settings.offline:
            return False
        self._limiter.acquire()
        self.count()
        t0 = time.monotonic()
        try:
            with httpx.Client(timeout=min(self.settings.timeout_s, 3.0), verify=self._ssl) as client:
                r = client.get(url, params={"fields": "paperId"}, headers=self._headers)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.UnsupportedProtocol) as exc:
            logger.info("S2 GET %s -> unreachable (%s)", describe(url), type(exc).__name__)
            return False
        except httpx.HTTPError as exc:  # a reset or a slow answer: someone is there; requests retry
            logger.info("S2 GET %s -> %s on the ping: treated as reachable", describe(url), type(exc).__name__)
            return True
        logger.info("S2 GET %s -> %s in %.0f ms (ping)", describe(url), r.status_code,
                    (time.monotonic() - t0) * 1000)
        return True


    def count(self, *, throttled: bool = False) -> None:
        with self._lock:
            if throttled:
                self.throttled += 1
            else:
                self.requests += 1

    def backoff(self, attempt: int) -> float:
        s = self.settings
        return min(s.backoff_max_s, s.backoff_base_s * (2 ** attempt)) * self._rng.uniform(0.5, 1.0)

    async def request(self, url: str, parameters: str, payload: dict[str, Any] | None) -> Any:
        """Send one API call with pacing, retries and validation; returns the JSON body."""
        method = "POST" if payload is not None else "GET"
        params = (parameters or "").lstrip("&")
        path = describe(url)
        clean_url = url.split("?", 1)[0]
        if self.settings.offline:
            raise OfflineError(f"offline mode: not calling Semantic Scholar ({method} {path})", url=clean_url,
                               hint="unset LINEAGE_OFFLINE to go online")
        attempt = 0
        while True:
            await self._limiter.acquire_async()
            self.count()
            t0 = time.monotonic()
            try:
                return await self._attempt(method, url, params, payload, path, attempt, t0)
            except _Retry as r:
                last = r
            if last.status == 429:
                self.count(throttled=True)
            if last.retry_after is not None and last.retry_after > MAX_RETRY_AFTER_S:
                raise RateLimitedError(
                    f"Semantic Scholar rate-limited {method} {path} and asks to wait {last.retry_after:.0f} s",
                    url=clean_url, status=429, hint="try again later, or set S2_API_KEY for a higher rate")
            if attempt >= self.settings.max_retries:
                tries = attempt + 1
                if last.status == 429:
                    raise RateLimitedError(
                        f"Semantic Scholar kept answering 429 Too Many Requests to {method} {path} "
                        f"({tries} attempts)", url=clean_url, status=429,
                        hint="lower LINEAGE_RATE, wait a minute, or set S2_API_KEY")
                raise ApiError(f"Semantic Scholar failed on {method} {path}: {last.problem} ({tries} attempts)",
                               url=clean_url, status=last.status, hint="try again later; the cache keeps what worked")
            delay = self.backoff(attempt)
            if last.retry_after is not None:
                delay = last.retry_after + self._rng.uniform(0, 0.05)
            logger.info("S2 %s %s: %s; retry %d/%d in %.2f s", method, path, last.problem, attempt + 1,
                        self.settings.max_retries, delay)
            await asyncio.sleep(delay)
            attempt += 1

    async def _attempt(self, method: str, url: str, params: str, payload: dict[str, Any] | None, path: str,
                       attempt: int, t0: float) -> Any:
        clean_url = url.split("?", 1)[0]
        try:
            async with httpx.AsyncClient(timeout=self.settings.timeout_s, verify=self._ssl) as client:
                r = await client.request(method, url, params=params, headers=self._headers, json=payload)
                status = r.status_code
                body = r.content
        except httpx.ConnectError as exc:
            logger.info("S2 %s %s -> unreachable (%s)", method, path, type(exc).__name__)
            raise OfflineError(f"cannot reach Semantic Scholar at {urlsplit(url).netloc} ({method} {path})",
                               url=clean_url, hint="check the network, or work offline (LINEAGE_OFFLINE=1)") from None
        except httpx.TimeoutException as exc:
            logger.info("S2 %s %s -> timeout after %.1f s", method, path, time.monotonic() - t0)
            raise _Retry(f"timed out ({type(exc).__name__})") from None
        except httpx.HTTPError as exc:  # resets, protocol errors, truncated bodies with a Content-Length
            logger.info("S2 %s %s -> %s", method, path, type(exc).__name__)
            raise _Retry(f"connection failed ({type(exc).__name__})") from None
        logger.info("S2 %s %s -> %d in %.0f ms (attempt %d)", method, path, status,
                    (time.monotonic() - t0) * 1000, attempt + 1)
        if status == 200:
            try:
                data = r.json()
            except ValueError:
                raise _Retry(f"truncated or invalid JSON ({len(body)} bytes)", status=status) from None
            return validate_answer(data, path, status)
        if status == 429:
            raise _Retry("429 Too Many Requests", status=429, retry_after=_retry_after(r.headers.get("Retry-After")))
        if status >= 500 or status == 408:
            raise _Retry(f"HTTP {status}", status=status)
        message = _error_text(r)
        if status == 404:
            raise NotFoundError(f"Semantic Scholar: not found ({method} {path}): {message}", url=clean_url,
                                status=404)
        if status in (401, 403):
            raise ApiError(f"Semantic Scholar refused {method} {path} (HTTP {status})", url=clean_url,
                           status=status, hint="check S2_API_KEY")
        raise ApiError(f"Semantic Scholar rejected {method} {path} (HTTP {status}): {message}", url=clean_url,
                       status=status)


def validate_answer(data: Any, path: str, status: int) -> Any:
    """Check the shape of a 200 answer; clean it for the client's wrappers; empty -> retry (``_Retry``)."""
    if path.endswith("/paper/batch"):
        if not isinstance(data, list):
            raise _Retry("malformed batch answer (not a list)", status=status)
        return [clean_paper(x) if x is not None else None for x in data]
    if _LISTING_PATH.search(path) or path.endswith("/search/match"):
        if not isinstance(data, dict) or not isinstance(data.get("data"), list):
            raise _Retry("malformed page (no data list)", status=status)
        nested = ("citedPaper" if path.endswith("/references") else "citingPaper"
                  if path.endswith("/citations") else None)
        items = []
        for x in data["data"]:
            if not isinstance(x, dict):
                logger.info("S2 %s: skipped a malformed item", path)
                continue
            if nested is None:
                cleaned = clean_paper(x)
                if cleaned:
                    items.append(cleaned)
                continue
            x = dict(x)
            x[nested] = clean_paper(x.get(nested))
            if x[nested] is None:
                logger.info("S2 %s: skipped an item without %s", path, nested)
                continue
            items.append(x)
        out = dict(data)
        out["data"] = items
        if "next" in out and not isinstance(out["next"], int):
            out.pop("next")
        if "offset" in out and not isinstance(out["offset"], int):
            out.pop("offset")
        return out
    # a single paper
    if not isinstance(data, dict) or not data or set(data) == {"error"}:
        raise _Retry("empty or malformed paper", status=status)
    cleaned = clean_paper(data)
    if not cleaned or not (cleaned.get("paperId") or cleaned.get("title")):
        raise _Retry("empty paper (no paperId)", status=status)
    return cleaned


def _retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value.strip()))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())


def _error_text(r: httpx.Response) -> str:
    """The API's ``error`` / ``message`` text (untrusted: capped)."""
    try:
        data = r.json()
    except ValueError:
        return r.text[:200].strip() or f"HTTP {r.status_code}"
    if isinstance(data, dict):
        text = data.get("error") or data.get("message")
        if isinstance(text, str):
            return text[:300]
    return f"HTTP {r.status_code}"
