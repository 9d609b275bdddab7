"""Report: the result of `wirelint check`; reporters are pure functions from a Report to text."""

from __future__ import annotations

import json
from collections import Counter
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from ..analyzer.discovery import LINE_BREAK_RE, read_source
from ..rules.base import Finding

CHECK_JSON_VERSION = 1


@dataclass(frozen=True, slots=True)
class Report:
    findings: tuple[Finding, ...]  # sorted by path, line, column, code
    files: int
    parse_errors: int
    suppressed: int = 0
    baselined: int = 0  # findings hidden because the baseline records them
    fixed: int = 0  # baseline entries that no longer occur (removable with --write-baseline)
    source_lines: dict[tuple[str, int], str] = field(default_factory=dict)  # (path, line) -> text, for frames
    # `# wirelint: ignore[...]` comments on reported lines naming no rule: (path, line, code)
    unknown_suppressions: tuple[tuple[str, int, str], ...] = ()

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
                "fixable": f.fixable,
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


def render_concise(report: Report, *, summary: bool = True) -> str:
    """One line per finding: `path:line:col: CODE [name] message`."""
    lines = [
        f"{visible(f.location.path)}:{f.location.line}:{f.location.column}: {f.code} [{f.name}] {visible(f.message)}"
        for f in report.findings
    ]
    if summary:
        lines.append(_summary_line(report))
    return "".join(line + "\n" for line in lines)


_CONTROL_RE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def visible(text: str) -> str:
    """Control characters (terminal escapes, bidi overrides, line breaks: a file named `x\\n...` must not
    forge a line of its own) shown as `\\x1b`-style escapes, never emitted; so are the lone surrogates that
    stand for the undecodable bytes of a file name (`caf\\udce9.py`), which no UTF-8 output can encode."""
    return _CONTROL_RE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def render_text(report: Report, *, summary: bool = True, color: bool = False) -> str:
    """Each finding as `path:line:col: CODE message`, the offending line with a caret, related locations.
    `color` adds ANSI styles (for a terminal that wants them: the CLI checks isatty and NO_COLOR)."""
    from io import StringIO

    from rich.console import Console
    from rich.text import Text

    buffer = StringIO()
    console = Console(file=buffer, force_terminal=color, color_system="standard" if color else None,
                      width=10_000, highlight=False, soft_wrap=True)
    for f in report.findings:
        location = f.location
        console.print(Text.assemble(
            (f"{visible(location.path)}:{location.line}:{location.column}:", "bold"), " ",
            (f.code, "bold red" if f.severity == "error" else "bold yellow"), f" [{f.name}] ", visible(f.message)))
        text = report.source_lines.get((location.path, location.line))
        if text is not None:
            gutter = str(location.line)
            console.print(Text.assemble((f"  {gutter} | ", "blue"), visible(text.rstrip())))
            console.print(Text.assemble((f"  {' ' * len(gutter)} | ", "blue"),
                                        (f"{' ' * max(location.column - 1, 0)}^", "bold red")))
        for related in f.related:
            console.print(Text.assemble(("  = ", "blue"), f"{visible(related.location.path)}:"
                                        f"{related.location.line}: {visible(related.message)}"))
        if f.fix is not None:
            console.print(Text.assemble(("  help: ", "bold cyan"), visible(f.fix)))
        if f.fixable is not None:
            how = "--fix" if f.fixable == "safe" else "--fix --unsafe-fixes"
            console.print(Text.assemble(("  fix: ", "bold green"), f"`wirelint check {how}` rewrites it"))
        console.print()
    if summary:
        console.print(Text(_summary_line(report) + _fixable_line(report), style="bold"))
    return buffer.getvalue()


def _fixable_line(report: Report) -> str:
    safe = sum(1 for f in report.findings if f.fixable == "safe")
    unsafe = sum(1 for f in report.findings if f.fixable == "unsafe")
    if safe:
        return f"\n{safe} fixable with `--fix`" + (f" ({unsafe} more with `--unsafe-fixes`)" if unsafe else "") + "."
    return f"\n{unsafe} fixable with `--fix --unsafe-fixes`." if unsafe else ""


_SUPPRESSION_RE = re.compile(r"#\s*wirelint:\s*ignore(?:\[(?P<codes>[A-Za-z0-9_,\s]*)\])?")


