"""The DI rules: one per file, each self-documenting with its own valid and invalid examples."""

from .base import Finding, Related, Rule, all_rules, rule_by_code, run_rules

__all__ = ["Finding", "Related", "Rule", "all_rules", "rule_by_code", "run_rules"]
