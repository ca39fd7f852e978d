"""Main-text extraction from release pages written for the test."""

from feeds.collect.extract import extract_main_text

PAGE = """<!DOCTYPE html><html><head><script>track()</script><style>p{}</style></head>
<body>
<header><nav><a href="/">Home</a> <a href="/news">News</a></nav></header>
<div class="cookie-consent">We use cookies. <button>Accept</button></div>
<main><article>
<h1>North American Leaders’ Summit</h1>
<p>The leaders of Canada, Mexico and the United States met today.</p>
<h2>Security</h2>
<p>They agreed to fight fentanyl trafficking.<br>A second line.</p>
<div class="social-share"><a>Share on X</a></div>
</article></main>
<div id="encuesta"><p>¿Cómo fue tu experiencia en gob.mx?</p></div>
<footer>Privacy notice</footer>
</body></html>"""


def test_keeps_title_paragraphs_and_headings_on_their_own_lines() -> None:
    text = extract_main_text(PAGE)
    assert text.split("\n\n") == [
        "North American Leaders’ Summit",
        "The leaders of Canada, Mexico and the United States met today.",
        "Security",
        "They agreed to fight fentanyl trafficking.",
        "A second line.",
    ]


def test_drops_menus_cookie_share_survey_and_footer_blocks() -> None:
    text = extract_main_text(PAGE)
    for furniture in ("Home", "cookies", "Share", "experiencia", "Privacy", "track()"):
        assert furniture not in text


def test_stops_at_a_survey_prompt_inside_the_body() -> None:
    page = (
        "<html><body><div><p>" + "Los tres países acordaron cooperar. " * 8 + "</p>"
        "<p>Contesta nuestra encuesta de satisfacción.</p><p>Muy fácil</p></div></body></html>"
    )
    text = extract_main_text(page.encode("utf-8"))
    assert text.startswith("Los tres países")
    assert "encuesta" not in text and "Muy fácil" not in text


def test_picks_the_densest_block_without_main_or_article() -> None:
    links = "".join(f"<li><a href='/{i}'>Section {i}</a></li>" for i in range(30))
    body = "<p>" + "The three countries will cooperate on clean energy. " * 6 + "</p>"
    page = f"<html><body><div id='left'><ul>{links}</ul></div><div>{body}</div></body></html>"
    text = extract_main_text(page)
    assert text.startswith("The three countries")
    assert "Section" not in text


def test_does_not_resolve_entities_or_fail_on_empty_input() -> None:
    page = (
        '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><html><body><p>&e;</p></body></html>'
    )
    assert "root:" not in extract_main_text(page)
    assert extract_main_text("") == ""
    assert extract_main_text(b"   ") == ""
