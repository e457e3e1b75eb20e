"""JSON API helpers: input parsing with pydantic, pagination, and the generated OpenAPI 3.1.

Each endpoint is decorated with :func:`endpoint`, which records its summary, request and
response models and statuses on the view; ``GET /api/v1/openapi.json`` is assembled from
the real URL map and those records, so the description cannot drift from the routes.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from flask import Blueprint, current_app, jsonify, request
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic.json_schema import models_json_schema

from app.access import PUBLIC, SIGNED_IN, allow
from app.errors import DomainError, Invalid
from app.inputs import out_of_range

M = TypeVar("M", bound=BaseModel)

MAX_PER_PAGE = 100


class Schema(BaseModel):
    """Base for API input models: unknown fields are errors, strings are stripped."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ErrorBody(BaseModel):
    code: str
    message: str
    field: str | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody


def endpoint(summary: str, *, body: type[BaseModel] | None = None,
             query: type[BaseModel] | None = None, response: type[BaseModel] | None = None,
             status: int = 200, errors: tuple[int, ...] = (), tags: tuple[str, ...] = (),
             form: bool = False, also: tuple[int, ...] = (), media: dict[str, dict] | None = None):
    """Record an API view's contract for the OpenAPI description.

    ``media``: other media types the success answer may take, with their schemas (e.g. a PDF
    copy chosen by a query parameter).

    ``also``: other success statuses answered with the same ``response`` body (e.g. 200 for a
    repeated upload and 202 for one queued, next to 201).
    """

    def decorator(view):
        view.openapi = {
            "summary": summary, "body": body, "query": query, "response": response,
            "status": status, "errors": errors, "tags": tags, "form": form, "also": also, "media": media or {},
        }
        return view

    return decorator


def _field_of(error: dict) -> str | None:
    loc = [str(part) for part in error.get("loc", ()) if not isinstance(part, int)]
    return ".".join(loc) or None


def _validation_error(exc: ValidationError) -> Invalid:
    first = exc.errors()[0]
    message = first.get("msg", "invalid value")
    if message.startswith("Value error, "):
        message = message.removeprefix("Value error, ")
    return Invalid(message, code="invalid", field=_field_of(first))


def parse_body(model: type[M]) -> M:
    """Parse the JSON body into ``model``: 400 if it is not JSON, 422 if a value is wrong."""
    data = request.get_json(silent=True)
    if data is None:
        raise DomainError("The request body must be a JSON object.", code="malformed_json", status=400)
    if not isinstance(data, dict):
        raise DomainError("The request body must be a JSON object.", code="malformed_json", status=400)
    _check_numbers(data)
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _validation_error(exc) from None


def _check_numbers(data) -> None:
    """Refuse any number no id, count or amount can reach (422 naming the field)."""
    field = out_of_range(data)
    if field is not None:
        raise Invalid("This number is out of range.", code="out_of_range", field=field or None)


def parse_query(model: type[M]) -> M:
    """Parse query-string arguments into ``model`` (422 on a bad value)."""
    raw = {key: request.args.get(key) for key in request.args}
    try:
        parsed = model.model_validate(raw)
    except ValidationError as exc:
        raise _validation_error(exc) from None
    _check_numbers(parsed.model_dump())
    return parsed


MAX_PAGE = 10_000


class PageQuery(Schema):
    model_config = ConfigDict(extra="ignore")
    page: int = Field(default=1, ge=1, le=MAX_PAGE)
    per_page: int = Field(default=20, ge=1, le=MAX_PER_PAGE)


def page_of(items: list, *, page: int, per_page: int, total: int) -> dict:
    return {"items": items, "page": page, "per_page": per_page, "total": total}


def created(payload: dict):
    response = jsonify(payload)
    response.status_code = 201
    return response


# --- OpenAPI ------------------------------------------------------------------------------

openapi_bp = Blueprint("openapi", __name__, url_prefix="/api/v1")

_ROLE_TEXT = {PUBLIC: "public", SIGNED_IN: "any signed-in user"}


