"""Report: the result of `wirelint check`; reporters are pure functions from a Report to text."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass

from ..rules.base import Finding

CHECK_JSON_VERSION = 1


@dataclass(frozen=True, slots=True)
class Report:
    findings: tuple[Finding, ...]  # sorted by path, line, column, code
    files: int
    parse_errors: int

    @property
    def by_code(self) -> dict[str, int]:
        return dict(sorted(Counter(finding.code for finding in self.findings).items()))


def render_json(report: Report) -> str:
    """The `wirelint check --format json` contract of DESIGN.md."""
    document = {
        "version": CHECK_JSON_VERSION,
        "tool": "wirelint",
        "findings": [
            {
                "code": f.code,
                "name": f.name,
                "severity": f.severity,
                "message": f.message,
                "path": f.location.path,
                "line": f.location.line,
                "column": f.location.column,
                "end_line": f.location.end_line,
                "end_column": f.location.end_column,
                "related": [
                    {"path": r.location.path, "line": r.location.line, "message": r.message} for r in f.related
                ],
                "fix": f.fix,
            }
            for f in report.findings
        ],
        "summary": {
            "files": report.files,
            "findings": len(report.findings),
            "by_code": report.by_code,
            "parse_errors": report.parse_errors,
        },
    }
    return json.dumps(document, indent=2) + "\n"


def render_concise(report: Report) -> str:
    """One line per finding: `path:line:col: CODE [name] message`."""
    lines = [
        f"{f.location.path}:{f.location.line}:{f.location.column}: {f.code} [{f.name}] {f.message}"
        for f in report.findings
    ]
    lines.append(_summary_line(report))
    return "\n".join(lines) + "\n"


def render_text(report: Report) -> str:
    """Grouped by file, each finding with its related locations."""
    out: list[str] = []
    current = None
    for f in report.findings:
        if f.location.path != current:
            current = f.location.path
            out.append(f"{current}")
        out.append(f"  {f.location.line}:{f.location.column}  {f.code} {f.severity}  {f.message}  [{f.name}]")
        for related in f.related:
            out.append(f"      {related.location.path}:{related.location.line}: {related.message}")
    if report.findings:
        out.append("")
    out.append(_summary_line(report))
    return "\n".join(out) + "\n"


def _summary_line(report: Report) -> str:
    if not report.findings:
        return f"All clear: {report.files} files checked, no findings."
    counts = ", ".join(f"{code}: {count}" for code, count in report.by_code.items())
    plural = "s" if len(report.findings) != 1 else ""
    return f"Found {len(report.findings)} finding{plural} in {report.files} files ({counts})."
