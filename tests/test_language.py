import random

import pytest
import numpy as np
from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory
from langdetect.lang_detect_exception import LangDetectException
from langdetect.utils.ngram import NGram

from cleaner.language import FastDetector, LanguageDetector, word_grams


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
        fast = _probabilities(FastDetector(detector._factory, detector._grams), text, trials)
        assert fast == _probabilities(langdetect_factory.create(), text, trials), text


def test_profiles_hold_langdetects_table_bit_for_bit(detector: LanguageDetector, langdetect_factory: DetectorFactory) -> None:
    profiles = detector._grams.profiles
    assert list(profiles.languages) == langdetect_factory.langlist
    assert list(profiles.index) == list(langdetect_factory.word_lang_prob_map)
    for gram, probabilities in langdetect_factory.word_lang_prob_map.items():
        assert profiles.row(gram).tobytes() == np.array(probabilities).tobytes(), gram


class AllGrams:
    """A profile that knows every n-gram."""

    def __contains__(self, gram: object) -> bool:
        return True


def test_word_grams_follow_langdetects_ngram_window() -> None:
    profiles = AllGrams()
    rng = random.Random(3)
    for _ in range(500):
        text = NGram.normalize_vi("".join(rng.choice("aBcDÉé  xYZ中ア") for _ in range(rng.randint(1, 30))))
        text = "".join(map(NGram.normalize, text))
        expected, window = [], NGram()
        for ch in text:
            window.add_char(ch)
            expected += [gram for n in (1, 2, 3) if (gram := window.get(n))]
        words = text.split(" ")
        found = [
            gram for k, word in enumerate(words) if word
            for gram in word_grams(word + " " if k < len(words) - 1 else word, profiles)
        ]
        assert found == expected, text


def test_forgetting_memoised_words_changes_no_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    expected = [LanguageDetector().detect(text) for text in REAL_TEXTS]
    monkeypatch.setattr("cleaner.language.MAX_WORDS", 3)
    small = LanguageDetector()
    assert [small.detect(text) for text in REAL_TEXTS * 2] == expected * 2
    assert len(small._grams._words) <= 3


def test_non_latin_is_every_character_from_u0300_up() -> None:
    from cleaner.language import NON_LATIN

    everything = "".join(map(chr, range(0x110000)))
    assert NON_LATIN.findall(everything) == list(everything[0x300:])
