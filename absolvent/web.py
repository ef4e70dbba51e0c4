"""Rendering helpers: one place decides fragment or full page."""
from flask import make_response, redirect, render_template, request
from jinja2_fragments.flask import render_block


def wants_fragment():
    """True for an htmx request that is not a boosted navigation."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def render(template, block=None, status=200, push_url=False, **context):
    """Render ``template`` whole, or only its ``block`` for an htmx request.

    Returns a response with ``Vary: HX-Request`` so caches keep both apart.
    ``push_url`` puts the full request URL (with the search) into the browser's
    address bar and history, so a filtered list can be bookmarked and reloaded.
    """
    fragment = block and wants_fragment()
    body = render_block(template, block, **context) if fragment else render_template(template, **context)
    response = make_response(body, status)
    response.headers["Vary"] = "HX-Request"
    if fragment and push_url:
        response.headers["HX-Push-Url"] = request.full_path.rstrip("?")
    return response


def redirect_to(url):
    """Redirect after a successful POST; htmx gets HX-Redirect instead of a 302."""
    if request.headers.get("HX-Request") == "true":
        response = make_response("", 204)
        response.headers["HX-Redirect"] = url
        return response
    return redirect(url)
