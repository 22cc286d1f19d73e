import gzip
import io
import json
import random
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import zstandard
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from cleaner.config import Config
from cleaner.containers import container_format, plan_units, read_unit
from cleaner.errors import ConfigError
from cleaner.records import ReadStats, Record, Unit

HTML = ("Content-Type", "text/html; charset=UTF-8")


# Helpers ------------------------------------------------------------------


class Warc:
    """Writes a WARC in memory with warcio, one record per call."""

    def __init__(self, compress: bool = True) -> None:
        self.buffer = io.BytesIO()
        self.writer = WARCWriter(self.buffer, gzip=compress)

    def response(self, url: str, body: bytes, status: str = "200 OK", headers=(HTML,)) -> "Warc":
        http = StatusAndHeaders(status, list(headers), protocol="HTTP/1.1")
        self.writer.write_record(self.writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=http))
        return self

    def request(self, url: str) -> "Warc":
        http = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example.com")], is_http_request=True)
        self.writer.write_record(self.writer.create_warc_record(url, "request", payload=io.BytesIO(b""), http_headers=http))
        return self

    def record(self, url: str, record_type: str, body: bytes, content_type: str) -> "Warc":
        record = self.writer.create_warc_record(url, record_type, payload=io.BytesIO(body), warc_content_type=content_type)
        self.writer.write_record(record)
        return self

    def warcinfo(self) -> "Warc":
        self.writer.write_record(self.writer.create_warcinfo_record("x.warc.gz", {"software": "test"}))
        return self

    def save(self, path: Path) -> Path:
        path.write_bytes(self.buffer.getvalue())
        return path


def whole(path: Path, fmt: str) -> Unit:
    return Unit(str(path), path.name, fmt)


def read_all(units, config: Config = Config()) -> tuple[list[Record], ReadStats]:
    stats = ReadStats()
    return [record for unit in units for record in read_unit(unit, config, stats)], stats


def read_whole(path: Path, fmt: str, config: Config = Config()) -> tuple[list[Record], ReadStats]:
    return read_all([whole(path, fmt)], config)


def summary(records: list[Record]) -> list[tuple]:
    return [(r.key, r.kind, r.data, r.text, r.url, r.id, r.fields, r.problem) for r in records]


def page(i: int, rng: random.Random) -> bytes:
    return f"<html><body><p>page {i} {rng.randbytes(300).hex()}</p></body></html>".encode()


def many_pages_warc(compress: bool, n: int = 300) -> Warc:
    rng = random.Random(n)
    warc = Warc(compress).warcinfo()
    for i in range(1, n):
        warc.response(f"http://example.com/{i}", page(i, rng))
    return warc


def chunked(body: bytes, size: int = 7) -> bytes:
    parts = [body[i:i + size] for i in range(0, len(body), size)]
    return b"".join(b"%x\r\n%s\r\n" % (len(part), part) for part in parts) + b"0\r\n\r\n"


# Format names ---------------------------------------------------------------


@pytest.mark.parametrize(
    "name, fmt",
    [
        ("a.warc", "warc"), ("CC-MAIN.WARC.GZ", "warc"), ("a.arc.gz", None), ("a.warc.zst", None),
        ("a.jsonl", "jsonl"), ("a.jsonl.gz", "jsonl"), ("a.JSONL.ZST", "jsonl"), ("a.ndjson.gz", "jsonl"),
        ("a.json", None), ("a.parquet", "parquet"), ("a.html", None),
    ],
)
def test_container_format(name: str, fmt: str | None) -> None:
    assert container_format(name) == fmt


# WARC -----------------------------------------------------------------------


