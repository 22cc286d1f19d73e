"""`cleaner report`: what a run did, as one self-contained HTML file.

It reads a run's output directory: `summary.json`, the sample and statistics
the run kept (`report-data.json.gz`, see `sample.py`) and the duplicate
clusters (`duplicates.jsonl`, read as a stream). The page holds everything
inline, with no network: the figures at a glance, charts drawn by
matplotlib as inline SVG (vector, so they stay sharp and small, and their
labels are text a browser can search), a table per rule with examples, the
sites that lost the most, and a document viewer for the sample written in a
few lines of plain JavaScript over JSON embedded in the page. Its size
depends on the sample's bounds, not on the corpus: a few MB at most.

Charts are readable without colour: bars carry hatches and value labels,
lines carry markers, and every axis says what it counts and in what unit.
"""

from __future__ import annotations

import html
import io
import json
import os
from collections import Counter
from pathlib import Path

from cleaner import __version__
from cleaner.errors import ConfigError
from cleaner.sample import DATA_VERSION, LENGTH_EDGES, REPORT_DATA, read_report_data

REPORT_FILE = "report.html"
TOP_REASONS = 20
TOP_SITES = 15
TOP_LANGUAGES = 15
MIN_SITE_DOCUMENTS = 3  # a site ranked by the share it lost needs this many documents (one page is not a site's habit)
SIMILARITY_BINS = 10
EXAMPLES_SHOWN = 4
HATCHES = ("//", "..", "xx", "\\\\", "++", "oo")
GREYS = ("#4c72b0", "#dd8452", "#55a868", "#8172b3")


def write_report(output_dir: Path, target: Path | None = None) -> Path:
    """Render the report of the run in `output_dir` to `target` (default `output_dir/report.html`), atomically."""
    target = target if target is not None else output_dir / REPORT_FILE
    page = render_report(output_dir)
    temporary = target.with_name(f".{target.name}.tmp")
    try:
        temporary.write_text(page, encoding="utf-8")
        os.replace(temporary, target)
    except OSError as exc:
        temporary.unlink(missing_ok=True)
        raise ConfigError(f"cannot write the report {target}: {exc.strerror or exc}") from None
    return target


def load_run(output_dir: Path) -> tuple[dict, dict]:
    """The run's summary and report data, or a one-line error saying what is missing."""
    if not output_dir.is_dir():
        raise ConfigError(f"not a directory: {output_dir}")
    summary_path, data_path = output_dir / "summary.json", output_dir / REPORT_DATA
    if not summary_path.is_file():
        raise ConfigError(f"no summary.json in {output_dir}: give the output directory of a finished `cleaner run`")
    if not data_path.is_file():
        raise ConfigError(f"no {REPORT_DATA} in {output_dir}: the run was made with --no-report-data or by an older cleaner; run it again without")
    try:
        summary = json.loads(summary_path.read_text(encoding="utf-8"))
        data = read_report_data(data_path)
    except (OSError, ValueError, EOFError) as exc:
        raise ConfigError(f"cannot read the run in {output_dir}: {exc}") from None
    if data.get("version") != DATA_VERSION:
        raise ConfigError(f"{data_path} is of another version of cleaner (data version {data.get('version')}, this one reads "
                          f"{DATA_VERSION}): run it again to write the report")
    return summary, data


def duplicate_clusters(output_dir: Path, sources: set[str]) -> tuple[Counter, Counter, dict[str, dict]]:
    """Cluster sizes, the similarity of each removed copy (in tenths), and which sampled documents were removed as copies."""
    sizes: Counter = Counter()
    similarity: Counter = Counter()
    removed: dict[str, dict] = {}
    path = output_dir / "duplicates.jsonl"
    if not path.is_file():
        return sizes, similarity, removed
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            cluster = json.loads(line)
            sizes[1 + len(cluster["removed"])] += 1
            for copy in cluster["removed"]:
                similarity[min(SIMILARITY_BINS - 1, int(copy["similarity"] * SIMILARITY_BINS))] += 1
                if copy["source"] in sources:
                    removed[copy["source"]] = {"kept": cluster["kept"]["source"], "similarity": copy["similarity"]}
    return sizes, similarity, removed


# --- charts --------------------------------------------------------------------------


