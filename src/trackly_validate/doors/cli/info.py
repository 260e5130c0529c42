"""The informational commands: ``endpoints``, ``segments``, ``codes``, ``schema``."""

from __future__ import annotations

import json
import sys
from typing import Any

from trackly_validate.contracts.routes import ROUTES
from trackly_validate.doors.cli.readers import InputError

__all__ = ["endpoint_rows", "print_endpoints", "print_segments", "print_codes", "print_schema"]

PHONE_BATCH = "POST /v1/phone/validate/batch"


def endpoint_rows() -> list[dict[str, Any]]:
    """Every modelled endpoint: method, path, summary, bulk field and its cap."""
    rows = []
    for route in ROUTES:
        items = "phones" if route.key == PHONE_BATCH else route.items
        rows.append({"method": route.method, "path": route.template, "summary": route.summary,
                     "items": items, "max_items": route.max_items})
    return rows


def print_endpoints(fmt: str) -> None:
    rows = endpoint_rows()
    if fmt == "json":
        sys.stdout.write(json.dumps(rows, ensure_ascii=False) + "\n")
        return
    width = max(len(r["path"]) for r in rows)
    for r in rows:
        bulk = f"  [{r['items']}: up to {r['max_items']:,}]" if r["items"] else ""
        sys.stdout.write(f"{r['method']:<6} {r['path']:<{width}}  {r['summary']}{bulk}\n")


def print_segments(text: str, fmt: str, parts: bool, mode: Any) -> None:
    from trackly_validate.rules.sms import analyze_sms, split_sms

    try:
        a = analyze_sms(text, mode=mode)
        pieces = split_sms(text, mode=mode) if parts else ()
    except ImportError:
        raise InputError("--graphemes needs the regex package: pip install regex") from None
    data: dict[str, Any] = {"encoding": a.encoding, "length": a.length, "segments": a.segments,
                            "per_segment": a.per_segment, "remaining": a.remaining,
                            "ucs2_chars": list(a.ucs2_chars)}
    if parts:
        # a part's length in the message's encoding (a GSM-only part of a UCS-2 message is UCS-2 too)
        data["parts"] = [{"units": analyze_sms(p).length if a.encoding == "GSM-7"
                          else len(p.encode("utf-16-le", "surrogatepass")) // 2, "text": p} for p in pieces]
    if fmt == "json":
        sys.stdout.write(json.dumps(data, ensure_ascii=False) + "\n")
        return
    for key, value in data.items():
        if key == "parts":
            for n, part in enumerate(value, 1):
                sys.stdout.write(f"part {n} ({part['units']} units): {json.dumps(part['text'], ensure_ascii=False)}\n")
            continue
        if key == "ucs2_chars":
            value = " ".join(value) if value else "-"
        sys.stdout.write(f"{key}: {value}\n")


def print_codes(fmt: str) -> None:
    from trackly_validate.core.catalog import CATALOG

    rows: list[dict[str, Any]] = [{"code": c.code, "status": c.status, "category": c.category, "local": c.local,
             "message": c.message} for c in CATALOG.values()]
    if fmt == "json":
        sys.stdout.write(json.dumps(rows, ensure_ascii=False) + "\n")
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("code", "status", "category", "local", "message", title="Trackly error codes")
    for r in rows:
        table.add_row(r["code"], str(r["status"]), r["category"], "yes" if r["local"] else "no", r["message"])
    Console(width=None if sys.stdout.isatty() else 200).print(table)


def print_schema(endpoint: str) -> None:
    from trackly_validate.rules.schema import request_schema
    from trackly_validate.doors.cli.check import endpoint_route  # (pulls in the pipeline: only this command needs it)

    route = endpoint_route(endpoint)
    sys.stdout.write(json.dumps(request_schema(route.model), indent=2, ensure_ascii=False) + "\n")
