"""The intake form at ``/``: one static page (``static/form.html``) with the vocabulary filled in.

The page loads nothing from outside (inline style and script, no font, no image) and builds
every text from data with ``textContent``, never as markup, so a lead named
``<script>…</script>`` is shown as those characters. The browser is held to that by a
Content-Security-Policy that allows only this page's own script (by its hash) and requests to
this service. The vocabulary (stable ids and their zh/en labels) is embedded once at start-up.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from importlib import resources

from engine import load_vocabulary

GROUPS = ("product_form", "audience", "opinion_feature", "user_group", "launch_status", "model_source", "behaviour",
          "algorithm_type", "role", "applicability")
"""The vocabulary groups the form offers as choices or shows in the triage row."""

_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def _embed(data: object) -> str:
    """JSON safe inside a ``<script>`` element: no ``<``, ``>`` or ``&`` can close it."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def form_page() -> tuple[str, dict[str, str]]:
    """The page's HTML and the response headers (its Content-Security-Policy) to serve it with."""
    template = resources.files("service").joinpath("static/form.html").read_text(encoding="utf-8")
    vocabulary = load_vocabulary()
    labels = {group: {key: text.model_dump() for key, text in vocabulary.groups[group].items()} for group in GROUPS}
    page = template.replace("__VOCABULARY__", _embed(labels))
    hashes = " ".join(f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'"
                      for s in _SCRIPT.findall(page))
    policy = (f"default-src 'none'; script-src {hashes}; style-src 'unsafe-inline'; connect-src 'self'; "
              "img-src 'self'; form-action 'none'; base-uri 'none'; frame-ancestors 'none'")
    return page, {"Content-Security-Policy": policy, "X-Content-Type-Options": "nosniff",
                  "Referrer-Policy": "no-referrer"}