def pyplot():
    """matplotlib's pyplot on the Agg backend (no display), SVG with text as text and stable ids."""
    try:
        import matplotlib
    except ImportError:
        raise ConfigError("the report's charts need matplotlib: pip install 'matplotlib>=3.6'") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    plt.rcParams.update({
        "svg.fonttype": "none", "svg.hashsalt": "cleaner-report", "font.size": 9, "hatch.linewidth": 0.6,
        "axes.spines.top": False, "axes.spines.right": False,
    })
    return plt


def svg_of(figure) -> str:
    """A figure as an inline `<svg>` element (no XML prologue, no date)."""
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None}, bbox_inches="tight")
    figure.clear()
    import matplotlib.pyplot as plt

    plt.close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def label_bars(axis, bars, labels: list[str]) -> None:
    for bar, label in zip(bars, labels):
        axis.annotate(label, (bar.get_width(), bar.get_y() + bar.get_height() / 2), xytext=(3, 0),
                      textcoords="offset points", va="center", fontsize=7)


def label_columns(axis, bars, counts: list[int]) -> None:
    """Each column's count above it (none on an empty column): the chart reads without its axis."""
    for bar, count in zip(bars, counts):
        if count:
            axis.annotate(f"{count:,}", (bar.get_x() + bar.get_width() / 2, bar.get_height()), xytext=(0, 2),
                          textcoords="offset points", ha="center", fontsize=7)


def empty_chart(plt, title: str, why: str) -> str:
    figure, axis = plt.subplots(figsize=(6.4, 1.2))
    axis.set_axis_off()
    axis.set_title(title, loc="left")
    axis.text(0.0, 0.4, why, transform=axis.transAxes)
    return svg_of(figure)


def reasons_chart(plt, data: dict) -> str:
    """Lines and characters removed per reason: two panels of horizontal bars, hatched differently."""
    title = "Removed per reason (every cleaned document)"
    reasons = sorted(data["reasons"].items(), key=lambda item: (-item[1]["lines"], item[0]))[:TOP_REASONS]
    if not reasons:
        return empty_chart(plt, title, "No line was removed.")
    names = [name for name, _ in reasons][::-1]
    lines = [stats["lines"] for _, stats in reasons][::-1]
    chars = [stats["chars"] for _, stats in reasons][::-1]
    figure, (left, right) = plt.subplots(1, 2, figsize=(9, 0.9 + 0.28 * len(names)), sharey=True)
    bars = left.barh(names, lines, color=GREYS[0], hatch=HATCHES[0], edgecolor="black", linewidth=0.4)
    label_bars(left, bars, [f"{n:,}" for n in lines])
    left.set_xlabel("lines removed (count)")
    bars = right.barh(names, chars, color=GREYS[1], hatch=HATCHES[1], edgecolor="black", linewidth=0.4)
    label_bars(right, bars, [f"{n:,}" for n in chars])
    right.set_xlabel("characters removed (count)")
    for axis in (left, right):
        axis.margins(x=0.25)
    figure.suptitle(title, x=0.01, ha="left")
    return svg_of(figure)


def ranked_sites(data: dict) -> list[dict]:
    """The sites that lost the largest share of their text, among those with enough documents (else all)."""
    sites = [site for site in data["sites"]["top"] if site["chars_before"] > 0 and site["chars_removed"] > 0]
    enough = [site for site in sites if site["documents"] >= MIN_SITE_DOCUMENTS] or sites
    return sorted(enough, key=lambda site: (-site["chars_removed"] / site["chars_before"], site["site"]))[:TOP_SITES]


def sites_chart(plt, sites: list[dict]) -> str:
    title = "Sites that lost the largest share of their text"
    if not sites:
        return empty_chart(plt, title, "No site lost any text.")
    names = [site_name(site["site"]) for site in sites][::-1]
    shares = [100 * site["chars_removed"] / site["chars_before"] for site in sites][::-1]
    labels = [f"{share:.0f}% of {site['chars_before']:,} chars, {site['documents']:,} docs" for share, site in zip(shares, sites[::-1])]
    figure, axis = plt.subplots(figsize=(9, 0.9 + 0.28 * len(names)))
    bars = axis.barh(names, shares, color=GREYS[2], hatch=HATCHES[2], edgecolor="black", linewidth=0.4)
    label_bars(axis, bars, labels)
    axis.set_xlim(0, 160)
    axis.set_xticks(range(0, 101, 20))
    axis.set_xlabel("share of the site's characters removed (%)")
    axis.set_title(title, loc="left")
    return svg_of(figure)


