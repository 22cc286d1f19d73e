import re

from cleaner.codepoints import CodePointTest, code_points


def test_code_points_keep_every_character_and_lone_surrogates() -> None:
    assert code_points("a港\U0001F600\ud800").tolist() == [0x61, 0x6E2F, 0x1F600, 0xD800]


def test_a_code_point_test_matches_as_its_pattern_does_and_remembers() -> None:
    test = CodePointTest(re.compile(r"\w"))
    text = "Zoë 42, 港口!"
    assert test.matches(code_points(text)).tolist() == [bool(re.match(r"\w", c)) for c in text]
    assert test.matches(code_points(text)).tolist() == [bool(re.match(r"\w", c)) for c in text]
