"""The body of a release page written for the test (the real feed samples are in
test_real_texts.py): the same method that reads feed HTML, narrowed to the page's body first."""

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


def test_keeps_paragraphs_and_headings_apart_and_line_breaks_within() -> None:
    text = extract_main_text(PAGE)
    assert text.split("\n\n") == [
        "North American Leaders’ Summit",
        "The leaders of Canada, Mexico and the United States met today.",
        "Security",
        "They agreed to fight fentanyl trafficking.\nA second line.",
    ]


def test_drops_menus_cookie_share_survey_and_footer_blocks() -> None:
    text = extract_main_text(PAGE)
    for furniture in ("Home", "cookies", "Share", "experiencia", "Privacy", "track()"):
        assert furniture not in text


def test_a_heading_that_repeats_the_title_goes_with_the_byline_above_it() -> None:
    page = PAGE.replace("<h1>", "<p>Office of the Spokesman</p><h1>")
    text = extract_main_text(page, title="North American Leaders' Summit")
    assert text.startswith("The leaders of Canada, Mexico and the United States met today.")
    assert "Spokesman" not in text


def test_a_title_further_down_the_body_is_left_where_it_is() -> None:
    paragraph = "<p>" + "The three countries will cooperate on clean energy. " * 4 + "</p>"
    page = f"<html><body><main>{paragraph}<h2>Security</h2><p>More.</p></main></body></html>"
    assert "\n\nSecurity\n\n" in extract_main_text(page, title="Security")


def test_stops_at_a_survey_prompt_inside_the_body() -> None:
    page = (
        "<html><body><div><p>" + "Los tres países acordaron cooperar. " * 8 + "</p>"
        "<p>Contesta nuestra encuesta de satisfacción.</p><p>Muy fácil</p></div></body></html>"
    )
    text = extract_main_text(page.encode("utf-8"))
    assert text.startswith("Los tres países")
    assert "encuesta" not in text and "Muy fácil" not in text


def test_without_main_or_article_picks_the_block_holding_most_prose() -> None:
    links = "".join(f"<li><a href='/{i}'>Section {i}</a></li>" for i in range(30))
    body = "<p>" + "The three countries will cooperate on clean energy. " * 6 + "</p>"
    page = f"<html><body><div id='left'><ul>{links}</ul></div><div>{body}</div></body></html>"
    text = extract_main_text(page)
    assert text.startswith("The three countries")
    assert "Section" not in text


def test_a_body_of_one_paragraph_per_block_is_read_whole() -> None:
    # WordPress wraps each paragraph in its own div: the densest single block is one paragraph,
    # and the body is all of them.
    blocks = "".join(
        f"<div class='wp-block-paragraph'><p>Paragraph {n} of the release, long enough to"
        " count as prose in a page.</p></div>"
        for n in range(1, 6)
    )
    page = f"<html><body><div class='menu'><a href='/'>Home</a></div>{blocks}</body></html>"
    text = extract_main_text(page)
    assert text.startswith("Paragraph 1 of the release")
    assert text.endswith("Paragraph 5 of the release, long enough to count as prose in a page.")
    assert "Home" not in text


def test_a_quotations_attribution_is_kept_though_it_is_marked_footer() -> None:
    fragment = (
        "<blockquote><p>“We will build together.”</p>"
        "<footer>The Prime Minister</footer></blockquote>"
        "<div class='footer'>Site footer</div>"
    )
    assert extract_main_text(fragment) == "“We will build together.”\n\nThe Prime Minister"


def test_drop_selectors_leave_out_what_they_name() -> None:
    text = extract_main_text(PAGE, drop=("h2", "article > p:first-of-type"))
    assert "Security" not in text and "met today" not in text
    assert "They agreed to fight fentanyl trafficking." in text


def test_a_selector_that_is_not_one_names_nothing() -> None:
    assert extract_main_text(PAGE, drop=("[[nope",)) == extract_main_text(PAGE)


def test_the_wordpress_feed_footer_is_cut_in_three_languages() -> None:
    for footer in (
        "The post <a href='/x'>X</a> appeared first on <a href='/'>Site</a>.",
        "La entrada <a href='/x'>X</a> se publicó primero en <a href='/'>Sitio</a>.",
        "L’article <a href='/x'>X</a> est apparu en premier sur <a href='/'>Site</a>.",
    ):
        assert extract_main_text(f"<p>Body.</p><p>{footer}</p>") == "Body."


def test_does_not_resolve_entities_or_fail_on_empty_input() -> None:
    page = (
        '<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><html><body><p>&e;</p></body></html>'
    )
    assert "root:" not in extract_main_text(page)
    assert extract_main_text("") == ""
    assert extract_main_text(b"   ") == ""


def test_plain_text_and_escape_sequences() -> None:
    assert extract_main_text("A plain\x1b[31m summary.") == "A plain summary."


def test_a_feed_item_wrapped_in_a_furniture_class_is_read_whole_rather_than_lost() -> None:
    item = "<div class='entry-content post-meta-wrapper'><p>The leaders met.</p></div>"
    assert extract_main_text(item) == "The leaders met."
