import pytest
from lxml.html import fromstring

from cleaner.extract import extract_html
from cleaner.tables import LayoutTables, is_layout_table, table_size, unwrap_layout_tables

ARTICLE = ("<p>The harbour reopened on Monday after three months of repairs to the sea wall, which was damaged "
           "in the winter storms.</p><p>Fishing boats were the first to return, followed in the afternoon by the "
           "ferry to the islands, which had been running from a temporary pier.</p>")
MENU = "<table><tr><td><a href='/'>Home</a></td></tr><tr><td><a href='/news'>News</a></td></tr></table>"
PORTAL = (f"<html><body><table width='760'><tr><td>{MENU}</td><td><h1>Harbour reopens</h1>{ARTICLE}</td></tr>"
          "<tr><td colspan='2'>Copyright Coast News</td></tr></table></body></html>")
DATA = ("<table><tr><th>Year</th><th>Boats</th></tr><tr><td>2004</td><td>310</td></tr>"
        "<tr><td>2005</td><td>295</td></tr></table>")


def rows(n: int, columns: int) -> str:
    return "<table>" + "".join("<tr>" + "<td>x</td>" * columns + "</tr>" for _ in range(n)) + "</table>"


@pytest.mark.parametrize("markup, layout", [
    (PORTAL, True),  # tables inside it
    (MENU, True),  # one column
    ("<table><tr><td>Logo</td><td>Search</td><td>Login</td></tr></table>", True),  # one row
    (rows(3, 3), True),  # nine cells
    (DATA, False),  # header cells
    ("<table><caption>Catches by year</caption><tr><td>1</td><td>2</td></tr><tr><td>3</td><td>4</td></tr></table>", False),
    ("<table summary='catches'><tr><td>1</td><td>2</td></tr><tr><td>3</td><td>4</td></tr></table>", False),
    (rows(10, 2), False),  # many rows
    (rows(2, 5), False),  # many columns
    (rows(3, 4), False),  # twelve cells
    ("<table role='presentation'><tr><th>a</th><th>b</th></tr><tr><td>c</td><td>d</td></tr></table>", True),
])
def test_is_layout_table_is_readabilitys_test(markup: str, layout: bool) -> None:
    tree = fromstring(markup)
    table = tree if tree.tag == "table" else tree.find(".//table")
    assert is_layout_table(table) is layout


def test_the_sizes_count_spans_and_come_from_config() -> None:
    table = fromstring("<table><tr rowspan='2'><td colspan='3'>a</td><td>b</td></tr><tr><td>c</td></tr></table>")
    assert table_size(table) == (3, 4)
    assert is_layout_table(fromstring(rows(3, 3)), LayoutTables(max_layout_cells=8)) is False


def test_layout_tables_become_blocks_and_data_tables_stay() -> None:
    tree = fromstring(f"<html><body>{PORTAL}{DATA}</body></html>")
    assert unwrap_layout_tables(tree) == 2
    assert [table.findtext(".//th") for table in tree.iter("table")] == ["Year"]
    assert tree.find(".//td") is not None  # the data table's cells
    assert tree.xpath("count(//p)") == 2


def test_an_article_in_a_layout_table_is_extracted_as_paragraphs() -> None:
    found = extract_html(PORTAL)
    assert "The harbour reopened on Monday" in found.body
    assert not any(line.startswith("|") for line in found.body.splitlines() if "harbour" in line)


def test_a_data_table_keeps_its_rows() -> None:
    found = extract_html(f"<html><body><article><h1>Harbour reopens</h1>{ARTICLE}{DATA}</article></body></html>")
    assert any(line.startswith("|") and "2004" in line for line in found.body.splitlines())