@pytest.fixture
def mixed_warc(tmp_path: Path) -> Path:
    body = b"<html><body><p>caf\xe9</p></body></html>"
    warc = (
        Warc().warcinfo()                                                                          # 0
        .request("http://example.com/a")                                                           # 1
        .response("http://example.com/a", body, headers=[("Content-Type", "text/html; charset=ISO-8859-1")])  # 2
        .response("http://example.com/t", b"plain words", headers=[("Content-Type", "text/plain")])  # 3
        .response("http://example.com/gone", b"<html>not found</html>", status="404 Not Found")    # 4
        .response("http://example.com/old", b"", status="301 Moved Permanently", headers=[("Location", "/new")])  # 5
        .response("http://example.com/i.png", b"\x89PNG....", headers=[("Content-Type", "image/png")])  # 6
        .record("http://example.com/r", "resource", b"<p>resource</p>", "text/html; charset=windows-1252")  # 7
        .record("http://example.com/a", "metadata", b"fetchTimeMs: 12\r\n", "application/warc-fields")  # 8
        .response("http://example.com/gz", gzip.compress(b"<html>zipped</html>"), headers=[HTML, ("Content-Encoding", "gzip")])  # 9
        .response("http://example.com/ch", chunked(b"<html>in chunks</html>"), headers=[HTML, ("Transfer-Encoding", "chunked")])  # 10
        .response("http://example.com/nt", b"  <!DOCTYPE html><p>no type</p>", headers=[])  # 11
        .response("http://example.com/nb", b"\x00\x01binary", headers=[])  # 12
    )
    return warc.save(tmp_path / "x.warc.gz")


def test_warc_records_and_skip_causes(mixed_warc: Path) -> None:
    records, stats = read_whole(mixed_warc, "warc")
    assert [(r.key, r.kind) for r in records] == [
        ("x.warc.gz#2", "html"), ("x.warc.gz#3", "text"), ("x.warc.gz#7", "html"),
        ("x.warc.gz#9", "html"), ("x.warc.gz#10", "html"), ("x.warc.gz#11", "html"),
    ]
    assert all(r.problem is None for r in records)
    assert stats.skipped == {
        "warc_warcinfo": 1, "warc_request": 1, "http_status_4xx": 1, "http_status_3xx": 1,
        "content_image": 1, "warc_metadata": 1, "content_unknown": 1,
    }


def test_warc_record_fields(mixed_warc: Path) -> None:
    first, text, resource, zipped, in_chunks, untyped = read_whole(mixed_warc, "warc")[0]
    assert first.data == b"<html><body><p>caf\xe9</p></body></html>"
    assert first.charset == "iso-8859-1"
    assert first.url == "http://example.com/a"
    assert first.date.startswith("20") and first.id.startswith("<urn:uuid:")
    assert first.fields == {"warc_type": "response", "content_type": "text/html", "http_status": 200}
    assert (text.data, text.charset) == (b"plain words", "")
    assert (resource.data, resource.charset) == (b"<p>resource</p>", "windows-1252")
    assert resource.fields == {"warc_type": "resource", "content_type": "text/html"}
    assert zipped.data == b"<html>zipped</html>"
    assert in_chunks.data == b"<html>in chunks</html>"
    assert untyped.fields["content_type"] == ""


@pytest.mark.parametrize("compress", [True, False])
def test_truncated_warc_gives_the_good_records_then_a_problem(tmp_path: Path, compress: bool) -> None:
    rng = random.Random(1)
    warc = Warc(compress)
    for i in range(3):
        warc.response(f"http://example.com/{i}", rng.randbytes(20_000).hex().encode())
    data = warc.buffer.getvalue()
    path = tmp_path / ("cut.warc.gz" if compress else "cut.warc")
    path.write_bytes(data[: len(data) - 15_000])
    records, _ = read_whole(path, "warc")
    assert [r.key.split("#")[1] for r in records] == ["0", "1", "2"]
    assert [r.problem for r in records[:2]] == [None, None]
    assert records[2].problem[0] == "bad_record" and "cut short" in records[2].problem[1]
    planned, _ = read_all(plan_units(str(path), path.name, "warc", Config(), records_per_unit=1))
    assert summary(planned) == summary(records)


