import random

import pytest
import numpy as np
from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException
from langdetect.utils.ngram import NGram

from cleaner.language import SEPARATOR, GramTable, LanguageDetector, Profiles, code_points


@pytest.fixture(scope="module")
def detector() -> LanguageDetector:
    return LanguageDetector()


@pytest.mark.parametrize(
    "text, lang",
    [
        ("The council approved the plan on Tuesday after a long debate about the cost of the new lanes.", "en"),
        ("Die Stadtverwaltung möchte die Straßen im Sommer kühler machen und den Anwohnern mehr Schatten bieten.", "de"),
        ("Le conseil municipal a approuvé mardi soir un réseau de pistes cyclables protégées.", "fr"),
        ("El ayuntamiento aprobó el martes una red de carriles para bicicletas protegidos en la ciudad.", "es"),
        ("市议会周二晚上投票批准了一个受保护的自行车道网络，连接北部郊区和市中心。", "zh"),
    ],
)
def test_detects_language(detector: LanguageDetector, text: str, lang: str) -> None:
    assert detector.detect(text).lang == lang


def test_too_little_text_is_undetermined(detector: LanguageDetector) -> None:
    assert detector.detect("12:30 — 4/5").lang == "und"
    assert detector.detect("").lang == "und"


def test_detection_is_deterministic_whatever_came_before(detector: LanguageDetector) -> None:
    text = "Ambiguous short text, mostly names: Bruno Marco Anna Luca"
    first = detector.detect(text)
    for other in ("Ein ganz anderer Text auf Deutsch.", "Un autre texte en français."):
        detector.detect(other)
    assert detector.detect(text) == first
    assert LanguageDetector().detect(text) == first


# ---------------------------------------------------------------- FastDetector is langdetect


def _probabilities(detector, text: str, trials: int):
    detector.n_trial = trials
    detector.append(text)
    try:
        return [(guess.lang, guess.prob) for guess in detector.get_probabilities()], detector.langprob
    except LangDetectException as exc:
        return str(exc), None


SCRIPTS = [
    "abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ", "äöüßéèàçñÄÖÜÉ", "абвгдежзийклмнопрстуфхцчшщыэюя",
    "АБВГДЕЖЗ", "αβγδεζηθικλμνξοπρστυφχψω", "أبتثجحخدذرزسشصضطظعغفقكلمنهوي", "的一是不了人我在有他这为之大来以个中上们",
    "あいうえおかきくけこアイウエオカキクケコ", "가나다라마바사아자차카타파하", "ăâđêôơưạảấầẩẫậ", "e\u0301a\u0300o\u0303",
    "0123456789", "  .,;:!?'\"()-–—“”«»", "\u0219\u021b\u06cc",
]


def _random_text(rng: random.Random) -> str:
    alphabet = "".join(rng.sample(SCRIPTS, 3)) + "   "
    words = ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 9))) for _ in range(rng.randint(0, 80))]
    if rng.random() < 0.3:
        words.insert(rng.randint(0, len(words)), rng.choice(["https://example.com/a?b=c", "name.surname@example.org"]))
    return rng.choice([" ", "  ", " \n "]).join(words)


REAL_TEXTS = [
    "The council approved the plan on Tuesday after a long debate about the cost of the new lanes. NASA and the EU said so.",
    "Die Stadtverwaltung möchte die Straßen im Sommer kühler machen und den Anwohnern mehr Schatten bieten.",
    "Hội đồng thành phố đã thông qua kế hoạch vào thứ Ba sau một cuộc tranh luận dài.",
    "Городской совет одобрил план во вторник после долгих споров о стоимости новых полос. США и ЕС",
    "市议会周二晚上投票批准了一个受保护的自行车道网络，连接北部郊区和市中心。",
    "مجلس المدينة وافق على الخطة يوم الثلاثاء بعد نقاش طويل حول تكلفة المسارات الجديدة",
    "word " * 3000,
]


@pytest.fixture(scope="module")
def langdetect_factory() -> DetectorFactory:
    """langdetect's own factory, its profiles parsed by langdetect (not read from the cache)."""
    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.set_seed(0)
    return factory


@pytest.mark.parametrize("trials", [2, 7])
def test_fast_detector_gives_langdetects_answers_bit_for_bit(detector: LanguageDetector, langdetect_factory: DetectorFactory,
                                                             trials: int) -> None:
    rng = random.Random(7)
    texts = REAL_TEXTS + [_random_text(rng) for _ in range(300)]
    for text in texts:
        fast = _probabilities(detector.fast_detector(), text, trials)
        assert fast == _probabilities(langdetect_factory.create(), text, trials), text


def test_profiles_hold_langdetects_table_bit_for_bit(detector: LanguageDetector, langdetect_factory: DetectorFactory) -> None:
    profiles = detector._grams.profiles
    assert list(profiles.languages) == langdetect_factory.langlist
    assert list(profiles.index) == list(langdetect_factory.word_lang_prob_map)
    for gram, probabilities in langdetect_factory.word_lang_prob_map.items():
        assert profiles.row(gram).tobytes() == np.array(probabilities).tobytes(), gram