def languages_chart(plt, data: dict) -> str:
    title = "Documents by language (kept by the filters, before deduplication)"
    languages = sorted(data["languages"].items(), key=lambda item: (-item[1]["documents"], item[0]))
    if not languages:
        return empty_chart(plt, title, "No document was kept.")
    shown = languages[:TOP_LANGUAGES]
    rest = sum(stats["documents"] for _, stats in languages[TOP_LANGUAGES:])
    names = [lang for lang, _ in shown] + (["other"] if rest else [])
    counts = [stats["documents"] for _, stats in shown] + ([rest] if rest else [])
    figure, axis = plt.subplots(figsize=(6.2, 2.8))
    bars = axis.bar(names, counts, width=0.6, color=GREYS[3], hatch=HATCHES[3], edgecolor="black", linewidth=0.4)
    label_columns(axis, bars, counts)
    axis.set_xlabel("language (ISO 639-1; und: undetermined)")
    axis.set_ylabel("documents (count)")
    axis.margins(y=0.15)
    axis.set_title(title, loc="left")
    return svg_of(figure)


def length_labels() -> list[str]:
    def short(n: int) -> str:
        return f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}k" if n >= 1000 else str(n)

    edges = [0, *LENGTH_EDGES]
    return [f"<{short(edges[1])}"] + [f"{short(a)}-{short(b)}" for a, b in zip(edges[1:], edges[2:])] + [f"≥{short(edges[-1])}"]


def lengths_chart(plt, data: dict) -> str:
    """Documents by length before and after cleaning: two lines, with different markers and line styles."""
    title = "Length of documents before and after cleaning"
    before, after = data["length_before"], data["length_after"]
    used = [i for i, (a, b) in enumerate(zip(before, after)) if a or b]
    if not used:
        return empty_chart(plt, title, "No document was cleaned.")
    low, high = used[0], used[-1] + 1
    labels = length_labels()[low:high]
    figure, axis = plt.subplots(figsize=(6.2, 3))
    positions = range(high - low)
    axis.plot(positions, before[low:high], marker="o", linestyle="-", color=GREYS[0], label="before cleaning (every cleaned document)")
    axis.plot(positions, after[low:high], marker="s", linestyle="--", color=GREYS[1], label="after cleaning (kept by the filters)")
    axis.set_xticks(list(positions), labels, rotation=30, ha="right")
    axis.set_xlabel("document length (characters)")
    axis.set_ylabel("documents (count)")
    axis.legend(frameon=False, loc="upper left", fontsize=8)
    axis.set_title(title, loc="left")
    return svg_of(figure)


def share_chart(plt, data: dict) -> str:
    title = "Share of each document's text removed by cleaning"
    counts = data["share_removed"]
    bins = data["share_bins"]
    if not sum(counts):
        return empty_chart(plt, title, "No document was cleaned.")
    width = 100 / bins
    figure, axis = plt.subplots(figsize=(6.2, 2.8))
    bars = axis.bar([width * i + width / 2 for i in range(bins)], counts, width=width * 0.9, color=GREYS[0],
                    hatch=HATCHES[4], edgecolor="black", linewidth=0.4)
    label_columns(axis, bars, counts)
    axis.set_xlim(0, 100)
    axis.set_xlabel("characters removed (% of the document, bins of 5%)")
    axis.set_ylabel("documents (count)")
    axis.margins(y=0.15)
    axis.set_title(title, loc="left")
    return svg_of(figure)


