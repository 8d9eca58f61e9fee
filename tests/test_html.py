"""`privlint check --format html`: one self-contained page, rendered in headless Chromium."""

import json
import re
import struct
import subprocess
import zlib
from html.parser import HTMLParser

import pytest

from privlint.lint import html as html_report

from . import tools
from .conftest import ROOT

AS_OF = "2026-11-01"


class _Page(HTMLParser):
    """Every tag with its attributes, ids, and the text, for structural assertions."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags = []
        self.ids = set()
        self.text = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if "id" in attributes:
            assert attributes["id"] not in self.ids, f"duplicate id {attributes['id']}"
            self.ids.add(attributes["id"])

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


def _parse(page):
    parser = _Page()
    parser.feed(page)
    return parser


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """The HTML and JSON reports of every example inventory, written by the real CLI."""
    from .conftest import run_cli

    out = tmp_path_factory.mktemp("report")
    page = out / "report.html"
    result = run_cli("check", "inventories", "--recursive", "--as-of", AS_OF, "--format", "html",
                     "--output", str(page), cwd=ROOT)
    assert result.returncode == 1, result.stderr  # the seed inventories have errors
    assert result.stdout == "" and result.stderr == ""
    data = json.loads(run_cli("check", "inventories", "--recursive", "--as-of", AS_OF, "--format", "json", cwd=ROOT).stdout)
    return page, page.read_text(encoding="utf-8"), data["findings"]


def test_report_is_self_contained(report):
    _, page, _ = report
    parsed = _parse(page)
    tags = {tag for tag, _ in parsed.tags}
    assert not tags & {"script", "link", "img", "iframe", "object", "embed", "image", "use", "foreignobject"}
    for tag, attributes in parsed.tags:
        for name, value in attributes.items():
            assert name not in ("src", "srcset", "xlink:href", "action", "formaction", "background"), (tag, name)
            assert not name.startswith("on"), (tag, name)  # no inline script either
            if name == "href":
                assert value.startswith("#"), f"{tag} links outside the page: {value}"
                assert value[1:] in parsed.ids, f"dangling link {value}"
            if value and "url(" in value:
                assert re.fullmatch(r"url\(#[\w-]+\)", value), value
    style = "".join(re.findall(r"<style>(.*?)</style>", page, flags=re.S))
    assert "@import" not in style and "url(" not in style and "@font-face" not in style
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page


def test_every_finding_is_in_the_table_with_its_location_and_map_link(report):
    _, page, findings = report
    parsed = _parse(page)
    rows = [attributes for tag, attributes in parsed.tags if tag == "tr" and "finding" in attributes.get("class", "")]
    assert len(rows) == len(findings) == 39
    text = "".join(parsed.text)
    for finding in findings:
        assert f"{finding['path']}:{finding['line']}:{finding['column']}" in text
        assert finding["message"] in text
    assert sorted((row["data-rule"], row["data-entity"]) for row in rows) == sorted(
        (finding["rule"], finding["entity"]) for finding in findings
    )
    # A finding about a node or flow links to that element of the SVG map.
    svg_ids = set(re.findall(r'<g id="([^"]+)" class="(?:node|edge)', page))
    map_findings = [f for f in findings if f["entity"].split(":")[0] in ("system", "recipient", "flow")]
    assert map_findings
    for row in re.findall(r'<tr id="[^"]+" class="finding[^"]*" data-rule="[^"]+" data-entity="([^"]+)">(.*?)</tr>', page):
        entity, cells = row
        entity = entity.replace("&gt;", ">")
        if entity.split(":")[0] in ("system", "recipient", "flow"):
            target = re.search(r'<a href="#([^"]+)">', cells).group(1)
            assert target in svg_ids, (entity, target)


def test_map_lays_out_systems_left_and_recipients_right():
    from privlint.lint import discover, engine, render

    (target,) = discover.targets([str(ROOT / "inventories/reference")])
    context = engine.load_context(target.name, list(target.files), engine.dt.date(2026, 11, 1))
    view = render.view(context, engine.run(context))
    boxes, _, width, height = html_report.layout(view)
    by_id = {box.node.id: box for box in boxes}
    systems = [box for box in boxes if box.node.kind == "system"]
    recipients = [box for box in boxes if box.node.kind == "recipient"]
    assert max(box.x for box in systems) < min(box.x for box in recipients)
    assert by_id["storefront"].x < by_id["order-db"].x  # order-db receives from the storefront
    for column in {box.column for box in boxes}:  # no two nodes of a column overlap
        stacked = sorted((box for box in boxes if box.column == column), key=lambda box: box.y)
        for upper, lower in zip(stacked, stacked[1:]):
            assert upper.y + upper.h <= lower.y
    for box in boxes:  # every flow label has its own band on its target
        bands = sorted((top, bottom) for _, top, bottom in box.inputs)
        for (_, bottom), (top, _) in zip(bands, bands[1:]):
            assert bottom <= top
        assert all(box.y <= top and bottom <= box.y + box.h for top, bottom in bands)
    assert 0 < width < 1600 and 0 < height < 1000


def test_escaping_of_hostile_names(tmp_path, cli):
    inventory = tmp_path / "inventory.yaml"
    inventory.write_text(
        "privlint: 1\n"
        "organization: {name: '<script>alert(1)</script>', country: US}\n"
        "policy: {recipients: [Nobody], data_categories: [user], purposes: [essential]}\n"
        "systems:\n  - id: web\n    name: '\"><img src=x onerror=alert(1)>'\n"
        "    collects: [{data_categories: [user.name], origins: [US]}]\n"
        "recipients:\n  - {id: x.y, name: 'A & B </text></svg>', country: US, category: crm, role: processor}\n"
        "flows:\n  - {from: web, to: x.y, data_categories: [user.name], purposes: [essential]}\n",
        encoding="utf-8",
    )
    page_path = tmp_path / "r.html"
    result = cli("check", "inventory.yaml", "--format", "html", "--output", str(page_path), cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    page = page_path.read_text(encoding="utf-8")
    parsed = _parse(page)
    assert not {tag for tag, _ in parsed.tags} & {"script", "img"}
    assert "&lt;script&gt;" in page and "A &amp; B &lt;/text&gt;&lt;/svg&gt;" in page


def _png_pixels(data: bytes):
    """Decode an 8-bit RGB/RGBA, non-interlaced PNG (what Chromium writes) to rows of bytes."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    position, chunks, header = 8, [], None
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            chunks.append(body)
        position += 12 + length
    width, height, depth, color, _, _, interlace = header
    assert depth == 8 and color in (2, 6) and interlace == 0, header
    channels = 3 if color == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    rows, previous = [], bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = previous[x]
            corner = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                estimate = left + up - corner
                pa, pb, pc = abs(estimate - left), abs(estimate - up), abs(estimate - corner)
                predictor = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[x] = (line[x] + predictor) & 0xFF
        rows.append(bytes(line))
        previous = line
    return width, height, channels, rows


