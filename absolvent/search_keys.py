"""Search keys of names and numbers: what the customer search compares, stored on the
customer (``Customer.last_name_key`` …) so a search reads an index, not every customer.

``fold("Müller-Lüdenscheidt") == "muellerluedenscheidt"``: lower case, ä/ö/ü/ß as ae/oe/ue/ss
(the German convention, so "Mueller" and "Müller" are one name), accents dropped (é → e,
ş → s), only letters and digits. A search word matches when a key starts with it: the
range ``fold(word) <= key < successor(fold(word))``, which an index answers on SQLite and
PostgreSQL alike, whatever the database's collation (keys of plain a–z/0–9 sort the same in
every collation; the successor never ends in a character a collation might ignore).
"""
import unicodedata

ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"
_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})


def fold(text):
    """The key of ``text`` (see the module)."""
    text = unicodedata.normalize("NFKD", (text or "").casefold().translate(_GERMAN))
    return "".join(ch for ch in text if ch.isalnum() and not unicodedata.combining(ch))


def successor(prefix):
    """The first key after every key starting with ``prefix`` ("muel" → "muem", "mz" → "n",
    "zz" → None: no upper bound); characters outside a–z/0–9 count up by code point."""
    chars = list(prefix)
    while chars:
        last = chars.pop()
        if last in ALPHABET:
            if last != ALPHABET[-1]:
                return "".join(chars) + ALPHABET[ALPHABET.index(last) + 1]
        elif ord(last) < 0x10FFFF:
            return "".join(chars) + chr(ord(last) + 1)
    return None


def customer_keys(last_name, first_name, customer_number):
    """The stored keys of a customer (the columns of ``Customer``)."""
    return {"last_name_key": fold(last_name), "first_name_key": fold(first_name),
            "number_key": fold(customer_number)}