def make_report(findings: list[Finding], files: int, parse_errors: int) -> Report:
    """Apply inline suppressions (`# wirelint: ignore[DI002]` or bare `# wirelint: ignore` on the reported
    line) and keep the reported lines for code frames."""
    cache: dict[str, list[str] | None] = {}

    def line_of(path: str, number: int) -> str | None:
        if path not in cache:
            try:
                cache[path] = python_lines(read_source(Path(path)))
            except OSError:
                cache[path] = None
        lines = cache[path]
        return lines[number - 1] if lines is not None and 0 < number <= len(lines) else None

    from ..rules import all_rules

    known = {rule.code for rule in all_rules()}
    kept: list[Finding] = []
    suppressed = 0
    source_lines: dict[tuple[str, int], str] = {}
    unknown: set[tuple[str, int, str]] = set()
    for finding in findings:
        text = line_of(finding.location.path, finding.location.line)
        if text is not None and finding.code != "DI000":
            match = _SUPPRESSION_RE.search(text)
            codes = {code.strip().upper() for code in match["codes"].split(",") if code.strip()} \
                if match and match["codes"] is not None else set()
            unknown.update((finding.location.path, finding.location.line, code) for code in codes
                           if code not in known)  # inline ignores take whole codes, not prefixes
            if match and (match["codes"] is None or finding.code in codes):
                suppressed += 1
                continue
        if text is not None:
            source_lines[(finding.location.path, finding.location.line)] = text
        kept.append(finding)
    return Report(tuple(kept), files, parse_errors, suppressed=suppressed, source_lines=source_lines,
                  unknown_suppressions=tuple(sorted(unknown)))


def python_lines(data: bytes) -> list[str]:
    """The lines of a source file as Python numbers them: decoded as the interpreter decodes it (BOM, PEP 263
    coding line), broken only at \\n, \\r\\n and \\r (str.splitlines also breaks at form feeds, \\x1c-\\x1e,
    \\x85 and \\u2028, which would shift every later line)."""
    import io
    import tokenize

    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        text = data.decode(encoding, errors="replace")
    except (SyntaxError, LookupError):
        text = data.decode("utf-8", errors="replace")
    return LINE_BREAK_RE.split(text.removeprefix("\ufeff"))


def _summary_line(report: Report) -> str:
    notes = []
    if report.suppressed:
        notes.append(f"{report.suppressed} suppressed inline")
    if report.baselined:
        notes.append(f"{report.baselined} in the baseline")
    note = f" ({'; '.join(notes)})" if notes else ""
    if not report.findings:
        line = f"All clear: {report.files} file{'s' if report.files != 1 else ''} checked, no findings{note}."
    else:
        counts = ", ".join(f"{code}: {count}" for code, count in report.by_code.items())
        plural = "s" if len(report.findings) != 1 else ""
        files = f"{report.files} file{'s' if report.files != 1 else ''}"
        line = f"Found {len(report.findings)} finding{plural} in {files} ({counts}){note}."
    if report.fixed:
        line += (f"\n{report.fixed} baseline entr{'ies' if report.fixed != 1 else 'y'} no longer occur"
                 f"{'s' if report.fixed == 1 else ''}: rerun with --write-baseline to remove "
                 f"{'them' if report.fixed != 1 else 'it'}.")
    return line


_NUMBERS_RE = re.compile(r"\d+")


def fingerprints(report: Report) -> dict[Finding, str]:
    """A fingerprint per finding, stable across edits elsewhere in the file: a hash of the code, the path,
    the reported line's text (whitespace-normalized) and the message without numbers, then `:N` counting
    identical ones in order, so that every finding's fingerprint is unique (GitLab merges equal ones)."""
    import hashlib

    result: dict[Finding, str] = {}
    seen: Counter[str] = Counter()
    for finding in report.findings:
        text = " ".join(report.source_lines.get((finding.location.path, finding.location.line), "").split())
        message = _NUMBERS_RE.sub("#", finding.message)
        digest = hashlib.sha256(f"{finding.code}\0{finding.location.path}\0{text}\0{message}"
                                .encode("utf-8", "surrogateescape")).hexdigest()  # file names need not be UTF-8
        base = digest[:24]
        result[finding] = f"{base}:{seen[base]}"
        seen[base] += 1
    return result


def render_sarif(report: Report, rules: list, root_uri: str, version: str) -> str:
    """SARIF 2.1.0 with the rule catalogue as tool.driver.rules, relative URIs under %SRCROOT%."""
    index_of = {rule.code: position for position, rule in enumerate(rules)}
    level = {"error": "error", "warning": "warning"}
    driver_rules = [
        {
            "id": rule.code,
            "name": "".join(part.title() for part in rule.name.split("-")),
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": rule.explanation.split("## Why is this bad?")[0]
                                .replace("## What it does", "").strip()},
            "help": {"text": rule.explanation, "markdown": rule.explanation},
            "defaultConfiguration": {"level": level[rule.severity]},
            "properties": {"tags": ["dependency-injection", "fastapi"]},
        }
        for rule in rules
    ]
    results = []
    prints = fingerprints(report)
    for finding in report.findings:
        result = {
            "ruleId": finding.code,
            "level": level[finding.severity],
            "message": {"text": finding.message},
            "locations": [_sarif_location(finding.location)],
            "partialFingerprints": {"primaryLocationLineHash": prints[finding]},
        }
        if finding.code in index_of:
            result["ruleIndex"] = index_of[finding.code]
        if finding.related:
            result["relatedLocations"] = [
                {**_sarif_location(related.location), "id": number, "message": {"text": related.message}}
                for number, related in enumerate(finding.related)
            ]
        results.append(result)
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "wirelint", "version": version, "rules": driver_rules}},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": root_uri}},
            "results": results,
        }],
    }
    return json.dumps(document, indent=2) + "\n"


