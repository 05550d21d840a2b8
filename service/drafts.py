"""``POST /v1/drafts``: the drafts of the filing documents as one zip archive.

The archive holds exactly the files ``algo-filing draft`` writes for the same answers, byte for
byte (:func:`engine.drafts.output.zip_drafts`), so a filer gets the same folder from the command
line and from an intake system.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from engine import Answers, Rulebook, assess

from .capacity import Capacity
from .contract import error_responses, json_body
from .limits import parse_json, read_body
from .routes import AsOf, Lang, _answers
from .settings import Settings

ZIP = "application/zip"


def _zip(answers: Answers, as_of: Any, lang: Any, book: Rulebook) -> bytes:
    from engine.drafts.compose import compose
    from engine.drafts.output import zip_drafts

    return zip_drafts(compose(answers, assess(answers, as_of=as_of, rulebook=book), lang))


def drafts_router(settings: Settings, book: Rulebook, dependencies: list[Any], capacity: Capacity) -> APIRouter:
    """The drafts route, behind the same ``dependencies`` (the token check) as the other /v1 routes."""
    router = APIRouter(prefix="/v1", dependencies=dependencies)

    @router.post("/drafts", summary="Drafts of the filing documents (.docx, .md, .ics) as a zip archive",
                 operation_id="drafts",
                 response_class=Response,
                 openapi_extra=json_body(Answers, "An answers document (schema: GET /v1/schema/answers)"),
                 responses={200: {"content": {ZIP: {"schema": {"type": "string", "format": "binary"}}},
                                  "description": "The drafts folder as a zip archive, the files of "
                                                 "`algo-filing draft` byte for byte"},
                            **error_responses(401, 413, 422, 500)})
    async def drafts(request: Request, as_of: AsOf = None, lang: Lang = "zh") -> Response:
        data = parse_json(await read_body(request, settings.max_body_bytes))
        answers = _answers(data, "request body")
        archive = await capacity.run(_zip, answers, as_of, lang, book)
        return Response(archive, media_type=ZIP,
                        headers={"Content-Disposition": 'attachment; filename="algo-filing-drafts.zip"'})

    return router
