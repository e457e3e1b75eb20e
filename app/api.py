"""JSON API helpers: input parsing with pydantic, pagination, and the generated OpenAPI 3.1.

Each endpoint is decorated with :func:`endpoint`, which records its summary, request and
response models and statuses on the view; ``GET /api/v1/openapi.json`` is assembled from
the real URL map and those records, so the description cannot drift from the routes.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from flask import Blueprint, current_app, jsonify, request
from pydantic import BaseModel, ConfigDict, ValidationError

from app.access import PUBLIC, SIGNED_IN, allow
from app.errors import DomainError, Invalid

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
             form: bool = False):
    """Record an API view's contract for the OpenAPI description."""

    def decorator(view):
        view.openapi = {
            "summary": summary, "body": body, "query": query, "response": response,
            "status": status, "errors": errors, "tags": tags, "form": form,
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
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise _validation_error(exc) from None


def parse_query(model: type[M]) -> M:
    """Parse query-string arguments into ``model`` (422 on a bad value)."""
    raw = {key: request.args.get(key) for key in request.args}
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise _validation_error(exc) from None


class PageQuery(Schema):
    model_config = ConfigDict(extra="ignore")
    page: int = 1
    per_page: int = 20

    def model_post_init(self, _ctx: Any) -> None:
        if self.page < 1:
            raise Invalid("page starts at 1", field="page")
        if not 1 <= self.per_page <= MAX_PER_PAGE:
            raise Invalid(f"per_page must be between 1 and {MAX_PER_PAGE}", field="per_page")


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
    params = []

    def repl(match: re.Match) -> str:
        converter, name = match.group(1), match.group(2)
        schema = {"type": "integer"} if converter == "int" else {"type": "string"}
        params.append({"name": name, "in": "path", "required": True, "schema": schema})
        return "{" + name + "}"

    return re.sub(r"<(?:(\w+):)?(\w+)>", lambda m: repl(m), rule), params


def build_openapi() -> dict:
    """The OpenAPI 3.1 description of every registered ``/api/v1`` route."""
    components: dict[str, Any] = {}

    def ref(model: type[BaseModel]) -> dict:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in schema.pop("$defs", {}).items():
            components[name] = sub
        components[model.__name__] = schema
        return {"$ref": f"#/components/schemas/{model.__name__}"}

    ref(ErrorResponse)
    paths: dict[str, dict] = {}
    for rule in current_app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1") or rule.endpoint.startswith("openapi."):
            continue
        view = current_app.view_functions[rule.endpoint]
        meta = getattr(view, "openapi", None) or {"summary": rule.endpoint, "status": 200}
        path, params = _path_of(rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            op: dict[str, Any] = {
                "operationId": f"{rule.endpoint}.{method.lower()}",
                "summary": meta["summary"],
                "tags": list(meta.get("tags") or [rule.endpoint.split(".")[0]]),
                "parameters": list(params),
                "x-access": sorted(_ROLE_TEXT.get(a, a) for a in getattr(view, "access", ())),
            }
            if meta.get("query"):
                for name, field in meta["query"].model_fields.items():
                    op["parameters"].append({
                        "name": name, "in": "query", "required": field.is_required(),
                        "schema": {"type": "string"} if field.annotation is not int else {"type": "integer"},
                        **({"description": field.description} if field.description else {}),
                    })
            if meta.get("body"):
                content_type = "multipart/form-data" if meta.get("form") else "application/json"
                op["requestBody"] = {"required": True, "content": {content_type: {"schema": ref(meta["body"])}}}
            ok: dict[str, Any] = {"description": "OK"}
            if meta.get("response"):
                ok["content"] = {"application/json": {"schema": ref(meta["response"])}}
            responses = {str(meta.get("status", 200)): ok}
            error_statuses = set(meta.get("errors") or ())
            if PUBLIC not in getattr(view, "access", ()):
                error_statuses |= {401, 403}
            if meta.get("body") or meta.get("query"):
                error_statuses |= {400, 422}
            for status in sorted(error_statuses):
                responses[str(status)] = {
                    "description": "Error",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}},
                }
            op["responses"] = responses
            if PUBLIC not in getattr(view, "access", ()):
                op["security"] = [{"bearer": []}, {"cookie": []}]
            paths.setdefault(path, {})[method.lower()] = op
    return {
        "openapi": "3.1.0",
        "info": {"title": "技能培训超市 Skills Training Supermarket API", "version": "1.0.0"},
        "servers": [{"url": "/"}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "schemas": components,
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
