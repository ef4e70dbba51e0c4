"""The migrated schema equals the models, on SQLite and on PostgreSQL."""
import pytest
from playhouse.migrations import Runner
from playhouse.schema_diff import diff_models

from absolvent.auth_models import AUTH_MODELS
from absolvent.caseload.tallies import StepTally
from absolvent.db import MIGRATIONS_DIR, make_database
from absolvent.documents.models import DOCUMENT_MODELS
from absolvent.guided_forms.models import GUIDED_FORM_MODELS
from absolvent.ical.models import ICAL_MODELS
from absolvent.imports.models import IMPORT_MODELS
from absolvent.measures.models import MEASURE_MODELS
from absolvent.supervision.models import SUPERVISION_MODELS
from absolvent.models import MODELS as CORE_MODELS

MODELS = (CORE_MODELS + AUTH_MODELS + DOCUMENT_MODELS + GUIDED_FORM_MODELS + SUPERVISION_MODELS + MEASURE_MODELS
          + ICAL_MODELS + IMPORT_MODELS + [StepTally])


def test_migrated_schema_equals_models(db):
    diff = diff_models(db.obj, MODELS)
    assert not diff, str(diff)


def test_nullability_matches_models(db):
    for model in MODELS:
        columns = {c.name: c for c in db.obj.get_columns(model._meta.table_name)}
        for field in model._meta.sorted_fields:
            assert columns[field.column_name].null == field.null, (model.__name__, field.name)


def test_unique_constraints_exist(db):
    uniques = {(i.table, tuple(i.columns)) for m in MODELS for i in db.obj.get_indexes(m._meta.table_name)
               if i.unique}
    for table, column in [("customer", "customer_number"), ("measure", "measure_number"),
                          ("user", "username"), ("provider", "name")]:
        assert (table, (column,)) in uniques


def test_down_and_up_again(tmp_path):
    db = make_database(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    runner = Runner(db, str(MIGRATIONS_DIR))
    applied = runner.up()
    assert applied and applied[0] == "0001_foundation"
    for _ in applied:
        runner.down()
    assert [t for t in db.get_tables() if t != "schema_migration"] == []
    assert runner.up() == applied
    from absolvent.db import database
    database.initialize(db)
    assert not diff_models(db, MODELS)


@pytest.mark.parametrize("name", [p.stem for p in sorted(MIGRATIONS_DIR.glob("[0-9]*.py"))])
def test_every_migration_has_down(name):
    text = (MIGRATIONS_DIR / f"{name}.py").read_text()
    assert "def up(" in text and "def down(" in text