def test_a_cut_warc_header_is_a_problem_record(tmp_path: Path) -> None:
    data = Warc(compress=False).response("http://example.com/0", b"<p>a</p>").buffer.getvalue()
    path = tmp_path / "cut.warc"
    path.write_bytes(data + data[:100])
    records, _ = read_whole(path, "warc")
    assert [r.problem[0] if r.problem else None for r in records] == [None, "bad_record"]
    assert records[1].key == "cut.warc#1"


@pytest.mark.parametrize("compress", [True, False])
def test_warc_plans_into_units_that_read_like_the_whole_file(tmp_path: Path, compress: bool) -> None:
    path = many_pages_warc(compress).save(tmp_path / ("big.warc.gz" if compress else "big.warc"))
    units = list(plan_units(str(path), path.name, "warc", Config(), records_per_unit=64))
    assert [(u.first_index, u.count, u.size_hint) for u in units] == [
        (0, 65, 64), (65, 64, 64), (129, 64, 64), (193, 64, 64), (257, None, 43)
    ]
    assert units[0].start == 0 and all(a.start < b.start for a, b in zip(units, units[1:]))
    parts, stats = read_all(units)
    everything, whole_stats = read_whole(path, "warc")
    assert len(everything) == 299 and summary(parts) == summary(everything)
    assert stats.skipped == whole_stats.skipped == {"warc_warcinfo": 1}


def test_a_warc_gzipped_as_one_member_is_one_unit(tmp_path: Path) -> None:
    plain = many_pages_warc(compress=False).buffer.getvalue()
    path = tmp_path / "one.warc.gz"
    path.write_bytes(gzip.compress(plain))
    units = list(plan_units(str(path), path.name, "warc", Config(), records_per_unit=64))
    assert [(u.start, u.first_index, u.count) for u in units] == [(0, 0, None)]
    records, _ = read_all(units)
    assert len(records) == 299 and records[-1].key == "one.warc.gz#299"
    assert all(r.problem is None for r in records)


def test_max_bytes_applies_per_warc_record(tmp_path: Path) -> None:
    path = (
        Warc().response("http://example.com/0", b"<p>small</p>")
        .response("http://example.com/1", b"<p>" + b"x" * 5000 + b"</p>")
        .response("http://example.com/2", b"<p>small too</p>")
        .response("http://example.com/3", gzip.compress(b"<p>" + b"y" * 5000), headers=[HTML, ("Content-Encoding", "gzip")])
    ).save(tmp_path / "x.warc.gz")
    records, _ = read_whole(path, "warc", Config(max_bytes=1000))
    assert [(r.problem[0] if r.problem else r.data) for r in records] == [
        b"<p>small</p>", "too_large", b"<p>small too</p>", "too_large"
    ]
    assert records[1].data is None


