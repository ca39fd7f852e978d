"""The main text of a government release page, without menus, footers, cookie or survey blocks.

Pure: bytes or text in, plain text out; no network, no entity resolution. Paragraphs and headings
come out one per line, separated by blank lines, so that the classifier can see the headings.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator

from lxml import etree
from lxml import html as lxml_html

_DROP_TAGS = (
    "script", "style", "noscript", "template", "iframe", "svg", "canvas", "form", "button",
    "select", "input", "textarea", "nav", "header", "footer", "aside", "menu", "dialog",
    "object", "embed", "video", "audio", "picture", "figure", "img",
)  # fmt: skip
_DROP_ROLES = frozenset(
    {"navigation", "banner", "contentinfo", "search", "dialog", "complementary"}
)
# Class or id words of page furniture, in the three languages of our sources.
_BOILERPLATE = re.compile(
    r"cookie|consent|survey|encuesta|sondage|feedback|share|social|compartir|partager|breadcrumb"
    r"|menu|navbar|sidebar|footer|masthead|related|newsletter|subscribe|skip|banner|modal|popup"
    r"|toolbar|pager|pagination|comments|tags|print|gdpr|alert|language-switch|lang-select",
    re.IGNORECASE,
)
_MAIN_XPATH = (
    "//main | //article | //*[@role='main'] | //*[@id='main-content' or @id='content'"
    " or @id='main' or @itemprop='articleBody']"
)
_BLOCK_TAGS = (
    "p div section article main h1 h2 h3 h4 h5 h6 li ul ol blockquote pre table tr dd dt dl"
    " address center"
)
_BLOCKS = frozenset(_BLOCK_TAGS.split())
# Survey and feedback prompts seen at the end of release pages: the text stops there.
_TAIL_MARKERS = re.compile(
    r"^\s*(?:contesta nuestra encuesta|¿cómo fue tu experiencia|¿fue fácil encontrar"
    r"|was this page helpful|did you find what you were looking for|report a problem"
    r"|cette page vous a-t-elle été utile|signaler un problème|date modified"
    r"|date de modification|share this page|partager cette page|compartir en)",
    re.IGNORECASE,
)
_MIN_MAIN_CHARS = 200
_META_CHARSET = re.compile(rb"<meta[^>]+charset", re.IGNORECASE)


def extract_main_text(html: str | bytes) -> str:
    """Return the main text of a release page as paragraphs separated by blank lines."""
    root = _parse(html)
    if root is None:
        return ""
    _drop_furniture(root)
    main = _main_element(root)
    paragraphs: list[str] = []
    for paragraph in _paragraphs(main):
        if _TAIL_MARKERS.match(paragraph):
            break
        paragraphs.append(paragraph)
    return "\n\n".join(paragraphs)


def _parse(html: str | bytes) -> etree._Element | None:
    if not html.strip():
        return None
    parser = lxml_html.HTMLParser(
        remove_comments=True, remove_pis=True, no_network=True, recover=True
    )
    if isinstance(html, bytes) and not _META_CHARSET.search(html[:4096]):
        # Without a declared charset lxml assumes Latin-1; government pages are mostly UTF-8.
        with contextlib.suppress(UnicodeDecodeError):
            html = html.decode("utf-8-sig")
    if isinstance(html, str):
        # lxml refuses str input that declares an encoding; the text is already decoded.
        html = re.sub(r"^\s*<\?xml[^>]*>", "", html)
    try:
        return lxml_html.document_fromstring(html, parser=parser)
    except (etree.ParserError, ValueError):
        return None


def _drop_furniture(root: etree._Element) -> None:
    doomed: list[lxml_html.HtmlElement] = list(root.iter(*_DROP_TAGS))
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.get("role", "").lower() in _DROP_ROLES or element.get("aria-hidden") == "true":
            doomed.append(element)
            continue
        marks = f"{element.get('id', '')} {element.get('class', '')}"
        keep = element.tag in ("body", "html", "main", "article")
        if not keep and marks.strip() and _BOILERPLATE.search(marks):
            doomed.append(element)
    for element in doomed:
        if element.getparent() is not None:
            element.drop_tree()  # keeps the tail: text of the parent after the element


def _main_element(root: etree._Element) -> etree._Element:
    """The release body: a <main>/<article> when it holds enough text, else the densest block."""
    for element in root.xpath(_MAIN_XPATH):
        if len(_text_length(element)) >= _MIN_MAIN_CHARS:
            return _densest(element)
    return _densest(root)


def _densest(root: etree._Element) -> etree._Element:
    best, best_score = root, 0.0
    for element in root.iter("div", "section", "article", "main", "td", "body"):
        score = _paragraph_score(element)
        if score > best_score:
            best, best_score = element, score
    return best if best_score > 0 else root


def _paragraph_score(element: etree._Element) -> float:
    """Text in direct paragraph children, less the part that is link text (menus are links)."""
    score = 0.0
    for child in element:
        if child.tag in ("p", "h2", "h3", "h4", "blockquote", "ul", "ol"):
            text = len(_text_length(child))
            links = sum(len(_text_length(a)) for a in child.iter("a"))
            score += text - 2 * links
    return score


def _text_length(element: etree._Element) -> str:
    return " ".join("".join(element.itertext()).split())


def _paragraphs(element: etree._Element) -> Iterator[str]:
    """Walk the tree, cutting the text at block elements and <br>."""
    buffer: list[str] = []
    for piece in _pieces(element):
        if piece is None:
            text = " ".join("".join(buffer).split())
            buffer.clear()
            if text:
                yield text
        else:
            buffer.append(piece)
    text = " ".join("".join(buffer).split())
    if text:
        yield text


def _pieces(element: etree._Element) -> Iterator[str | None]:
    """Text pieces in document order; None marks a paragraph break."""
    tag = element.tag if isinstance(element.tag, str) else ""
    block = tag in _BLOCKS or tag == "br"
    if block:
        yield None
    if element.text and tag:
        yield element.text
    for child in element:
        yield from _pieces(child)
        if child.tail:
            yield child.tail
    if block:
        yield None
