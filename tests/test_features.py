"""Line measures for scripts written without spaces (Chinese, Japanese, Thai) and for Korean: data-driven cases."""

from __future__ import annotations

import pytest

from cleaner.features import ends_sentence, function_words, holds_sentence_end, is_prose, line_script, word_count


@pytest.mark.parametrize(
    "text, words",
    [
        ("The harbour reopened on Monday.", 5),
        ("港口在修复三个月之后于周一重新开放。", 11),  # 17 Han characters, 1.5 a word
        ("东京奥运会 2021 年举行", 3),  # three runs in 14 characters: spaced enough to be counted by its spaces
        ("東京都は新しい計画を発表しました。", 10),  # kanji and kana alike
        ("苹果公司发布了新的iPhone手机，售价不变。", 11),  # a Latin word among Han counts once
        ("ประเทศไทยมีประชากรประมาณเจ็ดสิบล้านคน", 9),  # Thai: 4 code points a word
        ("서울에서 열린 회의는 새로운 계획을 발표했다.", 6),  # Korean is spaced: its words are its eojeol
        ("消息：，。、！", 1),  # punctuation between the characters is no word
    ],
)
def test_word_count(text: str, words: int) -> None:
    assert word_count(text) == words


@pytest.mark.parametrize(
    "text, ends",
    [
        ("他说：“我们明天再来。”", True),  # a closing quote after the full stop
        ("「また来ます！」", True),  # Japanese corner brackets
        ("（完）", False),
        ("他们为什么不来？】", True),
        ("最新消息：", False),
        ("中国队战胜日本，", False),  # a clause mark is no sentence end
        ("记者 张三", False),
    ],
)
def test_cjk_sentence_ends(text: str, ends: bool) -> None:
    assert ends_sentence(text) is ends


@pytest.mark.parametrize(
    "text, inside",
    [
        ("以讨饭为生。有人讥笑他活得象条狗，他却不恼", True),  # hard-wrapped prose
        ("“只要你别挡住我的太阳。”他说", True),
        ("中国队战胜日本，晋级决赛", False),  # a headline has clauses, not sentences
        ("拨开灰烬，你会看到重新燃烧的人心。", False),  # the end is at the end
    ],
)
def test_a_sentence_end_inside_an_unspaced_line(text: str, inside: bool) -> None:
    assert holds_sentence_end(text) is inside


@pytest.mark.parametrize(
    "text, script",
    [
        ("中国新闻网", "zh"),
        ("東京で会議が開かれた", "ja"),
        ("ニュース一覧", "ja"),
        ("서울에서 회의가 열렸다", "ko"),
        ("ประเทศไทย", "th"),
        ("The harbour reopened", None),
        ("Größere Schiffe", None),
        ("iPhone 15 Pro Max 发布", None),  # mostly Latin
    ],
)
def test_line_script(text: str, script: str | None) -> None:
    assert line_script(text) == script


@pytest.mark.parametrize(
    "prose, chrome, script",
    [
        ("我们在北京的会议上说，这件事还没有结束。", "人民日报 中国汽车报 中国能源报 健康时报", "zh"),
        ("東京都は新しい計画を発表し、市民の反応はさまざまだった。", "トップ ニュース 経済 国際 スポーツ エンタメ", "ja"),
        ("정부는 어제 새로운 계획을 발표했고 시민들은 환영했다.", "뉴스 스포츠 연예 경제 사회 국제 문화", "ko"),
        ("การประชุมที่กรุงเทพได้ข้อสรุปว่าจะไม่มีการขึ้นภาษีในปีนี้", "หน้าแรก ข่าว กีฬา บันเทิง ติดต่อเรา", "th"),
    ],
)
def test_prose_has_more_function_words_than_a_menu(prose: str, chrome: str, script: str) -> None:
    assert function_words(prose, script) / word_count(prose) >= 0.25
    assert function_words(chrome, script) / max(1, word_count(chrome)) < 0.1


@pytest.mark.parametrize(
    "text, prose",
    [
        ("港口在修复三个月之后于周一重新开放。", True),
        ("港口重新开放", False),
        ("政府は新しい港の計画を来年の春に発表すると述べた。", True),
        ("The harbour reopened on Monday after three months of repairs.", True),
        ("Apple HomeKit erweitern: Homebridge in wenigen Schritten einrichten", False),
    ],
)
def test_is_prose(text: str, prose: bool) -> None:
    assert is_prose(text) is prose


def test_script_patterns_compile_when_first_used_and_match_as_compiled() -> None:
    import re

    from cleaner import features
    from cleaner.lazyre import LazyPattern

    lazy = LazyPattern(features.CJK_CHAR.pattern)
    assert "findall" not in vars(lazy)
    text = "Apple发布了新款iPhone手机，東京で"
    assert lazy.findall(text) == re.compile(features.CJK_CHAR.pattern).findall(text)
    assert "findall" in vars(lazy) and lazy.sub("", text) == "AppleiPhone，"