def _sarif_location(location) -> dict:
    region = {"startLine": max(location.line, 1), "startColumn": max(location.column, 1)}
    # A URI reference: spaces, `%`, `#`, non-ASCII and the raw bytes of a non-UTF-8 file name percent-encoded.
    uri = quote(location.path.encode("utf-8", "surrogateescape"), safe="/")
    return {"physicalLocation": {"artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                                 "region": region}}


def _escape_data(text: str) -> str:
    """Workflow-command data: `%`, CR and LF percent-encoded as GitHub's toolkit does; other control
    characters (terminal escapes in the log) and undecodable file-name bytes made visible."""
    return visible(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: Report) -> str:
    """GitHub Actions workflow commands: one annotation per finding."""
    lines = []
    for f in report.findings:
        command = "error" if f.severity == "error" else "warning"
        properties = (f"file={_escape_property(f.location.path)},line={f.location.line},col={f.location.column},"
                      f"title={_escape_property(f'{f.code} {f.name}')}")
        lines.append(f"::{command} {properties}::{_escape_data(f.message)}")
    return "\n".join(lines) + ("\n" if lines else "")


def render_statistics(report: Report) -> str:
    """Counts per code, most frequent first (ruff's --statistics shape), then what the baseline hid or lost."""
    counts = Counter((f.code, f.name) for f in report.findings)
    lines = [f"{count:>5}  {code}  {name}" for (code, name), count in
             sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
    if report.baselined:
        lines.append(f"{report.baselined:>5}  hidden by the baseline")
    if report.fixed:
        lines.append(f"{report.fixed:>5}  fixed: baseline entries that no longer occur (rerun --write-baseline)")
    return "\n".join(lines) + ("\n" if lines else "")


def render_junit(report: Report, codes: list[str] = ()) -> str:
    """JUnit XML: one failing test case per rule and file with findings, listing them, and one passing case per
    rule of `codes` that found nothing (Jenkins refuses a report without a test case: a clean run has some)."""
    from xml.etree import ElementTree

    cases: dict[tuple[str, str], list[Finding]] = {}
    for finding in report.findings:
        cases.setdefault((finding.code, finding.location.path), []).append(finding)
    clean = sorted(set(codes) - {code for code, _ in cases})
    tests = str(len(cases) + len(clean))
    suite = ElementTree.Element("testsuite", name="wirelint", tests=tests, failures=str(len(cases)), errors="0")

    def xml(text: str) -> str:  # what XML 1.0 cannot carry (control characters, surrogates), made visible
        return visible(text).replace("\ufffe", "\\ufffe").replace("\uffff", "\\uffff")

    for (code, path), findings in sorted(cases.items()):
        case = ElementTree.SubElement(suite, "testcase", classname=code, name=xml(path), file=xml(path))
        failure = ElementTree.SubElement(case, "failure", type=code,
                                         message=f"{len(findings)} finding{'s' if len(findings) != 1 else ''}")
        failure.text = "\n".join(f"{xml(f.location.path)}:{f.location.line}:{f.location.column}: {xml(f.message)}"
                                 for f in findings)
    for code in clean:
        ElementTree.SubElement(suite, "testcase", classname=code, name="no findings")
    root = ElementTree.Element("testsuites", name="wirelint", tests=tests, failures=str(len(cases)))
    root.append(suite)
    return ElementTree.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


def render_gitlab(report: Report) -> str:
    """GitLab Code Quality JSON (a list of issues with fingerprints)."""
    severity = {"error": "major", "warning": "minor"}
    prints = fingerprints(report)
    issues = [
        {
            "description": f"{f.code} {f.message}",
            "check_name": f"{f.code} {f.name}",
            "fingerprint": prints[f],
            "severity": severity[f.severity],
            "location": {"path": f.location.path, "lines": {"begin": f.location.line}},
        }
        for f in report.findings
    ]
    return json.dumps(issues, indent=2) + "\n"
