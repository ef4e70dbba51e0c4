"""Expressions in form definitions: evaluated with simpleeval, never ``eval``.

An expression is one line of Python syntax over plain values, e.g.
``measure.type_code in ['AGH']`` or ``add_months(concluded_on, 6)``.

What is allowed (checked on the syntax tree before anything runs):

- literals (text, numbers, True/False/None), lists and tuples of them;
- names: the facts (``customer``, ``measure`` … ``today``) and the form's
  fields by their bare name; ``a.b`` reads key ``b`` of the mapping ``a``
  (a missing key, or ``.b`` on None, gives None);
- ``and or not``, comparisons (``== != < <= > >= in not in is is not``),
  ``+ - * / // %`` on numbers (``+`` and ``*`` also on text and lists,
  results bounded), ``x if cond else y``, ``a[i]``;
- calls of the safe functions only: ``add_days(d, n)``, ``add_months(d, n)``,
  ``days_between(a, b)``, ``len(x)``.

Not allowed: methods (``'a'.upper()``), names or attributes starting with
``_``, lambda, comprehensions, f-strings, ``**``, dicts and sets, keywords.
Dates are ISO strings "JJJJ-MM-TT" (they compare correctly as strings).
None in gives None out: arithmetic, ordering comparisons and the functions
return None when an operand is None, so a rule over unanswered fields is
"unknown" rather than an error. Every problem raises ``ExpressionError`` with
a German message.
"""

from __future__ import annotations

import ast
import datetime as dt
import functools
import math
import operator as op
import re
from collections.abc import Mapping

import simpleeval

from absolvent.rules import add_months as _shift_months

MAX_LENGTH = 500          # characters of one expression
MAX_DEPTH = 30            # nesting of the syntax tree
MAX_RESULT_LENGTH = 10_000  # items/characters of a text or list built by + or *
MAX_DAYS = 100_000
MAX_MONTHS = 1_200
SAFE_FUNCTIONS = ("add_days", "add_months", "days_between", "len")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

_CONSTRUCTS = {
    ast.Lambda: "lambda", ast.ListComp: "Listen-Ausdrücke mit for", ast.SetComp: "Mengen-Ausdrücke mit for",
    ast.DictComp: "Dict-Ausdrücke mit for", ast.GeneratorExp: "Ausdrücke mit for",
    ast.JoinedStr: "f-Strings", ast.Dict: "Dicts", ast.Set: "Mengen", ast.NamedExpr: ":=",
    ast.Starred: "*-Entpacken", ast.Slice: "Slices [a:b]", ast.Await: "await",
    ast.Yield: "yield", ast.YieldFrom: "yield",
}
_ALLOWED = (
    ast.Expression, ast.BoolOp, ast.And, ast.Or, ast.BinOp, ast.Add, ast.Sub, ast.Mult, ast.Div,
    ast.FloorDiv, ast.Mod, ast.UnaryOp, ast.Not, ast.USub, ast.UAdd, ast.Compare, ast.Eq, ast.NotEq,
    ast.Lt, ast.LtE, ast.Gt, ast.GtE, ast.In, ast.NotIn, ast.Is, ast.IsNot, ast.IfExp, ast.Call,
    ast.Name, ast.Load, ast.Attribute, ast.Subscript, ast.Constant, ast.List, ast.Tuple,
)


class ExpressionError(ValueError):
    """An expression is invalid or cannot be evaluated; ``str(exc)`` is German."""

    def __init__(self, message: str, expression: str = ""):
        super().__init__(message)
        self.message = message
        self.expression = expression


# ------------------------------------------------------------------ parsing

def _depth(node: ast.AST, limit: int) -> int:
    """Return the depth of ``node`` (stops counting beyond ``limit``)."""
    best, stack = 0, [(node, 1)]
    while stack:
        current, level = stack.pop()
        best = max(best, level)
        if best > limit:
            return best
        stack.extend((child, level + 1) for child in ast.iter_child_nodes(current))
    return best


