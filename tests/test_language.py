import pytest

from cleaner.language import LanguageDetector


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
