"""Reference links: only http, https and mailto, with nothing invisible in them; a non-ASCII
link is written percent-encoded as the slide's relationship target and shown as written."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from deck.cli import main

STARTER_URL = "https://www.rfc-editor.org/rfc/rfc9110"


def bank_with_url(tmp_path: Path, url: str) -> tuple[Path, int]:
    """A `deck init` bank whose first reference links to url (a YAML double-quoted scalar, so
    escapes like \\t work); returns the bank and the line of that url. Its section shows no diagram:
    links are under test, and the starter's diagram would need a browser to render."""
    bank = tmp_path / "bank"
    assert main(["init", str(bank), "--lang", "en"]) == 0
    section = bank / "01-http.yaml"
    shown = section.read_text(encoding="utf-8")
    assert "  diagrams: [request-flow]\n" in shown
    section.write_text(shown.replace("  diagrams: [request-flow]\n", "", 1), encoding="utf-8")
    deck = bank / "deck.yaml"
    text = deck.read_text(encoding="utf-8")
    assert f"url: {STARTER_URL}\n" in text
    deck.write_text(text.replace(f"url: {STARTER_URL}\n", f'url: "{url}"\n', 1), encoding="utf-8")
    return bank, text[: text.index(STARTER_URL)].count("\n") + 1


@pytest.mark.parametrize("url", [
    "javascript:alert(1)",
    "file:///etc/passwd",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "https://example.com/a b",
    "https://example.com/\\ta",
    "https://example.com/\\u202egnp.exe",
    "www.example.com/no-scheme",
    "https:///no-host",
    "mailto:",
    "http://[::1",
])
def test_a_bad_reference_url_is_one_line_naming_deck_yaml_and_field(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], url: str) -> None:
    bank, line = bank_with_url(tmp_path, url)
    capsys.readouterr()
    assert main(["check", "--content", str(bank)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert f"deck.yaml:{line}" in err and "field 'references.url'" in err, err


@pytest.mark.parametrize("url", ["https://arxiv.org/abs/1706.03762?x=1&y=2#s3", "mailto:team@example.com",
                                 "HTTP://EXAMPLE.COM/"])
def test_good_urls_pass(tmp_path: Path, url: str) -> None:
    bank, _ = bank_with_url(tmp_path, url)
    assert main(["check", "--content", str(bank)]) == 0


def test_a_non_ascii_url_is_percent_encoded_in_the_rels_and_shown_as_written(tmp_path: Path) -> None:
    url = "https://例子.测试/路径/Ünïcode?q=值&a=1#节"
    bank, _ = bank_with_url(tmp_path, url)
    out = tmp_path / "study.pptx"
    assert main(["build", "-q", "--content", str(bank), "--profile", "study", "-o", str(out)]) == 0
    encoded = ("https://%E4%BE%8B%E5%AD%90.%E6%B5%8B%E8%AF%95/%E8%B7%AF%E5%BE%84/%C3%9Cn%C3%AFcode"
               "?q=%E5%80%BC&amp;a=1#%E8%8A%82")  # & is escaped in the XML attribute
    with zipfile.ZipFile(out) as z:
        rels = {n: z.read(n).decode() for n in z.namelist() if re.fullmatch(r"ppt/slides/_rels/slide\d+\.xml\.rels", n)}
        linked = [n for n, xml in rels.items() if f'Target="{encoded}" TargetMode="External"' in xml]
        assert len(linked) == 1, "one references slide links to the encoded URL"
        assert not any(url in xml for xml in rels.values())
        slide = z.read(linked[0].replace("_rels/", "").removesuffix(".rels")).decode()
    assert f"<a:t>{url.replace('&', '&amp;')}</a:t>" in slide