@pytest.mark.parametrize(
    "name, data, reason",
    [("bad.warc.gz", b"not a warc at all\n" * 10, "bad_record"), ("empty.warc", b"", "empty"),
     ("bad.parquet", b"PAR1 nope", "bad_record"), ("bad.jsonl.gz", b"not gzip", "bad_gzip"),
     ("bad.jsonl.zst", b"not zstd", "bad_record")],
)
def test_a_bad_container_is_one_unit_that_reads_as_a_problem(tmp_path: Path, name: str, data: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    fmt = container_format(name)
    units = list(plan_units(str(path), name, fmt, Config()))
    assert [(u.start, u.first_index, u.count) for u in units] == [(0, 0, None)]
    records, _ = read_all(units)
    assert [(r.key, r.problem[0]) for r in records] == [(f"{name}#0", reason)]


# JSONL ----------------------------------------------------------------------

JSONL_LINES = [
    {"id": 7, "text": "hello", "lang": "en", "metadata": {"url": "http://x.org/", "date": "2024-01-02", "src": "cc"}, "score": 0.5},
    {"text": "second", "url": "http://y.org/", "timestamp": "2023", "id": "b"},
]


def write_jsonl(path: Path, lines: list[str]) -> Path:
    data = "".join(line + "\n" for line in lines).encode()
    if path.name.endswith(".gz"):
        data = gzip.compress(data)
    elif path.name.endswith(".zst"):
        data = zstandard.ZstdCompressor().compress(data)
    path.write_bytes(data)
    return path


def test_jsonl_fields_url_date_and_id(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "c.jsonl", [json.dumps(line) for line in JSONL_LINES])
    first, second = read_whole(path, "jsonl")[0]
    assert (first.key, first.kind, first.text, first.id, first.url, first.date) == (
        "c.jsonl#0", "text", "hello", "7", "http://x.org/", "2024-01-02"
    )
    assert list(first.fields.items()) == [("lang", "en"), ("src", "cc"), ("score", 0.5)]
    assert (second.url, second.date, second.id, second.fields) == ("http://y.org/", "2023", "b", {})


def test_jsonl_html_field(tmp_path: Path) -> None:
    lines = [{"html": "<p>café</p>", "text": "ignored"}, {"html": "", "text": "fallback"}]
    path = write_jsonl(tmp_path / "h.jsonl", [json.dumps(line) for line in lines])
    page, text = read_whole(path, "jsonl", Config(html_field="html"))[0]
    assert (page.kind, page.data, page.charset, page.text) == ("html", "<p>café</p>".encode(), "utf-8", None)
    assert (text.kind, text.text, text.fields) == ("text", "fallback", {})


def test_jsonl_bad_lines_are_problems_naming_the_line(tmp_path: Path) -> None:
    lines = ['{"text": "a"}', "", '{"text": ', "[1, 2]", '{"id": 1, "body": "x"}', '{"text": null}', '{"text": "b"}']
    path = write_jsonl(tmp_path / "b.jsonl", lines)
    records, stats = read_whole(path, "jsonl")
    assert [(r.key, r.problem and r.problem[0]) for r in records] == [
        ("b.jsonl#0", None), ("b.jsonl#2", "bad_record"), ("b.jsonl#3", "bad_record"),
        ("b.jsonl#4", "no_text"), ("b.jsonl#5", "no_text"), ("b.jsonl#6", None),
    ]
    assert records[1].problem[1].startswith("line 3: invalid JSON")
    assert records[2].problem[1] == "line 4: not a JSON object but an array"
    assert records[3].problem[1] == "line 5: no 'text' field (keys: id, body)"
    assert records[4].problem[1] == "line 6: 'text' is null, not a string"
    assert stats.skipped == {"jsonl_blank_line": 1}


@pytest.mark.parametrize("name", ["c.jsonl.gz", "c.ndjson.zst"])
def test_compressed_jsonl_reads_like_plain(tmp_path: Path, name: str) -> None:
    lines = [json.dumps(line) for line in JSONL_LINES]
    plain = read_whole(write_jsonl(tmp_path / "c.jsonl", lines), "jsonl")[0]
    path = write_jsonl(tmp_path / name, lines)
    units = list(plan_units(str(path), name, "jsonl", Config()))
    assert [(u.start, u.count, u.size_hint) for u in units] == [(0, None, 2)]
    packed = read_all(units)[0]
    assert [(r.text, r.fields, r.key.split("#")[1]) for r in packed] == [(r.text, r.fields, r.key.split("#")[1]) for r in plain]


@pytest.mark.parametrize("name, reason", [("t.jsonl.gz", "bad_gzip"), ("t.jsonl.zst", "bad_record")])
def test_truncated_compressed_jsonl(tmp_path: Path, name: str, reason: str) -> None:
    rng = random.Random(2)
    # Enough for several zstd blocks: a block is decoded only whole.
    path = write_jsonl(tmp_path / name, [json.dumps({"text": rng.randbytes(200).hex()}) for _ in range(2000)])
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    records, _ = read_whole(path, "jsonl")
    assert 100 < len(records) < 1900
    assert all(r.problem is None for r in records[:-1])
    assert records[-1].problem[0] == reason and "truncated" in records[-1].problem[1]
    assert records[-1].key == f"{name}#{len(records) - 1}"


def test_jsonl_plans_into_units_that_read_like_the_whole_file(tmp_path: Path) -> None:
    lines = [json.dumps({"id": i, "text": f"line {i}" * (i % 7)}) if i % 50 else "" for i in range(1000)]
    path = write_jsonl(tmp_path / "big.jsonl", lines)
    units = list(plan_units(str(path), path.name, "jsonl", Config(), records_per_unit=64))
    assert [u.first_index for u in units] == list(range(0, 1000, 64))
    assert [u.count for u in units] == [64] * 15 + [None] and units[-1].size_hint == 1000 - 960
    parts, stats = read_all(units)
    everything, _ = read_whole(path, "jsonl")
    assert len(everything) == 980 and summary(parts) == summary(everything)
    assert stats.skipped == {"jsonl_blank_line": 20}


def test_jsonl_plan_of_a_file_without_final_newline(tmp_path: Path) -> None:
    path = tmp_path / "n.jsonl"
    path.write_bytes(b'{"text": "a"}\n{"text": "b"}\n{"text": "c"}')
    units = list(plan_units(str(path), path.name, "jsonl", Config(), records_per_unit=2))
    assert [(u.start, u.first_index, u.count, u.size_hint) for u in units] == [(0, 0, 2, 2), (28, 2, None, 1)]
    assert [r.text for r in read_all(units)[0]] == ["a", "b", "c"]


def test_max_bytes_applies_per_jsonl_line(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "m.jsonl", ['{"text": "short"}', json.dumps({"text": "x" * 5000}), '{"text": "end"}'])
    records, _ = read_whole(path, "jsonl", Config(max_bytes=1000))
    assert [r.text or r.problem[0] for r in records] == ["short", "too_large", "end"]
    assert records[1].problem[1] == "line 2: longer than --max-bytes 1000"


# Parquet --------------------------------------------------------------------


def write_parquet(path: Path, table: pa.Table, row_group_size: int) -> Path:
    pq.write_table(table, path, row_group_size=row_group_size)
    return path


def test_parquet_plans_by_row_groups_and_reads_rows(tmp_path: Path) -> None:
    n = 35
    table = pa.table({
        "id": list(range(n)),
        "text": [f"text {i}" if i != 12 else None for i in range(n)],
        "url": [f"http://e.com/{i}" for i in range(n)],
        "ts": [datetime(2024, 1, 1, 0, 0, i) for i in range(n)],
        "blob": [b"\x00\x01"] * n,
        "lang": ["de"] * n,
    })
    path = write_parquet(tmp_path / "p.parquet", table, row_group_size=10)
    units = list(plan_units(str(path), path.name, "parquet", Config(), records_per_unit=20))
    assert [(u.start, u.count, u.first_index, u.size_hint) for u in units] == [(0, 2, 0, 20), (2, 2, 20, 15)]
    parts, _ = read_all(units)
    everything, _ = read_whole(path, "parquet")
    assert len(parts) == n and summary(parts) == summary(everything)
    first = parts[0]
    assert (first.key, first.kind, first.text, first.id, first.url) == ("p.parquet#0", "text", "text 0", "0", "http://e.com/0")
    assert first.fields == {"ts": "2024-01-01T00:00:00", "lang": "de"}
    assert parts[12].problem == ("no_text", "row 12: 'text' is null, not a string")


def test_parquet_without_the_text_column_is_a_config_error(tmp_path: Path) -> None:
    path = write_parquet(tmp_path / "q.parquet", pa.table({"id": [1], "body": ["x"]}), row_group_size=10)
    with pytest.raises(ConfigError) as caught:
        list(plan_units(str(path), path.name, "parquet", Config()))
    message = str(caught.value)
    assert "\n" not in message and "q.parquet" in message and "'text'" in message and "id, body" in message
    html = list(plan_units(str(path), path.name, "parquet", Config(html_field="body")))
    assert read_all(html, Config(html_field="body"))[0][0].data == b"x"
