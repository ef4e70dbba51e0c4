"""Document rendering: every form from its sample, sandbox, escaping, fetcher, limits.

Needs no Flask fixtures. Renders run in pooled worker processes (forkserver); the first
test pays ~2 s for the server start.
"""

import io
import json
import warnings
import zipfile
from pathlib import Path

import docx
import pytest
from pypdf import PdfReader

# WeasyPrint 70 warns at import time when the system lacks libharfbuzz-subset0
# (it then subsets fonts with fontTools). Only that warning is silenced, only here.
HARFBUZZ_WARNING = "HarfBuzz-Subset will be required"
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", HARFBUZZ_WARNING, DeprecationWarning)
    import weasyprint  # noqa: F401

from absolvent.documents.render import (  # noqa: E402 - after the warning filter above
    BASE_URL,
    DEFAULT_STATIC_DIR,
    ContextRefused,
    Limits,
    RenderTimeout,
    RenderTooLarge,
    SafeFetcher,
    TemplateRefused,
    preflight,
    registry,
    render_docx,
    render_pdf,
    render_pdf_result,
    validate_docx_template,
)
from absolvent.documents.render.fetcher import FetchRefused  # noqa: E402
from tests.helpers import docx_text, pdf_text, tiny_docx  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
FORMS = ROOT / "forms"
SPECIAL = "A & B <c> \"d\" 'e' ä ö ü Ä Ö Ü ß € 🙂"
SPECS = registry.list_documents(FORMS)

needs_fonts = pytest.mark.skipif(
    not (DEFAULT_STATIC_DIR / "vendor" / "fonts" / "DejaVuSans.ttf").is_file(),
    reason="run `make assets` first (fonts come from npm)",
)


def agreement(**changes) -> dict:
    ctx = registry.load_sample(registry.get(FORMS, "eingliederungsvereinbarung"))
    ctx.update(changes)
    return ctx


# ---------------------------------------------------------------- registry / samples

def test_registry_finds_both_documents():
    names = {spec.name: spec for spec in SPECS}
    assert set(names) >= {"eingliederungsvereinbarung", "fachaufsicht-liste"}
    assert names["eingliederungsvereinbarung"].formats == ("docx", "pdf")
    assert names["fachaufsicht-liste"].formats == ("pdf",)
    assert ("agreement.goal", "Eingliederungsziel") in [
        (f.path, f.label) for f in names["eingliederungsvereinbarung"].required]


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_samples_are_complete_and_documented(spec):
    raw = json.loads(spec.sample_path.read_text(encoding="utf-8"))
    assert "_doc" in raw
    assert preflight.missing_fields(spec, registry.load_sample(spec)) == []


def test_preflight_lists_missing_and_conditional_fields():
    spec = registry.get(FORMS, "eingliederungsvereinbarung")
    ctx = agreement(kind="EV")
    ctx["agreement"] = {**ctx["agreement"], "goal": "  ", "valid_until": ""}
    assert preflight.missing_fields(spec, ctx) == [
        ("agreement.goal", "Eingliederungsziel"), ("agreement.valid_until", "Gültig bis")]
    del ctx["agreement"]
    assert ("agreement.steps", "Wesentliche Schritte") in preflight.missing_fields(spec, ctx)


# ---------------------------------------------------------------- every document renders

@pytest.mark.parametrize(
    "spec", [s for s in SPECS if "docx" in s.formats], ids=lambda s: s.name)
def test_docx_renders_from_sample(spec):
    ctx = registry.load_sample(spec)
    text = docx_text(render_docx(spec.docx_path, ctx))
    if "customer" in ctx:  # a letter about a case
        assert ctx["customer"]["last_name"] in text
        assert ctx["customer"]["customer_number"] in text
    else:  # a letter to the Träger, the REZ or the Agentur about a measure
        assert ctx["measure"]["measure_number"] in text
    assert "{{" not in text and "{%" not in text


@needs_fonts
@pytest.mark.parametrize(
    "spec", [s for s in SPECS if "pdf" in s.formats], ids=lambda s: s.name)
def test_pdf_renders_from_sample(spec):
    ctx = registry.load_sample(spec)
    pdf = render_pdf(spec.html_path, ctx)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert "Seite 1 von" in text
    assert ctx["jobcenter"]["name"] in text


@pytest.mark.parametrize("kind, term", [("EV", "Eingliederungsvereinbarung"),
                                        ("KP", "Kooperationsplan")])
