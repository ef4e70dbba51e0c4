"""Discover printable documents: one folder per document under ``forms/``.

A document folder holds ``definition.toml``::

    name = "eingliederungsvereinbarung"      # = folder name
    title = "Eingliederungsvereinbarung / Kooperationsplan"
    formats = ["docx", "pdf"]
    version = "2026.1"
    docx_template = "template.docx"          # optional, default shown
    html_template = "print.html"             # optional, default shown
    sample = "sample.json"                   # optional, default shown
    [[required]]
    path = "agreement.goal"                  # dotted path into the context
    label = "Eingliederungsziel"             # German label for messages
    when = { kind = "EV" }                   # optional: only when context["kind"] == "EV"

Folders whose name starts with ``_`` (e.g. ``_print``) or that have no
``definition.toml`` (guided forms) are skipped.
"""

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DocumentError

FORMATS = ("docx", "pdf")


@dataclass(frozen=True)
class RequiredField:
    path: str
    label: str
    when: dict = field(default_factory=dict)


@dataclass(frozen=True)
class DocumentSpec:
    name: str
    title: str
    formats: tuple[str, ...]
    version: str
    folder: Path
    required: tuple[RequiredField, ...]
    docx_template: str = "template.docx"
    html_template: str = "print.html"
    sample: str = "sample.json"

    @property
    def docx_path(self) -> Path:
        return self.folder / self.docx_template

    @property
    def html_path(self) -> Path:
        return self.folder / self.html_template

    @property
    def sample_path(self) -> Path:
        return self.folder / self.sample


def load_spec(folder: Path) -> DocumentSpec:
    """Return the spec of one document folder; raise ``DocumentError`` when invalid."""
    folder = Path(folder)
    try:
        data = tomllib.loads((folder / "definition.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise DocumentError(f"Dokumentdefinition in „{folder.name}“ ist ungültig: {exc}") from exc
    missing = [key for key in ("name", "title", "formats", "version") if key not in data]
    if missing:
        raise DocumentError(
            f"Dokumentdefinition in „{folder.name}“: es fehlen {', '.join(missing)}."
        )
    formats = tuple(data["formats"])
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise DocumentError(
            f"Dokumentdefinition in „{folder.name}“: unbekannte Formate {unknown or '[]'}."
        )
    if data["name"] != folder.name:
        raise DocumentError(
            f"Dokumentdefinition in „{folder.name}“: name muss dem Ordnernamen entsprechen."
        )
    required = tuple(
        RequiredField(item["path"], item["label"], dict(item.get("when", {})))
        for item in data.get("required", [])
    )
    extra = {k: data[k] for k in ("docx_template", "html_template", "sample") if k in data}
    return DocumentSpec(
        name=data["name"], title=data["title"], formats=formats, version=str(data["version"]),
        folder=folder, required=required, **extra,
    )


def list_documents(forms_dir: Path) -> list[DocumentSpec]:
    """Return the specs of all document folders in ``forms_dir``, sorted by name."""
    return [
        load_spec(folder)
        for folder in sorted(Path(forms_dir).iterdir())
        if folder.is_dir() and not folder.name.startswith("_")
        and (folder / "definition.toml").is_file()
    ]


def get(forms_dir: Path, name: str) -> DocumentSpec:
    """Return the spec named ``name``; raise ``DocumentError`` if there is none."""
    for spec in list_documents(forms_dir):
        if spec.name == name:
            return spec
    raise DocumentError(f"Unbekanntes Dokument „{name}“.")


def load_sample(spec: DocumentSpec) -> dict:
    """Return the sample context of a document (keys starting with ``_`` removed)."""
    data = json.loads(spec.sample_path.read_text(encoding="utf-8"))
    return {key: value for key, value in data.items() if not key.startswith("_")}