def _profiles_of(grams: list[str]) -> Profiles:
    """Profiles that hold exactly `grams` (each with one language's probability 1)."""
    return Profiles(("xx",), "\0".join(grams), np.arange(len(grams) + 1, dtype=np.int64),
                    np.zeros(len(grams), dtype=np.uint8), np.ones(len(grams)))


def _langdetect_grams(text: str) -> list[str]:
    expected, window = [], NGram()
    for ch in text:
        window.add_char(ch)
        expected += [gram for n in (1, 2, 3) if (gram := window.get(n))]
    return expected


def test_grams_follow_langdetects_ngram_window() -> None:
    """`GramTable.grams` yields what langdetect's `NGram` window yields, in its order, for profiles that hold every
    n-gram met (a lone space, two spaces, spaces around a letter included) or only some."""
    rng = random.Random(3)
    texts = [NGram.normalize_vi("".join(rng.choice("aBcDÉé  xYZ中ア\u06cc\u0219.,-") for _ in range(rng.randint(0, 30))))
             for _ in range(500)] + ["", " ", "  ", "a", "A", "AB", " a ", "ABc dEF g"]
    every = sorted({text[i:i + n] for text in texts for i in range(len(text)) for n in (1, 2, 3) if i + n <= len(text)}
                   | {" ", "  ", "   "} | {" " + text[:2] for text in texts})
    normalised = sorted({"".join(map(NGram.normalize, gram)) for gram in every})
    some = normalised[::3]
    for grams in (normalised, some):
        table = GramTable(_profiles_of(grams))
        names = {row: grams[number] for number, row in enumerate(table._slots.tolist()) if row >= 0}
        for text in texts:
            rows = table.grams(code_points(text))
            names.update({row: grams[number] for number, row in enumerate(table._slots.tolist()) if row >= 0})
            expected = [gram for gram in _langdetect_grams("".join(map(NGram.normalize, text))) if gram in set(grams)]
            assert [names[row] for row in rows.tolist()] == expected, text


def test_grams_rows_hold_the_profiles_rows(detector: LanguageDetector) -> None:
    table = GramTable(detector._grams.profiles)
    rows = table.grams(code_points("Ein ganz anderer Text, auf Deutsch. And some English too."))
    numbers = {row: number for number, row in enumerate(table._slots.tolist()) if row >= 0}
    grams = list(table.profiles.index)
    built = table.table()
    for row in set(rows.tolist()):
        assert built[row].tobytes() == table.profiles.row(grams[numbers[row]]).tobytes()


def test_a_profile_with_the_separator_is_refused() -> None:
    with pytest.raises(ValueError):
        GramTable(_profiles_of(["a", "b" + SEPARATOR]))


def test_letters_count_the_letters_pattern(detector: LanguageDetector) -> None:
    from cleaner.language import LETTERS

    rng = random.Random(5)
    for _ in range(200):
        text = "".join(chr(rng.choice([rng.randrange(0x80), rng.randrange(0x3000), rng.randrange(0x110000)]))
                       for _ in range(rng.randint(0, 40)))
        assert detector.letters(text) == len(LETTERS.findall(text)), repr(text)


def test_cleaning_drops_latin_as_langdetect_does(detector: LanguageDetector, langdetect_factory: DetectorFactory) -> None:
    """Every character from U+0300 up counts as non-Latin, as in langdetect (whose block test compares a number to a name)."""
    for text in ["".join(map(chr, range(0x2F0, 0x320))) + "abc", "abcdef ЖЖЖЖЖЖЖЖ xyz", "ab 中文中文中文", "[`]^ 中文",
                 "abc" + "\u1ea0" * 7, "\u1ea0" * 6 + "abc"]:
        fast, ours = detector.fast_detector(), langdetect_factory.create()
        fast.append(text)
        ours.append(text)
        fast.cleaning_text()
        ours.cleaning_text()
        assert fast.text == ours.text, text


def test_numbers_of_keys_met_before_are_those_the_sorted_keys_give(detector: LanguageDetector, monkeypatch: pytest.MonkeyPatch) -> None:
    import cleaner.language as module

    table = GramTable(detector._grams.profiles)  # noqa: SLF001 - a table of its own, its memo empty
    real = table._keys[table._keys != 0][:-1]  # noqa: SLF001
    rng = np.random.default_rng(15)
    for _ in range(20):  # keys met again, keys of no n-gram, and (with a small memo) keys sharing slots
        keys = np.concatenate((rng.choice(real, 300), rng.integers(1, 1 << 62, 50, dtype=np.uint64)))
        rng.shuffle(keys)
        at = np.searchsorted(table._keys, keys)  # noqa: SLF001
        expected = table._numbers[at[table._keys[at] == keys]]  # noqa: SLF001
        assert table.numbers_of(keys).tolist() == expected.tolist()
    monkeypatch.setattr(module, "MEMO_SHIFT", np.uint64(64 - 4))
    small = GramTable(detector._grams.profiles)  # noqa: SLF001
    small._memo = np.zeros((16, 2), dtype=np.int64)  # noqa: SLF001
    keys = rng.choice(real, 500)
    at = np.searchsorted(small._keys, keys)  # noqa: SLF001
    assert small.numbers_of(keys).tolist() == small.numbers_of(keys).tolist() == small._numbers[at].tolist()  # noqa: SLF001
