"""Baseline: adopt wirelint on an existing codebase by recording today's findings and reporting only new ones.

A finding matches a baseline entry by code, path and fingerprint (a hash of the reported line's text and the
message, see `findings.fingerprints`), never by line number, so edits elsewhere in a file keep it matched.
Identical findings in one file are matched by count. Entries that match nothing are fixed findings, counted
so that the baseline can be rewritten smaller.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, replace

from .findings import Report, fingerprints

BASELINE_VERSION = 1


class BaselineError(ValueError):
    """The baseline file is not one wirelint wrote (the message says what is wrong)."""


@dataclass(frozen=True, slots=True)
class BaselineEntry:
    code: str
    path: str
    fingerprint: str  # without the `:N` occurrence suffix

    def key(self) -> tuple[str, str, str]:
        return (self.code, self.path, self.fingerprint)


def render_baseline(report: Report) -> str:
    """The baseline document for every finding of `report`: sorted, one entry per line, byte-stable."""
    prints = fingerprints(report)
    entries = []
    for finding in report.findings:
        entries.append({"code": finding.code, "path": finding.location.path,
                        "fingerprint": prints[finding].rsplit(":", 1)[0],
                        "line": finding.location.line, "message": finding.message})
    entries.sort(key=lambda e: (e["path"], e["line"], e["code"], e["fingerprint"]))
    body = ",\n".join("  " + json.dumps(entry, ensure_ascii=False, sort_keys=True) for entry in entries)
    return (f'{{"version": {BASELINE_VERSION}, "tool": "wirelint",\n "findings": [\n'
            + body + ("\n" if entries else "") + " ]}\n")


def parse_baseline(text: str) -> list[BaselineEntry]:
    """Entries of a baseline document; BaselineError for anything else."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise BaselineError(f"not JSON ({error.msg} at line {error.lineno})") from None
    if not isinstance(document, dict) or document.get("tool") != "wirelint" or "findings" not in document:
        raise BaselineError("not a wirelint baseline (write one with --write-baseline)")
    if document.get("version") != BASELINE_VERSION:
        raise BaselineError(f"baseline version {document.get('version')!r} is not {BASELINE_VERSION}")
    entries = []
    for number, item in enumerate(document["findings"]):
        if not isinstance(item, dict) or not all(isinstance(item.get(k), str) for k in ("code", "path", "fingerprint")):
            raise BaselineError(f"entry {number} needs string code, path and fingerprint")
        entries.append(BaselineEntry(item["code"], item["path"], item["fingerprint"]))
    return entries


def apply_baseline(report: Report, entries: list[BaselineEntry], in_scope=None) -> Report:
    """`report` without the findings the baseline records; `baselined` and `fixed` count what matched or not.
    `in_scope(code, path)` says which entries this run could have matched (default: all)."""
    remaining = Counter(entry.key() for entry in entries if in_scope is None or in_scope(entry.code, entry.path))
    prints = fingerprints(report)
    kept = []
    for finding in report.findings:
        key = (finding.code, finding.location.path, prints[finding].rsplit(":", 1)[0])
        if remaining[key] > 0:
            remaining[key] -= 1
        else:
            kept.append(finding)
    baselined = len(report.findings) - len(kept)
    return replace(report, findings=tuple(kept), baselined=baselined, fixed=sum(remaining.values()))
