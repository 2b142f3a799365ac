"""Tests that kill mutants a mutation run of the library (scripts/mutation.sh) found alive: each asserts something a
plausible wrong implementation gets wrong."""

from __future__ import annotations