def _path_of(rule: str) -> tuple[str, list[dict]]:
    from app.inputs import MAX_ID

    params = []

    def repl(match: re.Match) -> str:
        converter, arguments, name = match.group(1), match.group(2), match.group(3)
        if converter == "int":
            schema: dict[str, Any] = {"type": "integer", "minimum": 0, "maximum": MAX_ID}
        elif converter == "any" and arguments:   # <any(accept, decline):answer>
            schema = {"type": "string", "enum": [word.strip(" '\"") for word in arguments.split(",")]}
        else:
            schema = {"type": "string"}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
        return "{" + name + "}"

    return re.sub(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>", repl, rule), params


def _api_operations():
    """(rule, view, contract, methods) of every documented ``/api/v1`` route."""
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1") or rule.endpoint.startswith("openapi."):
            continue
        view = current_app.view_functions[rule.endpoint]
        meta = getattr(view, "openapi", None) or {"summary": rule.endpoint, "status": 200}
        yield rule, view, meta, sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})


def _query_parameters(model: type[BaseModel]) -> list[dict]:
    properties = model.model_json_schema().get("properties", {})
    params = []
    for name, field in model.model_fields.items():
        schema = {k: v for k, v in properties.get(name, {}).items() if k not in ("title", "description")}
        # Query strings are text: anything non-integer is described as a string (with its bounds).
        if "anyOf" in schema:
            kinds = [option for option in schema["anyOf"] if option.get("type") != "null"]
            schema = kinds[0] if len(kinds) == 1 else {"type": "string"}
        if schema.get("type") not in ("integer", "string", "boolean"):
            schema = {"type": "string"}
        params.append({"name": name, "in": "query", "required": field.is_required(), "schema": schema,
                       **({"description": field.description} if field.description else {})})
    return params


def build_openapi() -> dict:
    """The OpenAPI 3.1 description of every registered ``/api/v1`` route.

    All models are rendered together (``models_json_schema``), so two models that share a
    class name in different packages get distinct component names instead of one silently
    replacing the other; request bodies are described as validated, responses as serialized
    (aliases such as ``class``).
    """
    operations = list(_api_operations())
    wanted: dict[tuple[type[BaseModel], str], None] = {(ErrorResponse, "serialization"): None}
    for _rule, _view, meta, _methods in operations:
        if meta.get("body"):
            wanted[(meta["body"], "validation")] = None
        if meta.get("response"):
            wanted[(meta["response"], "serialization")] = None
    refs, defs = models_json_schema(list(wanted), ref_template="#/components/schemas/{model}")
    components: dict[str, Any] = defs.get("$defs", {})
    error_ref = refs[(ErrorResponse, "serialization")]

    paths: dict[str, dict] = {}
    for rule, view, meta, methods in operations:
        path, params = _path_of(rule.rule)
        access = getattr(view, "access", ())
        for method in methods:
            op: dict[str, Any] = {
                "operationId": f"{rule.endpoint}.{method.lower()}",
                "summary": meta["summary"],
                "tags": list(meta.get("tags") or [rule.endpoint.split(".")[0]]),
                "parameters": list(params) + (_query_parameters(meta["query"]) if meta.get("query") else []),
                "x-access": sorted(_ROLE_TEXT.get(a, a) for a in access),
            }
            if meta.get("body"):
                content_type = "multipart/form-data" if meta.get("form") else "application/json"
                op["requestBody"] = {"required": True,
                                     "content": {content_type: {"schema": refs[(meta["body"], "validation")]}}}
            ok: dict[str, Any] = {"description": "OK"}
            if meta.get("response"):
                ok["content"] = {"application/json": {"schema": refs[(meta["response"], "serialization")]}}
            for media_type, schema in (meta.get("media") or {}).items():
                ok.setdefault("content", {})[media_type] = {"schema": schema}
            responses = {str(meta.get("status", 200)): ok}
            for status in meta.get("also") or ():
                responses[str(status)] = ok
            error_statuses = set(meta.get("errors") or ())
            if PUBLIC not in access:
                error_statuses |= {401, 403}
            if meta.get("body") or meta.get("query"):
                error_statuses |= {400, 422}
            if meta.get("body"):
                error_statuses |= {413}
            for status in sorted(error_statuses):
                responses[str(status)] = {"description": "Error",
                                          "content": {"application/json": {"schema": error_ref}}}
            op["responses"] = responses
            if PUBLIC not in access:
                op["security"] = [{"bearer": []}, {"cookie": []}]
            paths.setdefault(path, {})[method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "技能培训超市 Skills Training Supermarket API", "version": "1.0.0"},
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": dict(sorted(components.items())),
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "session"},
            },
        },
    }


@openapi_bp.get("/openapi.json")
@allow(PUBLIC)
def openapi_json():
    return jsonify(build_openapi())
