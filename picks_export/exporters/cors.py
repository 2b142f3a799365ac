"""The bucket's CORS policy: the rule `bucket cors` stores, and how a server answers a browser under it.

GCS keeps the policy as a list of rules (origins, methods, response headers, max age). `serve` answers with the
same rule the bucket holds, so that a page tried against the local server meets the browser checks it will
meet against the bucket. Nothing here imports a Google library.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from .errors import ExportError

CorsPolicy = list[dict[str, Any]]
CORS_METHODS = ["GET", "HEAD"]
CORS_RESPONSE_HEADERS = ["Content-Type", "Cache-Control"]
DEFAULT_CORS_MAX_AGE = 3600
_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(:[0-9]{1,5})?|\*")


def check_origin(origin: str) -> str:
    """A CORS origin: scheme and host (and port), nothing else; or `*` for any."""
    if not _ORIGIN.fullmatch(origin):
        raise ExportError(f"origin {origin!r} is not like https://example.com (scheme and host, no path)")
    return origin


def cors_policy(origins: Sequence[str], max_age: int = DEFAULT_CORS_MAX_AGE) -> CorsPolicy:
    """The one rule `bucket cors` sets: GET and HEAD from `origins`, with the headers a page needs to read."""
    return [
        {
            "origin": list(origins),
            "method": list(CORS_METHODS),
            "responseHeader": list(CORS_RESPONSE_HEADERS),
            "maxAgeSeconds": max_age,
        }
    ]


def _matching_rule(policy: CorsPolicy, origin: str, method: str) -> Mapping[str, Any] | None:
    for rule in policy:
        origins = rule.get("origin") or []
        methods = [each.upper() for each in rule.get("method") or []]
        if (origin in origins or "*" in origins) and method.upper() in methods:
            return rule
    return None


def cors_headers(
    policy: CorsPolicy,
    origin: str | None,
    method: str,
    requested_headers: str | None = None,
    *,
    preflight: bool = False,
) -> dict[str, str] | None:
    """The CORS headers of an answer to a request from `origin`, or None when the policy does not allow it.

    For a preflight (OPTIONS), `method` is the Access-Control-Request-Method and `requested_headers` the
    Access-Control-Request-Headers; a requested header outside the rule's response headers refuses it.
    """
    if not origin:
        return None
    rule = _matching_rule(policy, origin, method)
    if rule is None:
        return None
    allowed_headers = list(rule.get("responseHeader") or [])
    headers = {"Access-Control-Allow-Origin": "*" if "*" in rule.get("origin", []) else origin, "Vary": "Origin"}
    if not preflight:
        if allowed_headers:
            headers["Access-Control-Expose-Headers"] = ", ".join(allowed_headers)
        return headers
    wanted = [each.strip() for each in (requested_headers or "").split(",") if each.strip()]
    if any(each.lower() not in {allowed.lower() for allowed in allowed_headers} for each in wanted):
        return None
    headers["Access-Control-Allow-Methods"] = ", ".join(rule.get("method") or [])
    if wanted:
        headers["Access-Control-Allow-Headers"] = ", ".join(wanted)
    if rule.get("maxAgeSeconds") is not None:
        headers["Access-Control-Max-Age"] = str(rule["maxAgeSeconds"])
    return headers
