"""0012 addressees of the MB's escalation letters: the REZ (Regionales Einkaufszentrum,
Deeskalationsstufe 2 for procured measures) and the Agentur für Arbeit's AG-/Trägerteam
(Qualitätsprüfung nach §183 SGB III for voucher measures), kept with the Jobcenter settings."""
from peewee import *


def up(migrator, db):
    migrator.migrate(
        migrator.add_column('jobcenter_settings', 'rez_name', CharField(default='')),
        migrator.add_column('jobcenter_settings', 'rez_address', TextField(default='')),
        migrator.add_column('jobcenter_settings', 'agentur_name', CharField(default='')),
        migrator.add_column('jobcenter_settings', 'agentur_address', TextField(default='')),
    )


def down(migrator, db):
    migrator.migrate(
        migrator.drop_column('jobcenter_settings', 'agentur_address'),
        migrator.drop_column('jobcenter_settings', 'agentur_name'),
        migrator.drop_column('jobcenter_settings', 'rez_address'),
        migrator.drop_column('jobcenter_settings', 'rez_name'),
    )
