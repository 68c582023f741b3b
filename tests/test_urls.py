"""`urls.is_http_url`: the one check of a server address (judge, extractor, teacher)."""

import pytest

from perception_r1.urls import is_http_url


@pytest.mark.parametrize("url, ok", [
    ("http://localhost:8000/v1", True),
    ("https://api.example.com/v1", True),
    ("localhost:8000/v1", False),
    ("ftp://host/v1", False),
    ("notaurl", False),
    ("", False),
    ("http://localhost:8000/v1\n", False),   # a pasted newline
    ("http://local host:8000/v1", False),
    ("http://localhost:8000/v1\t", False),
    (" http://localhost:8000/v1", False),
])
def test_is_http_url(url, ok):
    assert is_http_url(url) is ok
