"""Blog posts with a three-comment thread, in English and German, as a text dump and as an HTML page.

Written for the `--comments field` tests: each post has an article long
enough for the thread detector (60 words of prose before the thread) and
comments whose name and date lines share one template.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Blog:
    """A post: its title, article paragraphs and comments (name, date line, text)."""

    lang: str
    title: str
    article: tuple[str, ...]
    comments: tuple[tuple[str, str, str], ...]
    reply: str

    def dump(self) -> str:
        """The post as a text dump: the headline, the article, then the thread (name, date, comment, action line)."""
        thread = [part for name, date, text in self.comments for part in (name, date, text, self.reply)]
        return "\n\n".join([self.title, *self.article, *thread]) + "\n"

    def html(self) -> str:
        """The post as a WordPress-like page, its comments in a `comments-area` section after the article."""
        paragraphs = "".join(f"<p>{p}</p>" for p in self.article)
        items = "".join(
            f'<li class="comment"><div class="comment-author">{name}</div><div class="comment-meta">{date}</div>'
            f'<div class="comment-content"><p>{text}</p></div></li>'
            for name, date, text in self.comments
        )
        return (
            f'<!DOCTYPE html><html lang="{self.lang}"><head><title>{self.title}</title></head><body>'
            f"<article><h1>{self.title}</h1>{paragraphs}</article>"
            f'<section id="comments" class="comments-area"><h2>3</h2><ol class="comment-list">{items}</ol></section>'
            "</body></html>"
        )

    @property
    def comment_texts(self) -> list[str]:
        return [text for _name, _date, text in self.comments]


ENGLISH = Blog(
    "en",
    "Harbour reopens after repairs",
    (
        "The harbour reopened on Monday after three months of repairs to the old sea wall, the council said in a statement on its website.",
        "Fishermen who had moved their boats to a neighbouring town said they were glad to be back, although the mooring fees have gone up by a third.",
        "The works cost more than planned because storms in the winter damaged the new stones before they had set properly, and a second crane was hired.",
        "The council expects the café on the pier to open again in May, once the last of the scaffolding has been taken down and the railings painted.",
    ),
    (
        ("Anna Berg", "March 3, 2019 at 4:15 pm", "Lovely to see the boats back in the harbour, it was far too quiet all winter."),
        ("Tom Reed", "March 4, 2019 at 9:02 am", "The fees are a scandal, my brother pays twice what he paid last year for the same berth."),
        ("Carla Moss", "April 1, 2019 at 11:30 pm", "Does anyone know whether the slipway at the north end is open to small boats again?"),
    ),
    "Reply",
)

GERMAN = Blog(
    "de",
    "Die neue Brücke über den Fluss ist eröffnet",
    (
        "Nach zwei Jahren Bauzeit ist die neue Brücke über den Fluss am Samstag für den Verkehr freigegeben worden, wie die Stadt mitteilte.",
        "Die alte Brücke war so marode, dass seit dem Frühjahr nur noch Fußgänger und Radfahrer sie benutzen durften und die Busse einen Umweg fahren mussten.",
        "Die Kosten sind am Ende um ein Viertel höher ausgefallen als geplant, weil der Stahl teurer wurde und ein Hochwasser die Arbeiten im Winter unterbrach.",
        "Am Sonntag gibt es auf beiden Ufern ein Fest mit Musik, und die Bäckerei am Markt verkauft dazu einen Kuchen in der Form der neuen Brücke.",
    ),
    (
        ("Mamabaer", "23. Mai 2018 um 21:15 Uhr", "Endlich können die Kinder wieder mit dem Rad zur Schule fahren, ohne den langen Umweg."),
        ("Klaus W.", "24. Mai 2018 um 07:40 Uhr", "Ein Viertel teurer als geplant ist leider bei jeder Brücke so, das wundert mich gar nicht."),
        ("Sabine", "1. Juni 2018 um 18:05 Uhr", "Der Kuchen von der Bäckerei am Markt war übrigens sehr lecker, wir waren am Sonntag dort."),
    ),
    "Antworten",
)

BLOGS = (ENGLISH, GERMAN)
