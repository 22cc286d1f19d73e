import pytest

from cleaner.config import Config
from cleaner.document import Document, lines_from_text
from cleaner.filters import reject_short

CHINESE = "港口在修复三个月之后于周一重新开放，渔民们说他们很高兴能够回来工作。"  # 32 Han characters
THAI = "ประเทศไทยมีประชากรประมาณเจ็ดสิบล้านคนอาศัยอยู่ในเมืองใหญ่"  # 57 code points, one "word" between spaces


def document(text: str) -> Document:
    return Document(source="d.txt", kind="text", lines=lines_from_text(text))


@pytest.mark.parametrize("text, words", [("three small words", 3), (CHINESE, 21), (THAI, 14)])
def test_short_documents_count_words_as_the_heuristics_do(text: str, words: int) -> None:
    """--min-words counts by `features.word_count`: Han at 1.5 characters a word, Thai at 4."""
    assert reject_short(document(text), Config(min_words=words)) is None
    assert reject_short(document(text), Config(min_words=words + 1)).reason == "too_short"
