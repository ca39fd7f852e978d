from __future__ import annotations

import re
import unicodedata

from hypothesis import given, strategies as st

from feeds.text import canonical_url, parsed_canonical_url, strip_marks
from state.dedupe import is_edit, is_enrichment, keys_for, normalise_text
from tests.state.factories import make_release


def test_canonical_url_drops_tracking_parameters_fragment_and_case() -> None:
    a = "HTTPS://www.Example.gov/News/Item/?utm_source=x&id=7&fbclid=abc&b=2#top"
    b = "http://example.gov/News/Item?b=2&id=7&gclid=zz&mc_cid=1"
    assert canonical_url(a) == canonical_url(b) == "example.gov/News/Item?b=2&id=7"


def test_canonical_url_keeps_meaningful_parameters_apart() -> None:
    assert canonical_url("https://x.gov/a?id=1") != canonical_url("https://x.gov/a?id=2")


def test_canonical_url_drops_default_port_and_keeps_others() -> None:
    assert canonical_url("https://x.gov:443/a") == "x.gov/a"
    assert canonical_url("https://x.gov:8443/a") == "x.gov:8443/a"


@given(st.text())
def test_canonical_url_never_raises(url: str) -> None:
    assert isinstance(canonical_url(url), str)


@given(
    path=st.from_regex(r"/[a-z0-9/-]{0,20}", fullmatch=True),
    tracking=st.sampled_from(["utm_source", "utm_campaign", "fbclid", "gclid", "mc_eid"]),
    value=st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True),
)
def test_adding_a_tracking_parameter_never_changes_the_canonical_url(
    path: str, tracking: str, value: str
) -> None:
    url = f"https://gob.mx{path}?id=3"
    assert canonical_url(f"{url}&{tracking}={value}") == canonical_url(url)


def test_normalise_text_ignores_case_accents_punctuation_and_spacing() -> None:
    assert normalise_text("Migración  IRREGULAR, hoy!") == normalise_text("migracion irregular hoy")


def test_same_text_from_two_sites_has_one_fingerprint() -> None:
    a = keys_for(make_release("a", link="https://a.gov/1", guid="guid-aaaaaaaa"))
    b = keys_for(make_release("a", link="https://b.gov/9", guid="guid-bbbbbbbb"))
    assert a.fingerprint and a.fingerprint == b.fingerprint


def test_short_bodies_get_no_fingerprint() -> None:
    keys = keys_for(make_release("a", text="Statement.", summary=""))
    assert keys.fingerprint == ""


def test_short_guids_are_not_identities() -> None:
    assert keys_for(make_release("a", guid="17")).guid == ""


def test_title_change_is_an_edit_but_summary_against_text_is_not() -> None:
    full = keys_for(make_release("a"))
    retitled = keys_for(make_release("a", title="A new title"))
    summary_only = keys_for(make_release("a", text="", summary="A summary long enough to count."))
    assert is_edit(full, retitled)
    assert not is_edit(full, summary_only)
    assert is_enrichment(summary_only, full)
    assert not is_enrichment(full, summary_only)


@given(
    scheme=st.sampled_from(["http", "https", "HTTPS"]),
    host=st.from_regex(r"(www\.)?[A-Za-z0-9.-]{1,20}", fullmatch=True),
    path=st.from_regex(r"(/[A-Za-z0-9._~!$&'()*+,;=:@%-]{0,12}){0,4}/?", fullmatch=True),
)
def test_plain_urls_take_a_shortcut_to_the_same_canonical_url(
    scheme: str, host: str, path: str
) -> None:
    url = f"{scheme}://{host}{path}"
    assert canonical_url(url) == parsed_canonical_url(url)


def _normalised_the_long_way(text: str) -> str:
    plain = "".join(
        c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c)
    )
    return " ".join(re.sub(r"[^\w\s]", " ", plain).split())


@given(st.text())
def test_the_ascii_shortcut_normalises_as_the_pattern_does(text: str) -> None:
    assert normalise_text(text) == _normalised_the_long_way(text)


@given(st.text(alphabet=st.characters(codec="latin-1")))
def test_latin_text_normalises_as_the_pattern_does(text: str) -> None:
    assert normalise_text(text) == _normalised_the_long_way(text)


@given(st.text())
def test_marks_are_stripped_as_from_the_whole_decomposed_text(text: str) -> None:
    decomposed = unicodedata.normalize("NFKD", text)
    assert strip_marks(text) == "".join(c for c in decomposed if not unicodedata.combining(c))