def duplicates_chart(plt, sizes: Counter, similarity: Counter) -> str:
    title = "Duplicate clusters"
    if not sizes:
        return empty_chart(plt, title, "No duplicates were found (or deduplication was off).")
    figure, (left, right) = plt.subplots(1, 2, figsize=(6.2, 2.8))
    keys = sorted(sizes)
    counts = [sizes[k] for k in keys]
    bars = left.bar([str(k) for k in keys], counts, color=GREYS[2], hatch=HATCHES[0], edgecolor="black", linewidth=0.4)
    label_columns(left, bars, counts)
    left.set_xlabel("documents in a cluster (count,\nthe kept one included)")
    left.set_ylabel("clusters (count)")
    left.margins(y=0.15)
    names = [f"{i / SIMILARITY_BINS:.1f}-{(i + 1) / SIMILARITY_BINS:.1f}" for i in range(SIMILARITY_BINS)]
    values = [similarity[i] for i in range(SIMILARITY_BINS)]
    first = next((i for i, v in enumerate(values) if v), 0)
    right.bar(names[first:], values[first:], color=GREYS[3], hatch=HATCHES[1], edgecolor="black", linewidth=0.4)
    right.set_xlabel("estimated Jaccard similarity\nto the kept copy (1.0: exact)")
    right.set_ylabel("removed copies (count)")
    right.tick_params(axis="x", rotation=30)
    figure.suptitle(title, x=0.01, ha="left")
    return svg_of(figure)


# --- the page --------------------------------------------------------------------------


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def site_name(site: str) -> str:
    return site or "(top folder)"


def number(n: int | float | None) -> str:
    if n is None:
        return "n/a"
    return f"{n:,}" if isinstance(n, int) else f"{n:,.1f}"


def glance(summary: dict, data: dict) -> str:
    """The run's figures as a definition list."""
    duplicates = summary.get("duplicates")
    chars_in, chars_out = summary["chars_in"], summary["chars_out"]
    rejects = ", ".join(f"{esc(reason)} {n:,}" for reason, n in summary["rejects"].items())
    formats = ", ".join(f"{esc(fmt)}: {n['files']:,}" for fmt, n in summary["formats"].items()) or "none"
    rows = [
        ("input files", f"{number(summary['files_seen'])} ({formats})"),
        ("records read", number(summary["records_seen"])),
        ("documents written", number(summary["documents_written"])),
        ("rejected", f"{number(summary['rejected'])}" + (f"<br><span class=sub>{rejects}</span>" if rejects else "")),
        ("characters in / out", f"{number(chars_in)} / {number(chars_out)}" + (f" ({100 * chars_out / chars_in:.1f}% kept)" if chars_in else "")),
        ("lines removed (corpus)", number(sum(summary["removed_lines"].values()))),
        ("duplicates", "deduplication off" if duplicates is None else
         f"{duplicates['clusters']:,} clusters, {duplicates['exact']:,} exact and {duplicates['near']:,} near copies removed"),
        ("time", f"{summary['seconds']:,.1f} s ({number(summary.get('docs_per_s'))} records/s)"),
        ("documents cleaned / untouched", f"{number(data['documents'])} / {number(data['untouched'])}"),
    ]
    cells = "".join(f"<div class=fig><dt>{esc(label)}</dt><dd>{value}</dd></div>" for label, value in rows)
    return f"<dl class=glance>{cells}</dl>"


def rules_table(summary: dict, data: dict) -> str:
    """Per reason: lines and characters removed, documents, sites, lines removed from the corpus, a few examples."""
    corpus = summary.get("removed_lines", {})
    rows = []
    for reason, stats in sorted(data["reasons"].items(), key=lambda item: (-item[1]["lines"], item[0])):
        sites = f"{stats['sites']:,}" if stats["sites_exact"] else f"~{stats['sites']:,}"
        examples = "".join(f"<li><q>{esc(example['text'])}</q> <span class=sub>{esc(site_name(example['site']))}</span></li>"
                           for example in stats["examples"][:EXAMPLES_SHOWN])
        rows.append(
            f"<tr data-reason='{esc(reason)}'><td><code>{esc(reason)}</code></td><td class=n>{stats['lines']:,}</td>"
            f"<td class=n>{stats['chars']:,}</td><td class=n>{stats['documents']:,}</td><td class=n>{sites}</td>"
            f"<td class=n>{corpus.get(reason, 0):,}</td><td><ul class=examples>{examples}</ul></td></tr>"
        )
    if not rows:
        return "<p>No line was removed.</p>"
    head = ("<tr><th>reason (rule id or heuristic)</th><th>lines removed</th><th>characters</th><th>documents</th>"
            "<th>sites</th><th>lines removed from the corpus</th><th>examples</th></tr>")
    return f"<table class=rules><thead>{head}</thead><tbody>{''.join(rows)}</tbody></table>"


