from cleaner import Config, clean_html, clean_text


def test_clean_text_returns_title_body_and_language() -> None:
    doc = clean_text("A headline here\n\nThe first paragraph of a story that is long enough to be English text for sure.\n")
    assert doc.title == "A headline here"
    assert doc.text.startswith("The first paragraph")
    assert doc.lang == "en"
    assert doc.rejection is not None and doc.rejection.reason == "too_short"


def test_clean_text_with_min_words_zero_keeps_short_text() -> None:
    doc = clean_text("Just one short line of text.", config=Config(min_words=0))
    assert doc.rejection is None
    assert doc.text == "Just one short line of text."


def test_clean_html_bytes_are_decoded(fixtures_dir) -> None:
    raw = (fixtures_dir / "input/pages/neue-baeume.html").read_bytes()
    doc = clean_html(raw)
    assert doc.encoding == "cp1252"
    assert "Bäume" in doc.title
    assert "zweihundert neue Bäume" in doc.text
    assert "Impressum" not in doc.text
    assert doc.lang == "de"


def test_clean_html_without_main_text_is_rejected_not_raised() -> None:
    doc = clean_html("<html><body><script>x()</script></body></html>")
    assert doc.rejection is not None and doc.rejection.reason == "no_main_text"
