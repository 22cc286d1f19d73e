"""Small, pure measurements of a line of text, shared by rules and heuristics.

Most measures count words as runs between spaces. Chinese, Japanese, Thai
(and Lao, Khmer, Burmese) are written without spaces between words, so a
paragraph of them is "one word"; for those scripts a line's length is its
characters converted to word equivalents (`word_count`), their own sentence
ends count (`。！？` and the closing brackets and quotes that follow them),
and the stopword density that jusText's stoplists give other languages is
replaced by a function-word signal of the line's script (`script_density`).
Korean is written with spaces between words (eojeol) and is counted like
other spaced text, but it has no jusText stoplist either: its signal is the
share of words that end in a particle or a verb ending.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from cleaner.lazyre import LazyPattern

# Closing quotes and brackets that may follow a sentence end: Latin, CJK (「」『』（）【】《》〈〉〔〕) and full-width.
CLOSERS = "\"'”’»)]」』）】》〉〕＂＇"
# Sentence ends (C4's rule, widened to the punctuation of CJK, Arabic, Devanagari and Greek text;
# `；` and `，` are clause marks in CJK text, not ends).
SENTENCE_ENDS = frozenset(".!?…。！？．｡؟।;")
SENTENCE_END = re.compile("[%s][%s]*$" % (re.escape("".join(sorted(SENTENCE_ENDS))), re.escape(CLOSERS)))
INNER_SENTENCE_END = re.compile("[。！？][%s]*[^。！？%s\\s]" % (re.escape(CLOSERS), re.escape(CLOSERS)))

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
HIRAGANA = "\u3041-\u309f"
KANA = HIRAGANA + "\u30a0-\u30ff\u31f0-\u31ff\uff66-\uff9f"
HANGUL = "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"
# Thai, Lao, Myanmar, Khmer: scripts that write phrases, not words, between spaces.
SOUTHEAST = "\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff"
# Compiled when first used (`lazyre`): 30 ms at every start for classes only non-Latin lines need.
CJK_CHAR = LazyPattern(f"[{HAN}{KANA}]")
SOUTHEAST_CHAR = LazyPattern(f"[{SOUTHEAST}]")
UNSPACED_CHAR = LazyPattern(f"[{HAN}{KANA}{SOUTHEAST}]")
KANA_CHAR = LazyPattern(f"[{KANA}]")
HANGUL_CHAR = LazyPattern(f"[{HANGUL}]")
HIRAGANA_RUN = LazyPattern(f"[{HIRAGANA}]+")
SPACED_WORD = re.compile(r"[^\W_]\S*")
ANY_OWN_SCRIPT = LazyPattern(f"[{HAN}{KANA}{HANGUL}{SOUTHEAST}]")


@dataclass(frozen=True, slots=True)
class WordCounting:
    """How `word_count` turns a line of unspaced script into word equivalents."""

    # Segmented Chinese averages about 1.5 characters a word (each punctuation mark a token of its own),
    # Japanese morphemes about as many; on the zh-news dumps 1.5 gives text F1 0.924 and 2 (the figure
    # --min-words and a record's n_words used before they counted with `word_count` too) 0.912: at 2,
    # lines of hard-wrapped prose (30 characters) fall short of a prose line's 20 words.
    cjk_chars_per_word: float = 1.5
    # Thai words average about 4 code points (vowel and tone marks are code points of their own), e.g.
    # ประเทศ|ไทย|มี|ประชากร|ประมาณ|ล้าน|คน is 30 in 7.
    southeast_chars_per_word: int = 4
    # A line with fewer spaces than this many characters per word may be unspaced text; a line with more
    # spaces is counted by its spaces, without a look for unspaced scripts.
    spaced_chars_per_word: int = 8


WORD_COUNTING = WordCounting()


@dataclass(frozen=True, slots=True)
class Prose:
    """What `is_prose` takes for running text: a sentence of `min_words` words or more, or any line of `long_words`.

    The figures of `heuristics.Thresholds`' balanced profile (`prose_words`,
    `long_words`), for the rules and steps that ask whether a line is prose
    outside the heuristics (`rulebook`, `repetition`, `second`).
    """

    min_words: int = 8
    long_words: int = 20


PROSE = Prose()

# trafilatura writes list items and table rows with these marks: extracted structure, not chrome.
STRUCTURED = ("- ", "| ", "* ")

# Function words, the counterpart of a stoplist for scripts jusText has none for. Each list is a
# grammar book's closed classes, not a page's vocabulary:
# - Chinese: single-character particles (的 了 着 过 之 吗 呢 吧), the copula and negations (是 不 没),
#   prepositions and conjunctions (在 和 与 及 对 为 以 从 于 把 被 向 由 因 而 并 或 但 则 如 将),
#   pronouns and classifiers (我 你 他 她 它 这 那 其 此 该 个 们 所), frequent adverbs (也 都 就 又 还
#   很 已 等 让 给 有 到 地 得). Most of them stand among the 50 most frequent characters of modern
#   Chinese (Jun Da's character frequency list), where the rest are content words.
ZH_FUNCTION = frozenset(
    "的了着过之吗呢吧是不没在和与及对为以从于把被向由因而并或但则如将我你他她它这那其此该个们所也都就又还很已等让给有到地得"
)
# - Chinese and Japanese: each clause mark (CJK_CLAUSE_MARKS) counts too. Running text is cut into
#   clauses by them; names, menus and lists of links are not. On the zh-news dumps (lines of 16
#   characters or more), a line's function characters and clause marks per word are below 0.1 for
#   1% of the lines of the article (none of those of 40 characters or more) and for 26% (12%) of
#   the others (`heuristics.Thresholds.min_script_density`); function characters alone are below
#   0.1 for 3% (1%) of the article's lines and 35% (13%) of the others.
# - Japanese: grammar is written in hiragana (particles は が を に の で と, endings and auxiliaries
#   です ます した), content words in kanji and katakana; each run of hiragana counts as one function word.
# - Korean: a word (eojeol) ending in one of these syllables carries a particle (은 는 이 가 을 를 에 의
#   도 로 와 과 만) or a verb ending (다 고 서 며 면 게 지 요 한 된 할).
CJK_CLAUSE_MARKS = "，、；：。！？"
KO_FUNCTION_ENDS = frozenset("은는이가을를에의도로와과만다고서며면게지요한된할")
# - Thai: the most frequent grammatical words (relative ที่ ซึ่ง, possessive ของ, conjunctions และ หรือ แต่
#   ก็, prepositions ใน กับ จาก โดย เพื่อ ถึง, auxiliaries จะ ได้ ให้ แล้ว อยู่ ยัง, copulas เป็น คือ,
#   negation ไม่, nominalisers การ ความ, demonstrative นี้, complementiser ว่า, มี "have").
TH_FUNCTION = (
    "ที่", "ซึ่ง", "ของ", "และ", "หรือ", "แต่", "ก็", "ใน", "กับ", "จาก", "โดย", "เพื่อ", "ถึง", "จะ", "ได้", "ให้",
    "แล้ว", "อยู่", "ยัง", "เป็น", "คือ", "ไม่", "การ", "ความ", "นี้", "ว่า", "มี",
)


def ends_sentence(text: str) -> bool:
    """True when the line ends like a sentence (closing quotes and brackets may follow).

    >>> ends_sentence('He said “no.”'), ends_sentence("Related stories"), ends_sentence("他说：“我们明天再来。”")
    (True, False, True)
    >>> ends_sentence("「また来ます！」"), ends_sentence("最新消息：")
    (True, False)
    """
    return SENTENCE_END.search(text) is not None


def holds_sentence_end(text: str) -> bool:
    """An unspaced line (Chinese, Japanese) with a full stop, ! or ? inside it: hard-wrapped running text.

    Text dumps of Chinese and Japanese pages are often wrapped at a fixed
    width, mid-sentence; a headline or a menu item never has a sentence end
    in its middle.

    >>> holds_sentence_end("以讨饭为生。有人讥笑他活得象条狗，他却不恼"), holds_sentence_end("中国队战胜日本，晋级决赛")
    (True, False)
    """
    return INNER_SENTENCE_END.search(text) is not None


def word_count(text: str, spaced: int | None = None, *, counting: WordCounting = WORD_COUNTING) -> int:
    """Words of a line: runs between spaces, and for unspaced scripts characters per word equivalent.

    `spaced` is `len(text.split())` when the caller has it. Only a line with
    few spaces for its length is looked at for unspaced scripts.

    >>> word_count("three small words"), word_count("日本語の文章です"), word_count("苹果公司发布了新的iPhone手机")
    (3, 5, 8)
    >>> word_count("ประเทศไทยมีประชากรประมาณ 70 ล้านคน"), word_count("한국어 문장은 띄어 씁니다")
    (8, 4)
    """
    n = len(text.split()) if spaced is None else spaced
    if text.isascii() or len(text) < counting.spaced_chars_per_word * n or UNSPACED_CHAR.search(text) is None:
        return n
    cjk = len(CJK_CHAR.findall(text))
    southeast = len(SOUTHEAST_CHAR.findall(text))
    rest = len(SPACED_WORD.findall(UNSPACED_CHAR.sub(" ", text)))  # punctuation left alone is no word
    return rest + int(cjk / counting.cjk_chars_per_word) + southeast // counting.southeast_chars_per_word


def line_script(text: str) -> str | None:
    """The script whose function words measure the line: 'zh', 'ja', 'ko', 'th', or None for the others.

    A script is the line's when its characters are at least half of the
    line's letters; Japanese is Han with kana (a Chinese line has none).

    >>> line_script("中国新闻网"), line_script("東京で会議が開かれた"), line_script("서울에서 회의가 열렸다")
    ('zh', 'ja', 'ko')
    >>> line_script("ประเทศไทย"), line_script("The harbour reopened"), line_script("iPhone 15 Pro 发布")
    ('th', None, None)
    """
    if text.isascii() or ANY_OWN_SCRIPT.search(text) is None:
        return None
    letters = sum(map(str.isalpha, text))
    cjk = len(CJK_CHAR.findall(text))
    hangul = len(HANGUL_CHAR.findall(text))
    southeast = len(SOUTHEAST_CHAR.findall(text))
    own, script = max((cjk, "cjk"), (hangul, "ko"), (southeast, "th"))
    if 2 * own < letters:
        return None
    if script == "cjk":
        kana = len(KANA_CHAR.findall(text))
        return "ja" if 5 * kana >= cjk else "zh"
    return script


def function_words(text: str, script: str) -> int:
    """How many function words of its script (see `ZH_FUNCTION` and the lists after it) the line holds.

    >>> function_words("我们在北京的会议上说了这件事。", "zh"), function_words("東京都は新しい計画を発表しました。", "ja")
    (7, 5)
    >>> function_words("정부는 새로운 계획을 발표했다", "ko"), function_words("การประชุมที่กรุงเทพ", "th")
    (3, 2)
    """
    if script == "zh":
        return sum(map(ZH_FUNCTION.__contains__, text)) + sum(map(text.count, CJK_CLAUSE_MARKS))
    if script == "ja":
        return len(HIRAGANA_RUN.findall(text)) + sum(map(text.count, CJK_CLAUSE_MARKS))
    if script == "ko":
        return sum(1 for word in text.split() if word.rstrip(".,!?\"')”’")[-1:] in KO_FUNCTION_ENDS)
    return sum(map(text.count, TH_FUNCTION))


def script_density(text: str, script: str, words: int) -> float:
    """Function words per word (`word_count`), on the scale of a stoplist's density in spaced languages.

    >>> script_density("港口在修复三个月之后于周一重新开放。", "zh", 8), script_density("人民日报 中国汽车报 中国能源报", "zh", 7)
    (0.625, 0.0)
    """
    return function_words(text, script) / words if words else 0.0


def is_prose(text: str, words: int | None = None, *, prose: Prose = PROSE) -> bool:
    """A line that reads like running text: a sentence of 8 words or more, or any line of 20.

    Words are `word_count`'s, so a Chinese sentence of 12 characters counts 8.

    >>> is_prose("The harbour reopened on Monday after three months of repairs."), is_prose("Apple HomeKit erweitern: Homebridge in wenigen Schritten einrichten")
    (True, False)
    >>> is_prose("港口在修复三个月之后于周一重新开放。"), is_prose("港口重新开放")
    (True, False)
    """
    n = word_count(text) if words is None else words
    return n >= prose.long_words or (n >= prose.min_words and ends_sentence(text))
