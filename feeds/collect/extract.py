"""The body of a release: its text without the furniture around it, from feed HTML and fetched
pages alike.

One method for both. Furniture is known by its tag (nav, form, select, header, footer...), its
ARIA role, or a word of its class or id (menu, share, survey, topper, byline, meta...). A whole
page is first narrowed to its main element, or to the block that holds most of its prose; a feed
item's HTML is the body already. Then the text loses a leading byline block that ends with the
release's own title, and everything from a feed footer ("The post … appeared first on …") or a
survey prompt on. Where a site needs more, it is data in its config: `drop` lists CSS selectors
of elements to leave out. Pure: text or bytes in, plain text out (paragraphs separated by blank
lines); no network, no entity resolution. CPU-bound: call it in a thread for a fetched page.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from cssselect import SelectorError
from lxml import etree

from feeds.collect.normalize import (
    Skip,
    css_selector,
    decode_html,
    element_text,
    has_markup,
    html_to_text,
    parse_html,
)
from feeds.text import clean_text, fold, strip_controls

__all__ = ["extract_main_text"]

_FURNITURE_TAGS = frozenset(
    {
        *("script", "style", "noscript", "template", "head", "title", "iframe", "object"),
        *("embed", "svg", "math", "canvas", "nav", "form", "button", "select", "input"),
        *("textarea", "header", "footer", "aside", "menu", "dialog", "video", "audio"),
        *("picture", "figure", "img"),
    }
)
_FURNITURE_ROLES = frozenset(
    {"navigation", "banner", "contentinfo", "search", "dialog", "complementary", "menu", "menubar"}
)
# Furniture tags that may also cite the author of a quotation.
_CITATION_TAGS = frozenset({"footer", "header"})
# Class or id words of page furniture, in the three languages of our sources.
_FURNITURE_WORDS = re.compile(
    r"cookie|consent|survey|encuesta|sondage|feedback|share|social|compartir|partager|breadcrumb"
    r"|menu|navbar|sidebar|footer|masthead|topper|related|newsletter|subscribe|skip|banner|modal"
    r"|popup|toolbar|pager|pagination|comments|tags|print|gdpr|alert|language-switch|lang-select"
    r"|byline|dateline|screen-reader|visually-hidden|sr-only|(?<![a-z])meta(?![a-z])",
    re.IGNORECASE,
)
# Containers never dropped for a class word: a page's `<main class="main-menu-open">` is still
# the page.
_NEVER_FURNITURE = frozenset({"html", "body", "main", "article"})
_MAIN_XPATH = (
    "//main | //article | //*[@role='main'] | //*[@itemprop='articleBody']"
    " | //*[@id='main-content' or @id='content' or @id='main']"
)
_MIN_MAIN_CHARS = 200
# A block holding this share of a page's prose is where the body is.
_MOST = 0.8
_PARAGRAPHS = frozenset(
    {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "dd", "dt", "td"}
)
# The text stops at the first line that starts with one of these: survey and feedback prompts
# of release pages, and the footer WordPress adds to every feed item (English, Spanish, French).
_TAIL_MARKERS = re.compile(
    r"^\s*(?:contesta nuestra encuesta|¿cómo fue tu experiencia|¿fue fácil encontrar"
    r"|was this page helpful|did you find what you were looking for|report a problem"
    r"|cette page vous a-t-elle été utile|signaler un problème|date modified"
    r"|date de modification|share this page|partager cette page|compartir en"
    r"|the post .+ appeared first on |la entrada .+ se publicó primero en "
    r"|l[’']article .+ est apparu en premier sur )",
    re.IGNORECASE,
)
# A byline block is a few short lines: office, speakers, place. Longer is a paragraph of the body.
_BYLINE_LINES = 12
_BYLINE_CHARS = 160
_WHOLE_PAGE = re.compile(
    r"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype|html|head)\b", re.I | re.S
)
_NOT_WORD = re.compile(r"[^\w]+")


def extract_main_text(markup: str | bytes, *, title: str = "", drop: Sequence[str] = ()) -> str:
    """The body of a release as plain text, from a feed item's HTML or a whole page.

    `title` is the release's title: a byline block ending with it is cut. `drop` holds CSS
    selectors (a source's `drop` setting) of elements to leave out. Never raises.
    """
    if isinstance(markup, bytes):
        markup = decode_html(markup)
    if not markup.strip():
        return ""
    text = _html_body(strip_controls(markup), drop) if has_markup(markup) else clean_text(markup)
    return _trim(text, title)


def _html_body(markup: str, drop: Sequence[str]) -> str:
    page = _WHOLE_PAGE.match(markup) is not None
    root = parse_html(markup, whole_page=page)
    if root is None:
        return html_to_text(markup)  # markup lxml cannot read: the tags stripped, no more
    dropped = _selected(root, drop)

    def skip(element: etree._Element) -> bool:
        return _furniture(element) or (bool(dropped) and element in dropped)

    if page:
        return element_text(_main_element(root, skip), skip)
    # A feed item is its body: if the furniture test took all of it (a wrapper whose class says
    # "meta", say), the item is read whole rather than lost; `drop` still applies.
    return element_text(root, skip) or element_text(root, dropped.__contains__)


def _selected(root: etree._Element, selectors: Sequence[str]) -> set[etree._Element]:
    """The elements the source's `drop` selectors name (the config checked them; one that is
    not a selector all the same names nothing)."""
    found: set[etree._Element] = set()
    for css in selectors:
        try:
            found.update(css_selector(css)(root))
        except SelectorError:
            continue
    return found


def _furniture(element: etree._Element) -> bool:
    tag = element.tag
    if not isinstance(tag, str):
        return True
    attrib = element.attrib
    if tag in _FURNITURE_TAGS:
        return tag not in _CITATION_TAGS or not _in_quotation(element)
    if not attrib:
        return False
    if attrib.get("aria-hidden") == "true" or "hidden" in attrib:
        return True
    role = attrib.get("role")
    if role and role.lower() in _FURNITURE_ROLES:
        return True
    if tag in _NEVER_FURNITURE:
        return False
    marks = f"{attrib.get('class', '')} {attrib.get('id', '')}"
    return len(marks) > 1 and _furniture_marks(marks) and not _in_quotation(element)


@lru_cache(maxsize=4096)
def _furniture_marks(marks: str) -> bool:
    # A site's templates repeat the same few class strings on every item: asked once each.
    return _FURNITURE_WORDS.search(marks) is not None


def _in_quotation(element: etree._Element) -> bool:
    """Is it part of a quotation? A quote's attribution is often its `footer` ("The Rt. Hon.
    Mark Carney, Prime Minister of Canada"), and who said it belongs to the body."""
    parent = element.getparent()
    return parent is not None and parent.tag == "blockquote"


