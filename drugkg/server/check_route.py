"""`GET /check`: the patient-profile check as a JSON API, and a small HTML form for people.

The queries run in the endpoint's query workers (with its time limit), like any SPARQL query.
The answer restates one source document and is not medical advice; it says so in every answer.
"""

from __future__ import annotations

import html
import json
from decimal import Decimal, InvalidOperation
from typing import Any

import anyio.from_thread
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from drugkg.check import NOTICE, Profile, Runner, check_profile, result_as_json
from drugkg.errors import DrugkgError
from drugkg.namespaces import resource_iri
from drugkg.server.clients import client_of

__all__ = ["check_route"]

_FLAGS = ("pregnant", "breastfeeding", "elderly")
_KNOWN = {"age", "route", "formulation", "condition", "drug", "format", *_FLAGS}
_CSP = "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'self'"


class _BadRequest(Exception):
    pass


def _flag(request: Request, name: str) -> bool:
    value = request.query_params.get(name, "false").strip().lower()
    if value not in ("true", "false", "1", "0", "on", "yes", "no", ""):
        raise _BadRequest(f"parameter {name!r} must be true or false, not {value!r}")
    return value in ("true", "1", "on", "yes")


def _age(text: str | None) -> Decimal | None:
    if text is None or not text.strip():
        return None
    try:
        age = Decimal(text.strip())
    except InvalidOperation:
        raise _BadRequest(f"age {text!r} is not a number of years") from None
    if not age.is_finite():
        raise _BadRequest(f"age {text!r} is not a number of years")
    return age


def _profile(request: Request) -> Profile:
    unknown = sorted(set(request.query_params) - _KNOWN)
    if unknown:
        raise _BadRequest(f"unknown parameter {unknown[0]!r}; expected: {', '.join(sorted(_KNOWN))}")
    q = request.query_params
    return Profile(
        age=_age(q.get("age")),
        route=q.get("route") or None,
        formulation=q.get("formulation") or None,
        conditions=tuple(c.strip() for v in q.getlist("condition") for c in v.split(",") if c.strip()),
        **{name: _flag(request, name) for name in _FLAGS},
    )


def _worker_runner(request: Request) -> Runner:
    """Runs the catalogue queries in the endpoint's workers, from the thread the check runs in."""
    from drugkg.check import _runner
    from drugkg.execution.jobs import QueryJob
    from drugkg.querying import with_values

    state = request.app.state
    client = client_of(request)

    def execute(text: str, bindings: Any) -> Any:
        job = QueryJob(text=with_values(text, bindings), format_key="json", max_rows=state.config.max_rows)
        body = anyio.from_thread.run(state.executor.run, job, client).body
        # plain JSON, not pyoxigraph objects: those must be dropped on the thread that made them
        bindings = json.loads(body)["results"]["bindings"]
        return [{name: cell["value"] for name, cell in row.items()} for row in bindings]

    return _runner(execute)


def _page(profile: Profile | None, answer: dict[str, Any] | None, error: str | None) -> str:
    e = html.escape
    p = profile or Profile()
    parts = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>drugkg patient check</title></head><body>",
        "<h1>Patient check</h1>",
        f"<p><strong>{e(NOTICE)}</strong></p>",
        "<form method='get' action='/check'>",
        f"<label>age <input name='age' value='{e(str(p.age or ''))}'></label> ",
        f"<label>route <input name='route' value='{e(p.route or '')}'></label> ",
        f"<label>formulation <input name='formulation' value='{e(p.formulation or '')}'></label> ",
        f"<label>condition <input name='condition' value='{e(', '.join(p.conditions))}'></label> ",
    ]
    for flag in _FLAGS:
        checked = " checked" if getattr(p, flag) else ""
        parts.append(f"<label><input type='checkbox' name='{flag}' value='true'{checked}> {flag}</label> ")
    parts.append("<input type='hidden' name='format' value='html'><button>check</button></form>")
    if error:
        parts.append(f"<p role='alert'>{e(error)}</p>")
    if answer:
        parts.append(f"<h2>applies ({len(answer['applies'])})</h2><ul>")
        for f in answer["applies"]:
            advice = "; ".join(
                a["text"] + (f" (who: {', '.join(a['actors'])})" if a["actors"] else "") for a in f["advice"]
            )
            parts.append(
                f"<li>[{e(f['kind'])}] {e(f['label'])}, certainty {e(f['certainty'])}, "
                f"source section {e('; '.join(f['source_sections']))}{': ' + e(advice) if advice else ''}</li>"
            )
        parts.append(f"</ul><h2>checked and did not apply ({len(answer['checked_and_not_applying'])})</h2><ul>")
        parts += [f"<li>[{e(n['kind'])}] {e(n['label'])}</li>" for n in answer["checked_and_not_applying"]]
        parts.append("</ul>")
    parts.append("</body></html>")
    return "".join(parts)


def _wants_html(request: Request) -> bool:
    fmt = request.query_params.get("format")
    if fmt:
        return fmt == "html"
    return "text/html" in request.headers.get("accept", "")


async def check_route(request: Request) -> Response:
    """The check for the profile in the query string; JSON by default, HTML for `format=html` or browsers."""
    from drugkg.execution import JobFailed, Unavailable
    from drugkg.server.protocol import unavailable

    wants_html = _wants_html(request)
    headers = {"Cache-Control": "no-store", "Vary": "Accept"}
    if wants_html:
        headers["Content-Security-Policy"] = _CSP
    profile: Profile | None = None
    try:
        profile = _profile(request)
        drug = request.query_params.get("drug", "baclofen")
        if not drug.replace("-", "").isalnum():
            raise _BadRequest(f"drug {drug!r} is not a drug id")
        if wants_html and not request.query_params:
            return HTMLResponse(_page(None, None, None), headers=headers)
        result = await run_in_threadpool(check_profile, _worker_runner(request), profile, resource_iri("drug", drug))
    except (_BadRequest, DrugkgError) as err:
        message = err.message if isinstance(err, DrugkgError) else str(err)
        expected = err.expected if isinstance(err, DrugkgError) else None
        if wants_html:
            return HTMLResponse(_page(profile, None, message), status_code=400, headers=headers)
        return JSONResponse(
            {"error": message, "expected": expected, "notice": NOTICE}, status_code=400, headers=headers
        )
    except Unavailable as err:
        return unavailable(err)
    except JobFailed as err:
        status = err.status if err.status < 500 else 503
        return JSONResponse({"error": err.message, "notice": NOTICE}, status_code=status, headers=headers)
    answer = result_as_json(result)
    if wants_html:
        return HTMLResponse(_page(profile, answer, None), headers=headers)
    return Response(json.dumps(answer, ensure_ascii=False, indent=2), media_type="application/json", headers=headers)