def _chromium(chromium, profile, *args):
    command = [
        chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", f"--user-data-dir={profile}", *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=180)


def test_report_renders_in_headless_chromium(report, tmp_path):
    chromium = tools.chromium()
    page_path, _, findings = report
    screenshot = tmp_path / "report.png"
    result = _chromium(chromium, tmp_path / "profile", f"--screenshot={screenshot}", "--window-size=1280,2000",
                       "--hide-scrollbars", page_path.as_uri())
    assert screenshot.exists(), result.stderr[-2000:]
    width, height, channels, rows = _png_pixels(screenshot.read_bytes())
    assert (width, height) == (1280, 2000)
    colors = set()
    ink = 0
    for row in rows[::4]:
        for x in range(0, len(row), channels * 4):
            pixel = row[x : x + 3]
            colors.add(pixel)
            ink += pixel != b"\xff\xff\xff"
    sampled = (height // 4) * (width // 4)
    assert len(colors) > 40, f"only {len(colors)} colours: the page looks blank"
    assert ink / sampled > 0.03, f"only {ink / sampled:.1%} of the page is not white"
    # Colours of the map itself are on screen: the fill for third countries, a flagged flow.
    assert any(abs(pixel[0] - 0xFE) < 3 and abs(pixel[1] - 0xF9) < 3 and abs(pixel[2] - 0xC3) < 3 for pixel in colors)

    dom = _chromium(chromium, tmp_path / "profile2", "--dump-dom", page_path.as_uri()).stdout
    assert len(re.findall(r'<tr id="[^"]+" class="finding[" ]', dom)) == len(findings)
    for finding in findings:
        assert f'data-rule="{finding["rule"]}"' in dom
        assert f"{finding['path']}:{finding['line']}:{finding['column']}" in dom
    assert dom.count("<svg class=\"map\"") == 6
    assert "inventories/reference" in dom and "No findings." in dom


def test_html_output_to_stdout_and_clean_inventory(cli):
    result = cli("check", "inventories/reference", "--as-of", AS_OF, "--format", "html", cwd=ROOT)
    assert result.returncode == 0
    page = result.stdout
    assert page.startswith("<!DOCTYPE html>") and "No findings." in page and '<svg class="map"' in page
    assert '<tr id="f' not in page


def test_html_report_of_an_unparseable_inventory_explains_why_there_is_no_map(cli):
    result = cli("check", "tests/rules/PL000_invalid-yaml/fail-syntax.yaml", "--format", "html", cwd=ROOT)
    assert result.returncode == 1
    page = result.stdout
    assert "The data map cannot be drawn" in page and '<svg class="map"' not in page
    assert "fail-syntax.yaml:7:20" in page and 'data-rule="PL000"' in page
    parsed = _parse(page)
    for tag, attributes in parsed.tags:
        if tag == "a":
            assert attributes["href"][1:] in parsed.ids


def test_blank_page_detector_sees_a_blank_page(tmp_path):
    """The screenshot check above is not vacuous: an empty page fails it."""
    chromium = tools.chromium()
    blank = tmp_path / "blank.html"
    blank.write_text("<!DOCTYPE html><html><body></body></html>", encoding="utf-8")
    screenshot = tmp_path / "blank.png"
    _chromium(chromium, tmp_path / "profile", f"--screenshot={screenshot}", "--window-size=320,240", blank.as_uri())
    _, _, channels, rows = _png_pixels(screenshot.read_bytes())
    colors = {row[x : x + 3] for row in rows for x in range(0, len(row), channels)}
    assert len(colors) <= 2


def test_html_is_deterministic(cli):
    runs = [cli("check", "inventories", "--recursive", "--as-of", AS_OF, "--format", "html", cwd=ROOT).stdout
            for _ in range(2)]
    assert runs[0] == runs[1] and len(runs[0]) > 50_000


def test_long_flows_cross_intermediate_columns_between_nodes():
    boxes = [html_report._Box(node=None, column=1, y=50, h=60), html_report._Box(node=None, column=1, y=134, h=60)]
    assert html_report._free_y(boxes, 20) == 20  # clear already
    assert html_report._free_y(boxes, 60) == 38  # inside the first node: just above it
    assert html_report._free_y(boxes, 100) == 122  # lower half of the first node: the gap below
    assert html_report._free_y(boxes, 190) == 206  # inside the last node: below the column


def test_a_map_too_large_to_draw_is_described_not_drawn(cli, tmp_path):
    """5,001 systems: the report says how large the map is and where to see it; the findings
    table is still complete (PL005 for every system without data)."""
    systems = "".join(f"  - {{id: s{number}}}\n" for number in range(html_report.MAX_DRAWN + 1))
    (tmp_path / "inventory.yaml").write_text(f"privlint: 1\norganization: {{name: Acme}}\nsystems:\n{systems}")
    result = cli("check", "inventory.yaml", "--format", "html", "--as-of", AS_OF, cwd=tmp_path)
    page = result.stdout
    assert '<svg class="map"' not in page
    assert "The data map has 5,001 systems and recipients and 0 flows" in page
    assert page.count('data-rule="PL005"') == html_report.MAX_DRAWN + 1


def test_findings_table_escapes_each_entity_rule_and_file_once():
    """An entity's findings are adjacent, and a table names a few rules and files: escaping
    them and making the entity's anchor for every row took a third of writing the page
    (632,000 findings: 6.5 s of CPU; 2.8 s). Measured by behaviour, not by counting a helper:
    names that cost work to show (control characters, each written as an escape, and
    punctuation, each an escape in the anchor) may add work per distinct name, not per row."""
    from privlint.lint.engine import Finding

    def table(mark):
        findings = [Finding("PL103", f"undisclosed-purpose{mark}", "warning", f"m{number}", f"a{number % 2}{mark}.yaml",
                            number, 1, f"flow:a->b#{number // 100}{mark}") for number in range(2000)]
        entities = {finding.entity for finding in findings}  # 20 entities, 2 files, 1 rule
        return lambda: "".join(html_report._findings_table(findings, 0, entities))

    heavy = "\x1b," * 10
    rows = table(heavy)()
    assert rows.count("<tr id=") == 2000 and rows.count('<a href="#i0-flow_3a_a-_3e_b_23_19_1b__2c_') == 100
    assert rows.count("a1\\x1b,") == 1000 and rows.count("undisclosed-purpose\\x1b,") == 2000
    plain, marked = tools.python_calls(table("")), tools.python_calls(table(heavy))
    # about 600 more (23 names x 10 or 20 escapes); escaping a name for each row: 20,000 or more
    assert marked - plain < 2000, (plain, marked)
