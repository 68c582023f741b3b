"""What a server address must look like before a client is built from it: stdlib only, so a config or a
command line can be checked without importing the HTTP client."""

from __future__ import annotations


def is_http_url(url: str) -> bool:
    """An http(s) URL with no whitespace in it (a pasted newline or space makes every request fail later)."""
    return url.startswith(("http://", "https://")) and not any(c.isspace() for c in url)
