from cleaner.document import Document, lines_from_text


def test_text_keeps_paragraph_breaks_across_removed_lines() -> None:
    doc = Document(source="s", kind="text", lines=lines_from_text("a\nb\n\nc\n\nd"))
    doc.remove(2, "rule-x")
    assert doc.text == "a\nb\n\nd"
    assert doc.removed == {"rule-x": 1}


def test_first_reason_wins() -> None:
    doc = Document(source="s", kind="text", lines=lines_from_text("a\nb"))
    doc.remove(0, "first")
    doc.remove(0, "second")
    assert doc.lines[0].removed_by == "first"