def test_agreement_docx_rechtsfolgenbelehrung_only_for_ev(kind, term):
    spec = registry.get(FORMS, "eingliederungsvereinbarung")
    ctx = agreement(kind=kind, term=term)
    ctx["agreement"] = {**ctx["agreement"], "valid_until": "31.01.2028"}
    text = docx_text(render_docx(spec.docx_path, ctx))
    assert (kind == "EV") == ("Unterschrift Kunde/Kundin" in text)
    assert (kind == "EV") == ("Rechtsfolgenbelehrung\n" in text)
    assert (kind == "KP") == ("in Textform" in text)
    # multi-line fields keep their line breaks
    assert "(IHK).\nAnschließend" in text


@needs_fonts
def test_agreement_pdf_ev_has_rechtsfolgenbelehrung_and_line_breaks():
    spec = registry.get(FORMS, "eingliederungsvereinbarung")
    ctx = agreement(kind="EV", term="Eingliederungsvereinbarung")
    ctx["agreement"] = {**ctx["agreement"], "valid_until": "31.01.2028"}
    text = pdf_text(render_pdf(spec.html_path, ctx))
    assert "Rechtsfolgenbelehrung" in text and "Unterschrift Kunde/Kundin" in text
    assert "(IHK).\nAnschließend" in text
    for label in ("Kundennummer", "Aktenzeichen", "Ansprechpartner/in", "Datum"):
        assert label in text


@needs_fonts
def test_fachaufsicht_list_is_landscape_with_sign_off_and_repeated_header():
    spec = registry.get(FORMS, "fachaufsicht-liste")
    ctx = registry.load_sample(spec)
    ctx["rows"] = ctx["rows"] * 12  # several pages
    reader = PdfReader(io.BytesIO(render_pdf(spec.html_path, ctx)))
    assert sum("254D1000" in page.extract_text() for page in reader.pages) > 1
    for page in reader.pages:
        assert float(page.mediabox.width) > float(page.mediabox.height)
        page_text = page.extract_text()
        if "254D1000" in page_text:  # every page with rows repeats the table header
            assert "Kundennummer" in page_text and "Maßnahmeende" in page_text
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert "Seite 1 von" in text
    assert "Geprüft und bestätigt" in text and "Bereichsleitung" in text


# ---------------------------------------------------------------- special characters

def test_special_characters_round_trip_in_docx():
    spec = registry.get(FORMS, "eingliederungsvereinbarung")
    ctx = agreement()
    ctx["agreement"] = {**ctx["agreement"], "goal": SPECIAL}
    ctx["customer"] = {**ctx["customer"], "last_name": SPECIAL}
    out = render_docx(spec.docx_path, ctx)
    paragraphs = [p.text for p in docx.Document(io.BytesIO(out)).paragraphs]
    assert SPECIAL in paragraphs


@needs_fonts
def test_special_characters_round_trip_in_pdf():
    pdf = render_pdf(
        '<link rel="stylesheet" href="/forms/_print/print.css"><p>{{ t }}</p>', {"t": SPECIAL})
    assert SPECIAL in pdf_text(pdf)


# ---------------------------------------------------------------- sandbox and escaping

@pytest.mark.parametrize("tag", [
    "{{ ''.__class__.__mro__ }}",
    "{{ cycler.__init__.__globals__ }}",
    "{% if ''.__class__ %}x{% endif %}",
    "{{ lipsum.__globals__ }}",
    "{{ customer.items.__self__ }}",
])
def test_unsafe_docx_template_is_refused(tag):
    with pytest.raises(TemplateRefused, match="interne Python-Objekte"):
        render_docx(tiny_docx("Hallo", tag), {"customer": {"last_name": "X"}})


def test_unsafe_html_template_is_refused():
    with pytest.raises(TemplateRefused, match="interne Python-Objekte"):
        render_pdf("<p>{{ ''.__class__.__mro__[1].__subclasses__() }}</p>", {})


def test_docx_syntax_error_is_refused_with_line():
    with pytest.raises(TemplateRefused, match=r"Syntaxfehler in Zeile \d+"):
        render_docx(tiny_docx("Hallo {{ customer.name ", "{% if %}"), {})


