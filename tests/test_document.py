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


def test_kept_keys_are_computed_once_until_a_line_changes() -> None:
    calls = []

    def keyer(texts: list[str]) -> list[bytes]:
        calls.append(list(texts))
        return [text.encode() for text in texts]

    doc = Document(source="s", kind="text", lines=lines_from_text("a\nb\nc"))
    assert doc.kept_keys(keyer) == [b"a", b"b", b"c"] and doc.kept_keys(keyer) == [b"a", b"b", b"c"]
    doc.remove(1, "rule-x")
    assert doc.kept_keys(keyer) == [b"a", b"c"]
    doc.edit(0, "A", "rule-y")
    assert doc.kept_keys(keyer) == [b"A", b"c"]
    assert calls == [["a", "b", "c"], ["a", "c"], ["A", "c"]]


def test_packed_documents_keep_their_lines_and_keys() -> None:
    from cleaner.document import pack, unpack

    doc = Document(source="s", kind="text", lines=lines_from_text("a\n\nb"), title="T")
    doc.remove(0, "rule-x", "why")
    doc.kept_keys(lambda texts: [b"k"] * len(texts))
    back = unpack(pack(doc))
    assert back == doc and back.kept_keys(lambda texts: []) == [b"k"]


def test_words_are_counted_once_and_again_after_a_change() -> None:
    calls: list[str] = []

    def counter(text: str) -> int:
        calls.append(text)
        return len(text.split())

    doc = Document(source="s", kind="text", lines=lines_from_text("one two three\nfour five"))
    assert doc.words(counter) == 5 and doc.words(counter) == 5 and len(calls) == 1
    doc.remove(1, "rule.x")
    assert doc.words(counter) == 3 and len(calls) == 2
    doc.edit(0, "one two", "rule.y")
    assert doc.words(counter) == 2 and len(calls) == 3


def test_the_reasons_column_is_read_once_until_a_line_is_removed() -> None:
    doc = Document(source="s", kind="text", lines=lines_from_text("a\nb\nc"))
    first = doc.reasons()
    assert first == [None, None, None] and doc.reasons() is first
    doc.remove(1, "rule-x")
    assert doc.reasons() == [None, "rule-x", None] and doc.removed == {"rule-x": 1}
    doc.edit(0, "", "rule-y")
    assert doc.removed == {"rule-x": 1, "rule-y": 1}


def test_the_texts_column_comes_with_a_spilled_document_and_is_read_again_after_an_edit() -> None:
    from cleaner.document import pack, unpack

    doc = Document(source="s", kind="text", lines=lines_from_text("a\nb\nc"))
    first = doc.texts()
    assert first == ["a", "b", "c"] and doc.texts() is first
    doc.remove(1, "rule-x")
    assert doc.texts() is first
    doc.edit(0, "A", "rule-y")
    assert doc.texts() == ["A", "b", "c"]
    packed = pack(doc)
    back = unpack(packed)
    assert back.texts() is packed[12] and back.texts() == doc.texts()


def test_an_unsplit_body_packs_as_its_text_and_unpacks_to_its_lines() -> None:
    from cleaner.document import pack, unpack

    body = "Title line\nsecond\n\nthird paragraph"
    deferred = Document(source="s", kind="text", title="T", unsplit=body)
    assert deferred.lines == [] and deferred.kept_texts() == ["Title line", "second", "third paragraph"]
    assert deferred.kept_keys(lambda texts: [text.encode() for text in texts]) == [b"Title line", b"second", b"third paragraph"]
    packed = pack(deferred)
    assert body in packed
    back = unpack(packed)
    lined = Document(source="s", kind="text", title="T", lines=lines_from_text(body))
    assert back == lined and back.unsplit is None and back.kept_keys(lambda texts: []) == deferred.kept_keys(lambda texts: [])