def _refuse(node: ast.AST) -> str | None:
    """Return a German message when ``node`` is not allowed, else None."""
    if isinstance(node, ast.Name) and node.id.startswith("_"):
        return f"Namen mit „_“ am Anfang sind nicht erlaubt („{node.id}“)."
    if isinstance(node, ast.Attribute) and node.attr.startswith("_"):
        return f"Zugriffe mit „_“ am Anfang sind nicht erlaubt („.{node.attr}“)."
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name):
            return "Methodenaufrufe sind nicht erlaubt; nur " + ", ".join(SAFE_FUNCTIONS) + "."
        if node.func.id not in SAFE_FUNCTIONS:
            return f"unbekannte Funktion „{node.func.id}“ (erlaubt: {', '.join(SAFE_FUNCTIONS)})."
        if node.keywords:
            return "Funktionen werden ohne Schlüsselwort-Argumente aufgerufen."
    if isinstance(node, ast.Constant) and not isinstance(node.value, str | int | float | bool | type(None)):
        return "Nur Text, Zahlen, True, False und None sind als Werte erlaubt."
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Pow):
        return "„**“ ist nicht erlaubt."
    if not isinstance(node, _ALLOWED):
        what = _CONSTRUCTS.get(type(node), type(node).__name__)
        return f"„{what}“ ist in Ausdrücken nicht erlaubt."
    return None


@functools.lru_cache(maxsize=1024)
def parse(expr: str) -> ast.Expression:
    """Return the checked syntax tree of ``expr``; raises ExpressionError."""
    if not isinstance(expr, str):
        raise ExpressionError("Ausdruck muss ein Text sein.")
    if not expr.strip():
        raise ExpressionError("Ausdruck ist leer.", expr)
    if len(expr) > MAX_LENGTH:
        raise ExpressionError(f"Ausdruck ist zu lang (höchstens {MAX_LENGTH} Zeichen).", expr)
    try:
        tree = ast.parse(expr.strip(), mode="eval")
    except SyntaxError as exc:
        if "never closed" in (exc.msg or ""):
            raise ExpressionError("Syntaxfehler: eine Klammer wird nicht geschlossen.", expr) from None
        if not exc.offset or exc.offset > len(expr.strip()):
            raise ExpressionError("Syntaxfehler: der Ausdruck ist unvollständig.", expr) from None
        raise ExpressionError(f"Syntaxfehler in Spalte {exc.offset}.", expr) from None
    except (RecursionError, MemoryError, ValueError):
        raise ExpressionError("Ausdruck ist zu tief verschachtelt.", expr) from None
    if _depth(tree, MAX_DEPTH) > MAX_DEPTH:
        raise ExpressionError("Ausdruck ist zu tief verschachtelt.", expr)
    for node in ast.walk(tree):
        message = _refuse(node)
        if message:
            raise ExpressionError(message, expr)
    return tree


def names_in(expr: str) -> set[str]:
    """Return the root names and dotted paths ``expr`` reads (functions called excluded).

    ``"measure.type_code in ['AGH'] and ziel"`` gives
    ``{"measure", "measure.type_code", "ziel"}``. Read-only, nothing is
    evaluated; raises ExpressionError when ``expr`` does not parse.
    """
    tree = parse(expr)
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    inner = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and id(node) not in called:
            found.add(node.id)
        elif isinstance(node, ast.Attribute) and id(node) not in inner:
            parts, current = [node.attr], node.value
            while isinstance(current, ast.Attribute):
                parts.append(current.attr)
                current = current.value
            if isinstance(current, ast.Name):
                found.add(".".join([current.id, *reversed(parts)]))
    return found


# ------------------------------------------------------------------ safe functions

def _to_date(value, what: str = "Datum") -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ExpressionError(f"„{value}“ ist kein {what} (JJJJ-MM-TT erwartet).")