def test_values_are_escaped_not_evaluated_in_docx():
    out = render_docx(tiny_docx("Wert: {{ v }}", "Zweiter: {{ w }}"),
                      {"v": "{{7*7}} <b>fett</b> & </w:t>", "w": "{% raw %}x"})
    texts = [p.text for p in docx.Document(io.BytesIO(out)).paragraphs]
    assert texts == ["Wert: {{7*7}} <b>fett</b> & </w:t>", "Zweiter: {% raw %}x"]
    with zipfile.ZipFile(io.BytesIO(out)) as archive:
        xml = archive.read("word/document.xml").decode()
    assert "49" not in xml and "&lt;b&gt;" in xml


def test_values_are_escaped_not_evaluated_in_pdf():
    text = pdf_text(render_pdf("<p>{{ v }}</p>", {"v": "{{7*7}} <b>fett</b>"}))
    assert "{{7*7}} <b>fett</b>" in text and "49" not in text


def test_validate_docx_template():
    validate_docx_template(tiny_docx("Hallo {{ name }}"), {"name": "X"})
    with pytest.raises(TemplateRefused, match="keine gültige Word-Vorlage"):
        validate_docx_template(b"PK\x03\x04 not really a zip", {})
    with pytest.raises(TemplateRefused, match="keine gültige Word-Vorlage"):
        validate_docx_template(b"%PDF-1.7", {})
    with pytest.raises(TemplateRefused, match="interne Python-Objekte"):
        validate_docx_template(tiny_docx("{{ x.__class__ }}"), {"x": "a"})
    with pytest.raises(TemplateRefused, match="nicht ausgefüllt"):
        validate_docx_template(tiny_docx("{{ 1 / 0 }}"), {})


def test_context_must_be_plain_values():
    import datetime
    with pytest.raises(ContextRefused, match="issued_on"):
        render_docx(tiny_docx("{{ issued_on }}"), {"issued_on": datetime.date(2026, 1, 1)})


# ---------------------------------------------------------------- url fetcher

@pytest.fixture
def fetcher():
    return SafeFetcher({"/static/": DEFAULT_STATIC_DIR})


@pytest.mark.parametrize("url", [
    "file:///etc/passwd",
    "http://example.com/x.png",
    "https://example.com/static/vendor/fonts/DejaVuSans.ttf",
    "/static/../../etc/passwd",
    BASE_URL + "static/%2e%2e/%2e%2e/etc/passwd",
    BASE_URL + "static//etc/passwd",
    BASE_URL + "etc/passwd",
    "ftp://example.com/x",
])
def test_fetcher_refuses(fetcher, url):
    with pytest.raises(FetchRefused):
        fetcher(url)
    assert fetcher.refused == [url]


def test_fetcher_refuses_symlink_out_of_static(tmp_path):
    static = tmp_path / "static"
    static.mkdir()
    (tmp_path / "secret.txt").write_text("geheim")
    (static / "link.txt").symlink_to(tmp_path / "secret.txt")
    with pytest.raises(FetchRefused):
        SafeFetcher({"/static/": static})("/static/link.txt")


@needs_fonts
def test_fetcher_allows_static_files_and_data(fetcher):
    response = fetcher("/static/vendor/fonts/DejaVuSans.ttf")
    assert response.read()[:4] == b"\x00\x01\x00\x00"
    assert fetcher("data:text/plain;base64,SGFsbG8=").read() == b"Hallo"
    assert fetcher.refused == []


