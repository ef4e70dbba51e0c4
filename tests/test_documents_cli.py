"""CLI contract: `flask documents list | sample | install-template` (exit 2 on bad input)."""
import io

import docx
import pytest
from pypdf import PdfReader

from absolvent.db import database
from absolvent.documents.models import TemplateVersion
from tests.helpers import tiny_docx


def assert_clean_failure(result):
    assert result.exit_code == 2, result.output
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("Fehler: ")
    assert "Traceback" not in result.output


def test_list(runner):
    result = runner.invoke(args=["documents", "list"])
    assert result.exit_code == 0
    lines = dict(line.split("\t", 1) for line in result.stdout.splitlines())
    assert lines["eingliederungsvereinbarung"] == "Eingliederungsvereinbarung / Kooperationsplan\tdocx,pdf"
    assert lines["fachaufsicht-liste"].endswith("\tpdf")


@pytest.mark.parametrize("name, fmt", [("eingliederungsvereinbarung", "docx"),
                                       ("eingliederungsvereinbarung", "pdf"),
                                       ("fachaufsicht-liste", "pdf")])
def test_sample_renders_every_document(runner, tmp_path, name, fmt):
    out = tmp_path / f"out.{fmt}"
    result = runner.invoke(args=["documents", "sample", name, "--format", fmt, "--output", str(out)])
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    if fmt == "docx":
        text = "\n".join(p.text for p in docx.Document(io.BytesIO(data)).paragraphs)
        assert "Müller-Lüdenscheidt" in text or "Abschluss der Umschulung" in text
    else:
        text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
        assert "Jobcenter Landkreis Goslar" in text


@pytest.mark.parametrize("args", [
    ["documents", "sample", "gibt-es-nicht", "--format", "pdf", "--output", "x.pdf"],
    ["documents", "sample", "fachaufsicht-liste", "--format", "docx", "--output", "x.docx"],
    ["documents", "sample", "eingliederungsvereinbarung", "--format", "exe", "--output", "x.exe"],
    ["documents", "install-template", "gibt-es-nicht", "vorlage.docx"],
    ["documents", "install-template", "eingliederungsvereinbarung", "/nicht/vorhanden.docx"],
])
def test_bad_input_exits_2_with_one_line(runner, tmp_path, monkeypatch, args):
    monkeypatch.chdir(tmp_path)
    assert_clean_failure(runner.invoke(args=args))
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "x.docx").exists()


def test_sample_unwritable_output(runner, tmp_path):
    result = runner.invoke(args=["documents", "sample", "fachaufsicht-liste", "--format", "pdf",
                                 "--output", str(tmp_path / "fehlt" / "x.pdf")])
    assert_clean_failure(result)


def active(db):
    return [(t.version, bool(t.active)) for t in TemplateVersion.select().order_by(TemplateVersion.version)]


def test_install_template_activates(runner, tmp_path, app):
    path = tmp_path / "vorlage.docx"
    path.write_bytes(tiny_docx("Für {{ customer.last_name }}"))
    result = runner.invoke(args=["documents", "install-template", "eingliederungsvereinbarung", str(path)])
    assert result.exit_code == 0, result.output
    assert "Version 1" in result.stdout
    with database.connection_context():
        assert active(database) == [(1, True)]


@pytest.mark.parametrize("content, reason", [
    (tiny_docx("{{ ''.__class__.__mro__ }}"), "Vorlage abgelehnt"),
    (b"kein docx", "keine Word-Datei"),
    (tiny_docx("{% if %}"), "Vorlage abgelehnt"),
])
def test_install_template_refused(runner, tmp_path, app, content, reason):
    path = tmp_path / "vorlage.docx"
    path.write_bytes(content)
    result = runner.invoke(args=["documents", "install-template", "eingliederungsvereinbarung", str(path)])
    assert_clean_failure(result)
    assert reason in result.stderr
    with database.connection_context():
        assert active(database) == []


def test_install_template_for_pdf_only_document(runner, tmp_path):
    path = tmp_path / "vorlage.docx"
    path.write_bytes(tiny_docx("x"))
    result = runner.invoke(args=["documents", "install-template", "fachaufsicht-liste", str(path)])
    assert_clean_failure(result)
    assert "keine Word-Vorlage" in result.stderr
