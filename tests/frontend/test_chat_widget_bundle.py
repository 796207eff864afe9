"""The chat widget's script as Shiftline serves it: built by `make setup`, within its size
budget, never putting text into the page as HTML, served with the headers a brand's page on
another origin needs, and its translations served the same way."""

import gzip
import re
from pathlib import Path

import pytest
from django.test import Client

from frontend.views import widget

SOURCES = Path(widget.__file__).resolve().parents[1] / "widget" / "src"
# The budget the closing note reports against (a framework alone would be larger).
BUDGET_BYTES = 40 * 1024
BUDGET_GZIP_BYTES = 14 * 1024
# Ways text could reach the page as markup: none of them is allowed anywhere in the widget.
HTML_SINKS = re.compile(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|DOMParser|"
                        r"createContextualFragment|setAttribute\(\s*[\"']style")


def test_the_bundle_is_built_and_within_its_size_budget() -> None:
    built = widget.BUNDLE.read_bytes()

    assert len(built) <= BUDGET_BYTES, f"{len(built)} bytes, budget {BUDGET_BYTES}"
    assert len(gzip.compress(built, 9)) <= BUDGET_GZIP_BYTES


def test_no_text_reaches_the_page_as_html() -> None:
    sources = {path.name: path.read_text() for path in SOURCES.iterdir()}

    assert {name for name, text in sources.items() if HTML_SINKS.search(text)} == set()
    assert HTML_SINKS.search(widget.BUNDLE.read_text()) is None
    # The message body is set as textContent (dom.js's `text` prop), the one path for text.
    assert 'h("p", { class: "body", text: message.body })' in sources["chat.js"]


def test_the_script_is_served_to_any_origin_with_cache_headers() -> None:
    response = Client().get("/widget/v1.js", HTTP_ORIGIN="https://shop.example")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "max-age=300" in response["Cache-Control"]
    assert "public" in response["Cache-Control"]
    assert response.content == widget.BUNDLE.read_bytes()
    again = Client().get("/widget/v1.js", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_a_missing_build_is_a_clear_503(monkeypatch: pytest.MonkeyPatch,
                                        tmp_path: Path) -> None:
    monkeypatch.setattr(widget, "BUNDLE", tmp_path / "v1.js")

    response = Client().get("/widget/v1.js")

    assert response.status_code == 503
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "make setup" in response.content.decode()


@pytest.mark.parametrize(("lang", "msgid", "translated"), [
    ("es", "Start chat", "Iniciar chat"),
    ("fi", "Start chat", "Aloita keskustelu"),
    ("el", "Start chat", "Έναρξη συνομιλίας"),
    ("hi", "Start chat", "चैट शुरू करें"),
])
def test_the_catalog_speaks_each_language(lang: str, msgid: str, translated: str) -> None:
    response = Client().get(f"/widget/v1/catalog/{lang}.json")

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json()["catalog"][msgid] == translated


def test_every_widget_string_is_translated() -> None:
    from babel.messages.pofile import read_po

    for lang in ("es", "fi", "el", "hi"):
        path = SOURCES.parents[1] / "locale" / lang / "LC_MESSAGES" / "djangojs.po"
        with path.open("rb") as handle:
            catalog = read_po(handle)
        untranslated = [message.id for message in catalog
                        if message.id and (not message.string or message.fuzzy)]
        assert untranslated == [], lang


def test_an_unknown_language_is_a_404() -> None:
    assert Client().get("/widget/v1/catalog/xx.json").status_code == 404
