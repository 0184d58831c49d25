"""The API's OpenAPI document and its reference page, both readable without signing in.

Integrators read the reference before they have an account, and it says nothing an anonymous
caller cannot learn by calling the API, so both are public. The page is rendered on the server
from the same schema as `/api/v1/schema/`: no script and nothing from a CDN, so it also works
on the closed government networks the integrators sit on.
"""

import re

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_safe
from drf_spectacular.settings import spectacular_settings
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from .api import _DRF_CODES

API_PREFIX = "/api/v1/"


class ApiErrorSerializer(serializers.Serializer):
    """The body of every 4xx answer (`amanah.api.exception_handler`)."""

    code = serializers.CharField(help_text="Stable machine code, e.g. `bill.not_found`.")
    detail = serializers.CharField(help_text="Message in the request's language.")
    detail_ar = serializers.CharField(required=False,
                                      help_text="Arabic message (business-rule refusals).")
    detail_en = serializers.CharField(required=False,
                                      help_text="English message (business-rule refusals).")
    field = serializers.CharField(required=False,
                                  help_text="The input field at fault, when there is one.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False,
        help_text="Only with `validation_error`: the messages per input field.")

    class Meta:
        ref_name = "ApiError"


_ERROR_MEANING = {
    400: "Refused: invalid input (`validation_error`) or a business rule said no.",
    403: "Not signed in (`auth.not_authenticated`) or not allowed to do this.",
    404: "Not found, or not visible to the caller (the same answer, on purpose).",
    409: "Someone else changed the record first or is changing it now: reload and retry.",
    413: "The uploaded file is larger than the portal accepts (`upload.too_large`).",
    429: "Too many requests from this address (`rate_limited`): wait and retry.",
}


def api_errors(*statuses: int, **codes: str) -> dict[int, OpenApiResponse]:
    """Error responses for `@extend_schema(responses=...)`; `codes` adds the likely codes,
    keyed `e400`, `e404`..., to the standard meaning of each status."""
    return {
        status: OpenApiResponse(
            ApiErrorSerializer,
            description=_ERROR_MEANING[status]
            + (f" Codes: {codes[f'e{status}']}." if f"e{status}" in codes else ""))
        for status in statuses
    }


def only_api_v1(endpoints):
    """Preprocessing hook: the document covers the integration API and nothing else."""
    return [e for e in endpoints if e[0].startswith(API_PREFIX)]


def _schema() -> dict:
    generator = spectacular_settings.DEFAULT_GENERATOR_CLASS(
        urlconf=None, api_version=None, patterns=None)
    return generator.get_schema(request=None, public=True)


def _inline_md(text: str) -> str:
    html = escape(text)
    html = re.sub(r"`([^`]+)`", r"<code>\1</code>", html)
    html = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", html)
    return re.sub(r"(?<![\w*])\*([^*\s][^*]*)\*(?![\w*])", r"<em>\1</em>", html)


def _md(text: str) -> str:
    """The little Markdown the schema's texts use: paragraphs, `* ` lists (drf-spectacular
    lists enum choices so), `code`, **bold**, *emphasis*. Each piece is escaped first."""
    blocks = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if lines and all(line.startswith("* ") for line in lines):
            items = "".join(f"<li>{_inline_md(line[2:])}</li>" for line in lines)
            blocks.append(f"<ul>{items}</ul>")
        elif lines:
            blocks.append("<p>" + "<br>".join(_inline_md(line) for line in lines) + "</p>")
    return mark_safe("".join(blocks))  # noqa: S308 - every piece is escaped in _inline_md


