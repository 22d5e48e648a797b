"""The interface's words in Vietnamese (the default) and English, from ``messages.json``.

The language is chosen with ``?lang=vi|en`` (remembered in a cookie) and otherwise is
Vietnamese: the people this serves read Vietnamese first.
"""
from __future__ import annotations

import json
from functools import cache
from importlib import resources

LANGUAGES = ("vi", "en")
DEFAULT = "vi"


@cache
def messages() -> dict[str, dict[str, str]]:
    return json.loads(resources.files("hoptac.web").joinpath("messages.json").read_text(encoding="utf-8"))


def translator(lang: str):
    table = messages()

    def _(key: str, **values) -> str:
        text = table.get(key, {}).get(lang) or key
        return text.format(**values) if values else text
    return _


def request_language(request) -> str:
    """The language a request asks for: ``?lang=``, else the cookie a previous switch left."""
    return language(request.query_params.get("lang"), request.cookies.get("lang"))


def language(query: str | None, cookie: str | None) -> str:
    for candidate in (query, cookie):
        if candidate in LANGUAGES:
            return candidate
    return DEFAULT