def sites_table(data: dict) -> str:
    items = []
    for site in data["sites"]["top"][:TOP_SITES]:
        lines = "".join(f"<li><code>{esc(line['reason'])}</code> ×{line['count']:,}: <q>{esc(line['text'])}</q></li>" for line in site["lines"])
        share = 100 * site["chars_removed"] / site["chars_before"] if site["chars_before"] else 0
        items.append(f"<details><summary><b>{esc(site_name(site['site']))}</b>: {site['lines_removed']:,} lines, "
                     f"{site['chars_removed']:,} characters ({share:.0f}%) removed from {site['documents']:,} documents</summary>"
                     f"<ul class=examples>{lines}</ul></details>")
    note = "" if data["sites"]["exact"] else f"<p class=sub>More than {data['limits']['max_sites'] * 2:,} sites: the counts of the {data['limits']['max_sites']:,} that lost the most are kept.</p>"
    return note + ("".join(items) or "<p>No site lost any text.</p>")


def embedded_json(payload: object) -> str:
    """JSON safe inside a `<script>` element: no `<` can close it."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


STYLE = """
body{font:14px/1.45 system-ui,sans-serif;margin:0 auto;max-width:1200px;padding:0 1em 3em;color:#111}
h1{font-size:1.5em}h2{margin-top:2em;border-bottom:1px solid #999}
.sub{color:#555;font-size:.9em}code{font-size:.92em}
.glance{display:grid;grid-template-columns:repeat(auto-fill,minmax(220px,1fr));gap:.6em;align-items:start}
.charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:1em}.charts .wide{grid-column:1/-1}.chart{margin:0}
.fig{border:1px solid #bbb;padding:.5em .7em}.fig dt{font-size:.85em;color:#444}.fig dd{margin:0;font-size:1.15em;font-weight:600}.fig dd .sub{font-weight:400;font-size:.8em}
.chart svg{max-width:100%;height:auto}
table.rules{border-collapse:collapse;width:100%}table.rules td,table.rules th{border:1px solid #bbb;padding:.3em .5em;vertical-align:top;text-align:left}
table.rules td.n{text-align:right;white-space:nowrap}table.rules td:first-child{white-space:nowrap}ul.examples{margin:0;padding-left:1.1em}
#viewer{display:grid;grid-template-columns:minmax(240px,1fr) 3fr;gap:1em}
#doc-list{list-style:none;padding:0;margin:0;max-height:70vh;overflow:auto;border:1px solid #bbb}
#doc-list li{padding:.3em .5em;border-bottom:1px solid #ddd;cursor:pointer}#doc-list li.current{outline:3px solid #000;outline-offset:-3px;font-weight:600}
#doc-view{border:1px solid #bbb;padding:.5em 1em;max-height:70vh;overflow:auto}
.doc-meta{display:grid;grid-template-columns:max-content 1fr;gap:0 .8em}.doc-meta dd{margin:0}.doc-meta dt{font-weight:600}
.line{white-space:pre-wrap;margin:0;padding:.1em 0 .1em 1.6em;text-indent:-1.6em}.line.para{margin-top:.8em}
.line .mark{display:inline-block;width:1.4em;text-indent:0;font-weight:700}
.line.removed{color:#555}.line.removed .text{text-decoration:line-through}
.line .reason{font-size:.8em;border:1px solid #777;padding:0 .3em;margin-left:.4em;text-decoration:none;display:inline-block;text-indent:0}
.line .note{font-size:.8em;color:#555;margin-left:.4em}
.filters{display:flex;gap:1em;flex-wrap:wrap;margin:.5em 0}.filters label{display:flex;flex-direction:column;font-size:.85em}
"""

SCRIPT = r"""
(function () {
  const started = performance.now();
  const data = JSON.parse(document.getElementById("sample-data").textContent);
  const docs = data.samples;
  const $ = (id) => document.getElementById(id);
  const el = (tag, cls, text) => { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; };
  // A document's lines from the data's compact form (see sample.sample_lines): [text, reason, note, para, edits]
  const linesOf = (doc) => {
    const lines = (typeof doc.text === "string" ? doc.text.split("\n") : doc.text).map((t) => [t, null, "", false, null]);
    let i = 0;
    doc.marks.forEach(([count, reason, note]) => { for (const end = i + count; i < end; i++) { lines[i][1] = reason; lines[i][2] = note; } });
    doc.paras.forEach((p) => { lines[p][3] = true; });
    doc.edits.forEach(([p, edits]) => { lines[p][4] = edits; });
    return lines;
  };
  docs.forEach((doc) => { doc.lines = linesOf(doc); });
  const reasonsOf = (doc) => { const r = new Set(); doc.lines.forEach((l) => { if (l[1]) r.add(l[1]); (l[4] || []).forEach((e) => r.add(e[0])); }); if (doc.rejection) r.add("rejected: " + doc.rejection[0]); if (doc.duplicate) r.add("duplicate"); return r; };
  docs.forEach((doc) => { doc.reasons = reasonsOf(doc); doc.removedLines = doc.lines.filter((l) => l[1]).length; });
  docs.sort((a, b) => b.removedLines - a.removedLines || (a.source < b.source ? -1 : a.source > b.source ? 1 : 0));
  const fill = (select, values) => values.forEach((v) => { const o = el("option", "", v.label); o.value = v.value; select.appendChild(o); });
  const allReasons = [...new Set(docs.flatMap((d) => [...d.reasons]))].sort();
  fill($("f-reason"), allReasons.map((r) => ({value: r, label: r + " (" + docs.filter((d) => d.reasons.has(r)).length + ")"})));
  const allSites = [...new Set(docs.map((d) => d.site))].sort();
  fill($("f-site"), allSites.map((s) => ({value: "s:" + s, label: (s || "(top folder)") + " (" + docs.filter((d) => d.site === s).length + ")"})));
  let current = null;
  function show(doc) {
    current = doc;
    const view = $("doc-view");
    view.replaceChildren();
    if (!doc) { view.appendChild(el("p", "", "No sampled document matches.")); return; }
    view.appendChild(el("h3", "", doc.source));
    const meta = [["title", doc.title], ["URL", doc.url], ["site", doc.site || "(top folder)"], ["language", doc.lang], ["kind", doc.kind],
      ["characters", doc.chars_before + " before, " + doc.chars_after + " after cleaning"], ["in the sample as", doc.why.join(", ")]];
    if (doc.rejection) meta.push(["rejected", doc.rejection[0] + ": " + doc.rejection[1]]);
    if (doc.duplicate) meta.push(["removed as a duplicate of", doc.duplicate.kept + " (similarity " + doc.duplicate.similarity + ")"]);
    const dl = el("dl", "sub doc-meta");
    meta.forEach(([k, v]) => { if (v) { dl.appendChild(el("dt", "", k)); dl.appendChild(el("dd", "", v)); } });
    view.appendChild(dl);
    const onlyRemoved = $("f-removed").checked;
    doc.lines.forEach((l) => {
      const [text, reason, note, para, edits] = l;
      if (onlyRemoved && !reason && !edits) return;
      const p = el("p", "line " + (reason ? "removed" : "kept") + (para ? " para" : ""));
      p.appendChild(el("span", "mark", reason ? "−" : "+"));
      p.appendChild(el(reason ? "del" : "span", "text", text));
      if (reason) p.appendChild(el("span", "reason", reason));
      if (note) p.appendChild(el("span", "note", "[" + note + "]"));
      (edits || []).forEach((e) => { p.appendChild(el("span", "reason", "~ " + e[0])); p.appendChild(el("span", "note", "was: " + e[1])); });
      view.appendChild(p);
    });
    if (doc.lines_omitted) view.appendChild(el("p", "sub", "… " + doc.lines_omitted + " more lines not kept in the sample"));
    document.querySelectorAll("#doc-list li").forEach((li) => li.classList.toggle("current", li.doc === doc));
  }
  function update() {
    const reason = $("f-reason").value, site = $("f-site").value, search = $("f-search").value.trim().toLowerCase();
    const list = $("doc-list");
    list.replaceChildren();
    const shown = docs.filter((d) => (!reason || d.reasons.has(reason)) && (!site || d.site === site.slice(2)) && (!search || d.source.toLowerCase().includes(search)));
    shown.forEach((d) => {
      const li = el("li", "", d.source);
      li.appendChild(el("div", "sub", d.removedLines + " of " + d.lines.length + " lines removed" + (d.rejection ? ", rejected: " + d.rejection[0] : "")));
      li.doc = d;
      li.addEventListener("click", () => show(d));
      list.appendChild(li);
    });
    $("doc-count").textContent = shown.length + " of " + docs.length + " sampled documents";
    show(shown.includes(current) ? current : shown[0] || null);
  }
  ["f-reason", "f-site", "f-removed"].forEach((id) => $(id).addEventListener("change", update));
  $("f-search").addEventListener("input", update);
  document.querySelectorAll("table.rules tr[data-reason]").forEach((tr) => {
    tr.addEventListener("click", () => { $("f-reason").value = tr.dataset.reason; update(); $("viewer").scrollIntoView(); });
  });
  update();
  document.body.dataset.renderedMs = String(Math.round(performance.now() - started));
  document.body.dataset.readyMs = String(Math.round(performance.now()));  // since the navigation started: the page parsed, charts and viewer drawn
})();
"""


def viewer(data: dict) -> str:
    return (
        "<div class=filters>"
        "<label>reason<select id=f-reason><option value=''>any</option></select></label>"
        "<label>site<select id=f-site><option value=''>any</option></select></label>"
        "<label>source contains<input id=f-search type=search placeholder='e.g. crawl/a.warc.gz'></label>"
        "<label>lines<span><input id=f-removed type=checkbox> removed only</span></label>"
        "<span id=doc-count class=sub></span></div>"
        "<div id=viewer><ul id=doc-list></ul><div id=doc-view></div></div>"
        f"<script type=application/json id=sample-data>{embedded_json({'samples': data['samples']})}</script>"
    )


def sample_note(data: dict) -> str:
    limits = data["limits"]
    return (f"{len(data['samples']):,} documents of {data['documents']:,} cleaned, chosen by their content (the same for any "
            f"number of workers): {limits['uniform']} at random (smallest hashes of their sources), the {limits['most_removed_share']} "
            f"that lost the largest share and the {limits['most_removed_chars']} that lost the most characters, {limits['per_reason']} "
            f"for each reason, and the one that lost the most on each of the {limits['top_sites']} sites that lost the most. "
            "Click a reason in the table below to see its documents.")


def render_report(output_dir: Path) -> str:
    """The report page of the run in `output_dir`."""
    summary, data = load_run(output_dir)
    sizes, similarity, removed = duplicate_clusters(output_dir, {doc["source"] for doc in data["samples"]})
    for doc in data["samples"]:
        if doc["source"] in removed:
            doc["duplicate"] = removed[doc["source"]]
    plt = pyplot()
    charts = [
        ("chart-reasons", reasons_chart(plt, data)),
        ("chart-sites", sites_chart(plt, ranked_sites(data))),
        ("chart-languages", languages_chart(plt, data)),
        ("chart-lengths", lengths_chart(plt, data)),
        ("chart-share", share_chart(plt, data)),
        ("chart-duplicates", duplicates_chart(plt, sizes, similarity)),
    ]
    wide = ("chart-reasons", "chart-sites")
    chart_html = "<div class=charts>" + "".join(
        f"<figure class='chart{' wide' if name in wide else ''}' id={name}>{svg}</figure>" for name, svg in charts) + "</div>"
    title = f"cleaner report: {output_dir.resolve().name}"
    return "".join(section for section in (
        "<!DOCTYPE html><html lang=en><head><meta charset=utf-8>",
        "<meta name=viewport content='width=device-width,initial-scale=1'>",
        f"<title>{esc(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{esc(title)}</h1><p class=sub>cleaner {esc(summary.get('cleaner', __version__))}, report by cleaner {esc(__version__)}. "
        "Everything is in this file: it opens with no network.</p>",
        "<h2 id=glance>The run at a glance</h2>", glance(summary, data),
        "<h2 id=charts>Charts</h2>", chart_html,
        "<h2 id=documents>Sampled documents</h2>", f"<p class=sub>{esc(sample_note(data))}</p>", viewer(data),
        "<h2 id=rules>Per rule</h2>",
        "<p class=sub>Lines a rule or heuristic removed in every cleaned document (also those the filters or deduplication then "
        "dropped), and in the corpus as written. A rule that removes long sentences on many sites may be eating article text.</p>",
        rules_table(summary, data),
        "<h2 id=sites>Sites that lost the most</h2>", sites_table(data),
        f"<script>{SCRIPT}</script></body></html>\n",
    ))

