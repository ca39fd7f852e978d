"""clean_text, html_to_text and release_id: what survives normalisation and what never does."""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import given, settings, strategies as st

from feeds.collect.normalize import html_to_text, release_id, safe_link
from feeds.text import clean_text

ESC = "\x1b"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (f"{ESC}[31mred{ESC}[0m text", "red text"),
        (f"a{ESC}[2J{ESC}[Hb", "ab"),  # clear screen, cursor home
        (f"x{ESC}]52;c;SGVsbG8={ESC}\\y", "xy"),  # OSC 52 clipboard write, ST-terminated
        (f"x{ESC}]0;new title\x07y", "xy"),  # window title change, BEL-terminated
        (f"{ESC}]8;;https://evil.example{ESC}\\click{ESC}]8;;{ESC}\\", "click"),  # OSC 8 link
        (f"a{ESC}P1$r0m{ESC}\\b", "ab"),  # DCS
        (f"a{ESC}]0;unterminated\nb", "a\nb"),  # an unterminated OSC ends with its line
        (f"a{ESC}(Bb{ESC}7c{ESC}", "abc"),  # charset designation, save cursor, lone ESC
        ("a\x9b31mb\x9d0;t\x07c", "a31mb0;tc"),  # 8-bit introducers dropped as characters
        ("nul\x00bell\x07del\x7fnel\x85", "nulbelldelnel"),
        ("\u202egnp.exe\u202c safe", "gnp.exe safe"),  # right-to-left override
        ("\u2066iso\u2069 \u200fmark", "iso mark"),
        ("zero\u200bwidth\u200c\u200djoin\u2060er\ufeff", "zerowidthjoiner"),
        ("\ufeffBOM first", "BOM first"),
        ("tag\U000e0041\U000e007f chars", "tag chars"),
        ("soft\u00adhyphen", "softhyphen"),
        ("lone \ud800 surrogate", "lone surrogate"),
    ],
)
def test_control_sequences_and_invisible_characters_are_removed(raw: str, clean: str):
    assert clean_text(raw) == clean


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  many    spaces\there  ", "many spaces\there"),
        ("line one  \n   line two", "line one\nline two"),
        ("a\r\nb\rc\u2028d", "a\nb\nc\nd"),
        ("p1\n\n\n\n\np2", "p1\n\np2"),
        ("e\u0301te\u0301", "été"),  # NFC
        ("[bold]x[/] <b>", "[bold]x[/] <b>"),  # markup-looking text is only text
        ("", ""),
    ],
)
def test_whitespace_and_unicode_form_are_tidied(raw: str, clean: str):
    assert clean_text(raw) == clean


def test_every_control_and_format_character_is_removed():
    everything = "".join(
        chr(c)
        for c in range(sys.maxunicode + 1)
        if unicodedata.category(chr(c)) in ("Cc", "Cf") and chr(c) not in "\n\t\r"
    )
    assert clean_text(f"a{everything}b") == "ab"


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>One</p><p>Two</p>", "One\n\nTwo"),
        ("<h2>Heading</h2>Body text", "Heading\n\nBody text"),
        ("a<br>b<br/>c", "a\nb\nc"),
        ("<ul><li>x</li><li>y</li></ul>after", "x\ny\n\nafter"),
        ("<div><div><p>deep</p></div></div>", "deep"),
        ("Tom &amp; Jerry &eacute;t&eacute; &#8220;q&#8221; &lt;b&gt;", "Tom & Jerry été “q” <b>"),
        ("<script>alert(1)</script><style>p{}</style>kept<noscript>no</noscript>", "kept"),
        ("<b>bold</b> and <i>italic</i>.", "bold and italic."),
        ("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>", "a b\nc"),
        ("<!-- comment -->visible", "visible"),
        ("plain text, no tags", "plain text, no tags"),
        ("1 < 2 and 3 > 2", "1 < 2 and 3 > 2"),
        ("<p>ESC&#27;[31m inside\x1b]0;t\x07</p>", "ESC inside"),
        ("<p>nul\x00 byte</p>", "nul byte"),
        ("", ""),
        ("<p>   </p>", ""),
    ],
)
def test_html_becomes_paragraphed_plain_text(html: str, text: str):
    assert html_to_text(html) == text


def test_deeply_nested_html_does_not_recurse():
    assert html_to_text("<div>" * 5000 + "deep" + "</div>" * 5000) == "deep"


def test_release_id_prefers_guid_then_link_then_title():
    by_guid = release_id("https://wh.gov/?p=1", "https://wh.gov/a", "T", "wh")
    assert by_guid == release_id("https://wh.gov/?p=1", "https://other/b", "Other", "other")
    by_link = release_id("", "https://WH.gov:443/a?utm_source=x#frag", "T", "wh")
    assert by_link == release_id("", "https://wh.gov/a", "Different title", "other")
    by_title = release_id("", "", "Same  Title", "wh")
    assert by_title == release_id("", "", "same title", "wh")
    assert by_title != release_id("", "", "same title", "pm")
    assert len({by_guid, by_link, by_title}) == 3
    assert all(len(x) == 16 for x in (by_guid, by_link, by_title))


def test_counter_like_guids_are_scoped_to_their_source():
    assert release_id("17", "", "", "a") != release_id("17", "", "", "b")


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("javascript:alert(1)", ""),
        ("data:text/html,hi", ""),
        ("  https://a.gov/x\n", "https://a.gov/x"),
        ("/rel", "https://base.gov/rel"),
        ("https://a.gov/\x1b[31mx", "https://a.gov/x"),
    ],
)
def test_safe_link_keeps_only_http_links(url: str, safe: str):
    assert safe_link(url, "https://base.gov/feed") == safe


# --- properties ---------------------------------------------------------------------------------

_FORBIDDEN = {"Cc", "Cf", "Cs"}


def _has_no_control(text: str) -> bool:
    return all(unicodedata.category(c) not in _FORBIDDEN or c in "\n\t" for c in text)


@settings(max_examples=400)
@given(st.text())
def test_clean_text_never_leaves_a_control_character(s: str):
    cleaned = clean_text(s)
    assert _has_no_control(cleaned)
    assert clean_text(cleaned) == cleaned


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=20),
            st.sampled_from(["<p>", "</p>", "<br>", "<h1>", "<script>", "&amp;", "&#27;", "\x1b["]),
        ),
        max_size=20,
    )
)
def test_html_to_text_never_leaves_a_control_character(parts: list[str]):
    assert _has_no_control(html_to_text("".join(parts)))
