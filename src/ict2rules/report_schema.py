"""The JSON Schema of ``Report.to_dict()`` (``--format json``), written by hand: it is a
promise to other systems, so it changes only on purpose."""

from __future__ import annotations

from typing import Any

_TEXT = {
    "type": "object",
    "required": ["zh", "en"],
    "properties": {"zh": {"type": "string"}, "en": {"type": "string"}},
}
_SUBJECT = {
    "type": "object",
    "required": ["level", "id"],
    "properties": {
        "level": {"enum": ["teacher", "school", "project", "region"]},
        "id": {"type": "string"},
        "name": {"type": ["string", "null"]},
        "school": {"type": ["string", "null"]},
    },
}
_STATUS = {"enum": ["pass", "fail", "not_applicable", "missing_data", "pending"]}

REPORT_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "ict2rules report",
    "type": "object",
    "required": ["version", "ruleset", "as_of", "passed", "summary", "findings", "values"],
    "properties": {
        "version": {"const": 1},
        "ruleset": {
            "type": "object",
            "required": ["id", "title", "document", "chain"],
            "properties": {
                "id": {"type": "string"},
                "title": _TEXT,
                "document": {"type": "object"},
                "chain": {"type": "array", "items": {"type": "string"}},
            },
        },
        "as_of": {"type": "string", "format": "date"},
        "inputs": {"type": "array", "items": {"type": "string"}},
        "passed": {"type": "boolean"},
        "summary": {
            "type": "object",
            "required": ["passed", "subjects", "teachers", "findings", "errors", "warnings"],
            "properties": {
                "passed": {"type": "boolean"},
                "subjects": {"type": "object", "additionalProperties": {"type": "integer"}},
                "teachers": {
                    "type": "object",
                    "required": ["checked", "passed", "failed", "pass_rate"],
                    "properties": {
                        "checked": {"type": "integer"},
                        "passed": {"type": "integer"},
                        "failed": {"type": "integer"},
                        "pending": {"type": "integer"},
                        "pass_rate": {"type": ["number", "null"]},
                    },
                },
                "findings": {"type": "object", "additionalProperties": {"type": "integer"}},
                "errors": {"type": "integer"},
                "warnings": {"type": "integer"},
                "skipped_rows": {"type": "integer"},
            },
        },
        "findings": {
            "type": "array",
            "items": {
                "type": "object",
                "required": [
                    "rule",
                    "title",
                    "subject",
                    "status",
                    "severity",
                    "expected",
                    "actual",
                    "message",
                    "source",
                ],
                "properties": {
                    "rule": {"type": "string"},
                    "title": _TEXT,
                    "subject": _SUBJECT,
                    "status": _STATUS,
                    "severity": {"enum": ["error", "warning", "info"]},
                    "expected": {},
                    "actual": {},
                    "detail": {"type": ["object", "null"]},
                    "message": _TEXT,
                    "source": {
                        "type": "object",
                        "required": ["section", "quote"],
                        "properties": {
                            "document": {"type": ["string", "null"]},
                            "section": {"type": "string"},
                            "quote": {"type": "string"},
                        },
                    },
                    "note": {"type": ["string", "null"]},
                    "parameters": {"type": "object"},
                    "defined_in": {"type": "string"},
                },
            },
        },
        "values": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["id", "subject", "value"],
                "properties": {"id": {"type": "string"}, "subject": _SUBJECT, "value": {}},
            },
        },
    },
}
