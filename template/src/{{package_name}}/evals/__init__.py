"""Evaluation: the golden dataset, deterministic evaluators, thresholds and reports."""