def _to_int(value, limit: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or abs(value) > limit:
        raise ExpressionError(f"„{value}“ ist keine ganze Zahl zwischen -{limit} und {limit}.")
    return value


def add_days(day, n):
    """Return ISO ``day`` + ``n`` calendar days as ISO text; None in gives None."""
    if day is None or n is None:
        return None
    try:
        return (_to_date(day) + dt.timedelta(days=_to_int(n, MAX_DAYS))).isoformat()
    except OverflowError:
        raise ExpressionError("Das Datum liegt außerhalb des Kalenders.") from None


def add_months(day, n):
    """Return ISO ``day`` + ``n`` calendar months, clamped to the month end (2026-08-31 − 6 → 2026-02-28)."""
    if day is None or n is None:
        return None
    try:
        return _shift_months(_to_date(day), _to_int(n, MAX_MONTHS)).isoformat()
    except (OverflowError, ValueError):
        raise ExpressionError("Das Datum liegt außerhalb des Kalenders.") from None


def days_between(first, second):
    """Return the days from ISO ``first`` to ISO ``second`` (negative when earlier); None in gives None."""
    if first is None or second is None:
        return None
    return (_to_date(second) - _to_date(first)).days


def length(value):
    """Return the length of a text or list; None gives None."""
    if value is None:
        return None
    if isinstance(value, str | list | tuple | Mapping):
        return len(value)
    raise ExpressionError("len() geht nur für Texte und Listen.")


FUNCTIONS = {"add_days": add_days, "add_months": add_months, "days_between": days_between, "len": length}


# ------------------------------------------------------------------ operators (None-propagating, bounded)

def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _arith(symbol: str, fn, sequences: bool = False):
    def apply(a, b):
        if a is None or b is None:
            return None
        if _number(a) and _number(b):
            try:
                return fn(a, b)
            except ZeroDivisionError:
                raise ExpressionError("Division durch 0.") from None
            except OverflowError:
                raise ExpressionError("Zahl zu groß.") from None
        if sequences and symbol == "+" and type(a) is type(b) and isinstance(a, str | list | tuple):
            if len(a) + len(b) > MAX_RESULT_LENGTH:
                raise ExpressionError(f"Ergebnis wäre zu lang (höchstens {MAX_RESULT_LENGTH} Zeichen).")
            return a + b
        if sequences and symbol == "*":
            seq, count = (a, b) if isinstance(a, str | list | tuple) else (b, a)
            if isinstance(seq, str | list | tuple) and isinstance(count, int) and not isinstance(count, bool):
                if len(seq) * max(count, 0) > MAX_RESULT_LENGTH:
                    raise ExpressionError(f"Ergebnis wäre zu lang (höchstens {MAX_RESULT_LENGTH} Zeichen).")
                return seq * count
        raise ExpressionError(f"„{symbol}“ passt nicht zu {_kind(a)} und {_kind(b)}.")
    return apply


def _kind(value) -> str:
    if value is None:
        return "None"
    if isinstance(value, bool):
        return "Wahrheitswert"
    if _number(value):
        return "Zahl"
    if isinstance(value, str):
        return "Text"
    if isinstance(value, list | tuple):
        return "Liste"
    return "Tabelle"


def _order(fn, symbol: str):
    def compare(a, b):
        if a is None or b is None:
            return None
        try:
            return fn(a, b)
        except TypeError:
            raise ExpressionError(f"{_kind(a)} und {_kind(b)} lassen sich nicht mit „{symbol}“ vergleichen.") from None
    return compare


def _contains(a, b):
    if b is None:
        return False
    if not isinstance(b, str | list | tuple | Mapping):
        raise ExpressionError(f"„in“ braucht rechts einen Text oder eine Liste, nicht {_kind(b)}.")
    if isinstance(b, str) and not isinstance(a, str):
        return False
    return a in b


def _negate(fn):
    def apply(a):
        if a is None:
            return None
        if not _number(a):
            raise ExpressionError(f"Vorzeichen passt nicht zu {_kind(a)}.")
        return fn(a)
    return apply


OPERATORS = {
    ast.Add: _arith("+", op.add, sequences=True), ast.Sub: _arith("-", op.sub),
    ast.Mult: _arith("*", op.mul, sequences=True), ast.Div: _arith("/", op.truediv),
    ast.FloorDiv: _arith("//", op.floordiv), ast.Mod: _arith("%", op.mod),
    ast.USub: _negate(op.neg), ast.UAdd: _negate(op.pos), ast.Not: op.not_,
    ast.Eq: op.eq, ast.NotEq: op.ne, ast.Is: op.is_, ast.IsNot: op.is_not,
    ast.Lt: _order(op.lt, "<"), ast.LtE: _order(op.le, "<="), ast.Gt: _order(op.gt, ">"),
    ast.GtE: _order(op.ge, ">="),
    ast.In: _contains, ast.NotIn: lambda a, b: not _contains(a, b),
}


class _Evaluator(simpleeval.EvalWithCompoundTypes):
    """simpleeval with dotted access on mappings only and names from one dict."""

    def __init__(self, names: Mapping):
        super().__init__(operators=OPERATORS, functions=dict(FUNCTIONS), names=names)
        self.functions = dict(FUNCTIONS)   # drop list/tuple/dict/set added by the base class
        for node_type in (ast.ListComp, ast.GeneratorExp, ast.DictComp, ast.Dict, ast.Set):
            self.nodes.pop(node_type, None)

    def _eval_name(self, node):
        if node.id in ("True", "False", "None"):
            return {"True": True, "False": False, "None": None}[node.id]
        if node.id not in self.names:
            raise ExpressionError(f"unbekannter Name „{node.id}“.")
        return self.names[node.id]

    def _eval_attribute(self, node):
        if node.attr.startswith("_"):
            raise ExpressionError(f"Zugriff „.{node.attr}“ ist nicht erlaubt.")
        base = self._eval(node.value)
        if base is None:
            return None
        if isinstance(base, Mapping):
            return base.get(node.attr)
        raise ExpressionError(f"„.{node.attr}“ geht nur auf Fakten wie measure.type_code, nicht auf {_kind(base)}.")

    def _eval_subscript(self, node):
        container = self._eval(node.value)
        key = self._eval(node.slice)
        if container is None or key is None:
            return None
        if isinstance(container, str | list | tuple) and isinstance(key, int) and not isinstance(key, bool):
            return container[key] if -len(container) <= key < len(container) else None
        if isinstance(container, Mapping) and isinstance(key, str):
            return container.get(key)
        raise ExpressionError(f"[…] passt nicht zu {_kind(container)}.")


def evaluate(expr: str, names: Mapping):
    """Return the value of ``expr`` with ``names`` (plain values); raises ExpressionError (German)."""
    tree = parse(expr)
    try:
        return _Evaluator(names).eval(expr, previously_parsed=tree.body)
    except ExpressionError as exc:
        exc.expression = expr
        raise
    except simpleeval.IterableTooLong:
        raise ExpressionError("Ergebnis wäre zu lang.", expr) from None
    except simpleeval.InvalidExpression as exc:
        raise ExpressionError(f"Ausdruck nicht erlaubt ({exc}).", expr) from None
    except (TypeError, ValueError, KeyError, IndexError, ArithmeticError) as exc:
        raise ExpressionError(f"Ausdruck kann nicht ausgewertet werden ({type(exc).__name__}).", expr) from None
    except (RecursionError, MemoryError):
        raise ExpressionError("Ausdruck ist zu aufwendig.", expr) from None


def truthy(value) -> bool:
    """Return the condition value of an expression result (None counts as false)."""
    if isinstance(value, float) and math.isnan(value):
        return False
    return bool(value)


def is_iso_date(value) -> bool:
    """True for a valid ISO date text "JJJJ-MM-TT"."""
    if not isinstance(value, str) or not _ISO_DATE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True
