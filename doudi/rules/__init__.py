"""Framework-free rules: dated regional parameters, rule definitions, assess and explain.

Every decision about who gets what and how much comes from here (docs/design.md §1.1). No
Django imports in this package: the web form, the batch, the simulation and outside test
suites all call `assess` / `explain` below.
"""

from doudi.rules.engine import assess
from doudi.rules.errors import RulesError
from doudi.rules.explain import explain

__all__ = ["RulesError", "assess", "explain"]
