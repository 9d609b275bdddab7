"""Every VALID / INVALID snippet of every rule: invalid gives exactly the expected code at the expected lines."""

from __future__ import annotations

import pytest

from wirelint.rules.base import Invalid, iter_examples, run_rules

EXAMPLES = list(iter_examples())


@pytest.mark.parametrize("rule, example", [(r, e) for _, r, e in EXAMPLES], ids=[i for i, _, _ in EXAMPLES])
def test_example(rule, example, analyze_project):
    files = example.files if isinstance(example.files, dict) else {"app.py": example.files}
    index = analyze_project(files)
    findings = run_rules(index, [rule()])
    assert {finding.code for finding in findings} <= {rule.code}
    got = sorted((finding.location.path, finding.location.line) for finding in findings)
    expected = example.expected() if isinstance(example, Invalid) else []
    assert got == expected, [finding.message for finding in findings]


def test_every_rule_documents_itself():
    from wirelint.rules import all_rules

    for rule in all_rules():
        for section in ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## References"):
            assert section in rule.explanation, (rule.code, section)
        assert rule.valid and rule.invalid, rule.code
        assert rule.name == rule.name.lower() and " " not in rule.name