@needs_fonts
def test_pdf_render_refuses_foreign_urls_and_embeds_fonts():
    html = """<link rel="stylesheet" href="/forms/_print/print.css">
    <img src="file:///etc/passwd"><img src="http://example.com/x.png">
    <img src="/static/../../etc/passwd"><p>Hallo Welt</p>"""
    result = render_pdf_result(html, {})
    assert set(result.refused) >= {"file:///etc/passwd", "http://example.com/x.png"}
    assert BASE_URL + "static/vendor/fonts/DejaVuSans.ttf" in result.fetched
    fonts = []
    for page in PdfReader(io.BytesIO(result.pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            described = descendants[0].get_object() if descendants else font
            descriptor = described["/FontDescriptor"].get_object()
            embedded = "/FontFile2" in descriptor or "/FontFile3" in descriptor
            fonts.append((str(font["/BaseFont"]), embedded))
    assert any("DejaVu" in name and embedded for name, embedded in fonts)
    assert all(embedded for _, embedded in fonts)


# ---------------------------------------------------------------- limits

def test_time_limit_stops_runaway_template():
    runaway = "{% for a in range(99999) %}{% for b in range(99999) %}{% endfor %}{% endfor %}"
    with pytest.raises(RenderTimeout, match="länger als 1 Sekunden"):
        render_docx(tiny_docx(runaway), {}, limits=Limits(timeout_s=1))


def test_input_size_limit():
    with pytest.raises(RenderTooLarge, match="Eingaben sind zu umfangreich"):
        render_docx(tiny_docx("{{ v }}"), {"v": "x" * 2_000}, limits=Limits(max_input_bytes=1_000))


def test_output_size_limit():
    with pytest.raises(RenderTooLarge, match="größer als die erlaubten"):
        render_pdf("<p>{{ v }}</p>", {"v": "x"}, limits=Limits(max_output_bytes=500))


def _with_relationship(docx, rel_type, target):
    """The DOCX with one more relationship in word/_rels/document.xml.rels (TargetMode External)."""
    import io
    import zipfile
    src, out = zipfile.ZipFile(io.BytesIO(docx)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/_rels/document.xml.rels":
                rel = (f'<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                       f'relationships/{rel_type}" Target="{target}" TargetMode="External"/>').encode()
                data = data.replace(b"</Relationships>", rel + b"</Relationships>")
            dst.writestr(item, data)
    return out.getvalue()


@pytest.mark.parametrize("source,message", [
    ("{{ 'A' * 100000000 }}", "zu viel Text"),
    ("{{ 'AB' * 60000 }}", "zu viel Text"),
    ("{{ 9 ** 99999999 }}", "zu viel Text"),
])
def test_template_text_bombs_are_refused(source, message):
    """Issue 10 finding 9: an uploaded template may not blow up the output."""
    with pytest.raises(TemplateRefused, match=message):
        validate_docx_template(tiny_docx(source), {})


def test_slow_template_is_refused_by_the_test_render():
    """A nested loop that takes far longer than a usable template: refused before activation."""
    slow = "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}"
    with pytest.raises(RenderTimeout, match="Schleifen"):
        validate_docx_template(tiny_docx(slow), {})


def test_external_relationships_are_refused_but_hyperlinks_pass():
    linked = _with_relationship(tiny_docx("Hallo"), "image", "https://example.invalid/x.png")
    with pytest.raises(TemplateRefused, match="von außen"):
        validate_docx_template(linked, {})
    attached = _with_relationship(tiny_docx("Hallo"), "attachedTemplate", "file://server/share/t.dotm")
    with pytest.raises(TemplateRefused, match="von außen"):
        validate_docx_template(attached, {})
    validate_docx_template(_with_relationship(tiny_docx("Hallo"), "hyperlink", "https://www.jobcenter.example"), {})


def test_a_sandbox_compiles_a_source_once_and_keeps_refusing(monkeypatch):
    """A warm render worker keeps the compiled code of a template (sandbox.from_string): the
    second render of a source does not compile it again, a cached template still escapes and
    refuses internals, a source that does not compile is not kept, and a sandbox configured
    otherwise (autoescape off) gets its own code."""
    from jinja2 import TemplateSyntaxError
    from jinja2.exceptions import SecurityError

    from absolvent.documents.render import sandbox
    compiled = []
    original = sandbox.DocumentSandbox.compile
    monkeypatch.setattr(sandbox.DocumentSandbox, "compile",
                        lambda self, source, *a, **kw: compiled.append(source) or original(self, source, *a, **kw))
    source = "<p>{{ v }} {{ x.__class__ if x }}</p><!-- cache test -->"
    assert sandbox.make_env().from_string(source).render(v="<b>", x=None) == "<p>&lt;b&gt; </p><!-- cache test -->"
    assert sandbox.make_env().from_string(source).render(v="&", x=None) == "<p>&amp; </p><!-- cache test -->"
    assert compiled == [source]
    with pytest.raises(SecurityError):
        sandbox.make_env().from_string(source).render(v="", x=1)
    assert compiled == [source]
    plain = sandbox.make_env()
    plain.autoescape = False
    assert plain.from_string(source).render(v="<b>", x=None) == "<p><b> </p><!-- cache test -->"
    assert len(compiled) == 2
    for _ in range(2):
        with pytest.raises(TemplateSyntaxError):
            sandbox.make_env().from_string("{% if %}<!-- cache test -->")
    assert len(compiled) == 4
    for n in range(sandbox.COMPILED_TEMPLATES + 5):  # the oldest go first
        sandbox.make_env().from_string(f"{n}<!-- cache test -->")
    assert len(sandbox._compiled) == sandbox.COMPILED_TEMPLATES
    sandbox.make_env().from_string(source)
    assert compiled.count(source) == 3  # evicted: compiled again