def _main_element(root: etree._Element, skip: Skip) -> etree._Element:
    """A page's body: its <main> or <article> when that holds enough text, else the block that
    holds most of its prose."""
    for element in root.xpath(_MAIN_XPATH):
        if not skip(element) and len(" ".join(element.itertext())) >= _MIN_MAIN_CHARS:
            return element
    return _prose_block(root, skip)


def _prose_block(root: etree._Element, skip: Skip) -> etree._Element:
    """The smallest block that holds most of the page's prose: text in paragraphs, less twice
    their link text (menus are links), furniture left out."""
    weights: dict[etree._Element, float] = {}

    def weigh(element: etree._Element) -> float:
        if skip(element):
            return 0.0
        if element.tag in _PARAGRAPHS:
            text = len(" ".join("".join(element.itertext()).split()))
            links = sum(len(" ".join("".join(a.itertext()).split())) for a in element.iter("a"))
            weight = max(0.0, text - 2.0 * links)
        else:
            weight = sum(weigh(child) for child in element)
        weights[element] = weight
        return weight

    total = weigh(root)
    block = root
    while total:
        heavy = next((c for c in block if weights.get(c, 0.0) >= _MOST * total), None)
        if heavy is None or heavy.tag in _PARAGRAPHS:
            break
        block = heavy
    return block


def _trim(text: str, title: str) -> str:
    """The text without a leading byline block that ends with the title, and without anything
    from a feed footer or a survey prompt on."""
    lines = text.split("\n")
    if title:
        lines = _after_title(lines, _plain(title))
    for number, line in enumerate(lines):
        if line and _TAIL_MARKERS.match(line):
            lines = lines[:number]
            break
    return "\n".join(lines).strip()


def _after_title(lines: list[str], title: str) -> list[str]:
    seen = 0
    for number, line in enumerate(lines):
        if not line:
            continue
        # Folding keeps a line's length within a few characters: compare only likely ones.
        if abs(len(line) - len(title)) <= len(title) // 4 + 4 and _plain(line) == title:
            return lines[number + 1 :]
        seen += 1
        if seen >= _BYLINE_LINES or len(line) >= _BYLINE_CHARS:
            break
    return lines


def _plain(text: str) -> str:
    """Folded words only: a title repeated in the body compares equal whatever its quotes."""
    return " ".join(_NOT_WORD.sub(" ", fold(text)).split())
