"""Rendering helpers: the one place that decides fragment or full page.

A view has one template; a partial is a named block of it (jinja2-fragments'
``render_block``). An htmx request (``request.htmx`` from htmx-flask, not a
boosted navigation) gets the block, any other request the whole page. No
handler reads ``HX-Request`` itself.
"""
from flask import redirect, render_template, request
from htmx_flask import make_response
from jinja2_fragments.flask import render_block
from werkzeug.routing import IntegerConverter

MAX_ID = 2**63 - 1  # the largest id both databases store


def db_int(value):
    """An id or page number from a query or form field: ASCII digits within MAX_ID.

    Raises ValueError otherwise ("²" is a digit to ``str.isdigit`` but not to ``int``),
    so ``request.args.get(name, default, type=db_int)`` falls back to the default.
    """
    if not (isinstance(value, str) and value.isascii() and value.isdigit()) or int(value) > MAX_ID:
        raise ValueError(value)
    return int(value)


CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                           "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'self'; "
                           "frame-ancestors 'none'; object-src 'none'")


def security_headers(response):
    """On every response: only the app's own scripts and styles, no framing, no sniffing,
    no referrer to other sites; pages and fragments (personal data) are never cached."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if request.endpoint != "static":
        headers["Cache-Control"] = "no-store"
    return response


COUNT_LIMIT = 1000  # a list counts its rows up to here: "mehr als 1.000" beyond


def count_up_to(query, limit=None):
    """(n, more): the rows of ``query`` counted up to ``limit`` (COUNT_LIMIT); ``more`` when there are more."""
    limit = limit or COUNT_LIMIT
    counted = query.order_by().limit(limit + 1).count()
    return min(counted, limit), counted > limit


def count_label(n, more=False):
    """"123", "1.000" or "mehr als 1.000" (German digit grouping)."""
    text = f"{n:,}".replace(",", ".")
    return f"mehr als {text}" if more else text


class Pages:
    """The pager of a list ``query`` (in its order) at page ``number``: ``rows`` is that page's
    query; the count stops after COUNT_LIMIT rows, so a list reads the rows it shows and at most
    that many more — counting a team's 45,000 open steps for "Seite 1 von 900" would read them
    all on every request. Beyond the limit (``more``) the pager shows "Seite 25" and asks the
    database whether a next page exists, instead of "von N". ``counted`` is a query of the
    same rows that is cheaper to count (without the joins the page only needs to show them)."""

    def __init__(self, query, number, size, counted=None):
        counted = query if counted is None else counted
        self._set(*count_up_to(counted), number, size)
        self.has_next = self.has_next or (self.more and bool(
            list(counted.order_by().offset(number * size).limit(1).tuples())))
        self.rows = query.paginate(number, size)

    @classmethod
    def of(cls, total, number, size):
        """The pager of a list whose length is known (filtered in Python, ``total`` rows)."""
        pages = cls.__new__(cls)
        pages._set(total, False, number, size)
        pages.rows = None
        return pages

    def _set(self, total, more, number, size):
        self.total, self.more, self.number, self.size = total, more, number, size
        self.count = -(-total // size)  # pages known to hold rows
        self.has_next = number < self.count

    @property
    def total_label(self):
        return count_label(self.total, self.more)

    @property
    def shown(self):
        """Whether the list needs a pager at all."""
        return self.number > 1 or self.has_next


def page_number(max_page=100_000):
    """The ``seite`` query value as a page number from 1 to ``max_page`` (1 for anything else)."""
    return min(max(request.args.get("seite", 1, type=db_int), 1), max_page)


class IdConverter(IntegerConverter):
    """``<int:…>`` in routes: ids beyond MAX_ID do not match (404), never reach the database."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def wants_fragment():
    """True for an htmx request that is not a boosted navigation."""
    return bool(request.htmx) and not request.htmx.boosted


def render(template, block=None, status=200, push_url=False, trigger=None, **context):
    """Render ``template`` whole, or only its ``block`` for an htmx request.

    Returns a response with ``Vary: HX-Request`` so caches keep both apart.
    ``push_url`` puts the full request URL (with the search) into the browser's
    address bar and history, so a filtered list can be bookmarked and reloaded;
    a string pushes that URL instead (the next step of a form after a POST).
    ``trigger`` (a string or dict) becomes ``HX-Trigger`` for htmx requests.
    """
    fragment = bool(block) and wants_fragment()
    body = render_block(template, block, **context) if fragment else render_template(template, **context)
    if push_url is True:
        push_url = request.full_path.rstrip("?")
    response = make_response(body, status, push_url=push_url if fragment and push_url else None,
                             trigger=trigger if fragment else None)
    response.headers["Vary"] = "HX-Request"
    return response


def redirect_to(url):
    """Redirect after a successful POST; htmx gets ``HX-Redirect`` instead of a 302."""
    if request.htmx:
        return make_response("", 204, redirect=url)
    return redirect(url)


def after_post(url, template, block, **context):
    """After a successful POST: htmx swaps the updated ``block`` in place; a plain
    form post (no JavaScript) is redirected to ``url`` (post/redirect/get)."""
    if wants_fragment():
        return render(template, block, **context)
    return redirect(url)