def _ref_name(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _type(schema: dict) -> dict:
    """How a schema reads in the page: a label, and the component it links to if any."""
    if not schema:
        return {"label": "any", "ref": None}
    if "$ref" in schema:
        name = _ref_name(schema["$ref"])
        return {"label": name, "ref": name}
    for key in ("allOf", "oneOf", "anyOf"):
        if key in schema:
            parts = [_type(s) for s in schema[key]]
            ref = next((p["ref"] for p in parts if p["ref"]), None)
            label = " | ".join(p["label"] for p in parts)
            if schema.get("nullable"):
                label += " | null"
            return {"label": label, "ref": ref}
    kind = schema.get("type", "object")
    if kind == "array":
        inner = _type(schema.get("items", {}))
        label, ref = f"array of {inner['label']}", inner["ref"]
    elif kind == "object" and "additionalProperties" in schema:
        inner = _type(schema["additionalProperties"]
                      if isinstance(schema["additionalProperties"], dict) else {})
        label, ref = f"map of {inner['label']}", inner["ref"]
    else:
        label, ref = kind, None
    if schema.get("format"):
        label += f" ({schema['format']})"
    if schema.get("enum"):
        label += ": " + ", ".join(str(v) for v in schema["enum"] if v not in ("", None))
    if schema.get("nullable"):
        label += " | null"
    return {"label": label, "ref": ref}


def _parameters(operation: dict) -> list[dict]:
    return [{
        "name": p["name"], "where": p["in"], "required": p.get("required", False),
        "type": _type(p.get("schema", {})), "description": _md(p.get("description", "")),
    } for p in operation.get("parameters", [])]


def _content(body: dict) -> list[dict]:
    return [{"media_type": media, "type": _type(spec.get("schema", {}))}
            for media, spec in body.get("content", {}).items()]


def _operations(schema: dict) -> list[dict]:
    operations = []
    for path, methods in schema.get("paths", {}).items():
        for method, operation in methods.items():
            public = {} in operation.get("security", [])
            operations.append({
                "anchor": operation["operationId"],
                "method": method.upper(), "path": path,
                "summary": operation.get("summary", ""),
                "description": _md(operation.get("description", "")),
                "tag": (operation.get("tags") or [""])[0],
                "public": public,
                "parameters": _parameters(operation),
                "request": _content(operation.get("requestBody", {})),
                "request_required": operation.get("requestBody", {}).get("required", False),
                "responses": [{"status": status,
                               "description": _md(r.get("description", "")
                                                  or ("Done." if status.startswith("2") else "")),
                               "content": _content(r)}
                              for status, r in operation.get("responses", {}).items()],
            })
    return operations


def _components(schema: dict) -> list[dict]:
    components = []
    for name, component in sorted(schema.get("components", {}).get("schemas", {}).items()):
        required = set(component.get("required", []))
        components.append({
            "name": name,
            "description": _md(component.get("description", "")),
            "type": _type(component) if "properties" not in component else None,
            "properties": [{
                "name": prop, "type": _type(spec), "required": prop in required,
                "read_only": spec.get("readOnly", False),
                "description": _md(spec.get("description", "")),
            } for prop, spec in component.get("properties", {}).items()],
        })
    return components


@require_safe
def api_docs(request):
    """The reference page, server-rendered from the schema; the same in every language."""
    # One page for everyone (it sits outside /ar/ and /en/): English text, Arabic headings.
    with translation.override("en"):
        schema = _schema()
        generic_codes = [{"code": "validation_error", "status": 400,
                          "meaning": _md("Invalid input; `errors` says what, per field.")}]
        generic_codes += [{"code": code, "status": exc.status_code,
                           "meaning": _md(str(exc.default_detail))}
                          for exc, code in _DRF_CODES.items()]
        # Rendered without the request: the portal's shell context (who is signed in, the
        # menu) has no place on this page, and the page must not differ by caller.
        html = render_to_string("amanah/api_docs.html", {
            "info": schema["info"],
            "description": _md(schema["info"].get("description", "")),
            "openapi": schema["openapi"],
            "operations": _operations(schema),
            "components": _components(schema),
            "security_schemes": schema.get("components", {}).get("securitySchemes", {}),
            "generic_codes": generic_codes,
        })
    return HttpResponse(html)
