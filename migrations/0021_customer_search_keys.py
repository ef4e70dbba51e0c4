"""0021 search keys on the customer: last name, first name and customer number folded
(absolvent/search_keys.py: lower case, ä → ae …, letters and digits only), backfilled and
indexed — the customer search reads the names starting with the typed word through an
index instead of comparing every customer of the team with LIKE '%…%' (issue 11 "Flat")."""
from peewee import *

from absolvent.search_keys import customer_keys

COLUMNS = ("last_name_key", "first_name_key", "number_key")


def up(migrator, db):
    migrator.migrate(*(migrator.add_column('customer', name, CharField(default='')) for name in COLUMNS))
    rows = db.execute_sql('SELECT id, last_name, first_name, customer_number FROM customer').fetchall()
    p = db.param
    sql = f'UPDATE customer SET last_name_key = {p}, first_name_key = {p}, number_key = {p} WHERE id = {p}'
    with db.atomic():
        cursor = db.cursor()
        for i in range(0, len(rows), 1000):
            cursor.executemany(sql, [(*customer_keys(last, first, number).values(), cid)
                                     for cid, last, first, number in rows[i:i + 1000]])
    migrator.migrate(*(migrator.add_index('customer', (name,), False) for name in COLUMNS))


def down(migrator, db):
    migrator.migrate(*(migrator.drop_index('customer', f'customer_{name}') for name in COLUMNS))
    migrator.migrate(*(migrator.drop_column('customer', name) for name in COLUMNS))
