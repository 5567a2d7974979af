"""The closed vocabulary of rule kinds. Importing this package registers every kind.

>>> sorted(KINDS)[:4]
['all', 'any', 'bands', 'compare']
"""

from . import bands, dates, documents, grades, groups, logic, numbers, points, regions  # noqa: F401  (register)
from .base import KINDS, Check, Env, Kind, Outcome, Status, Subject
from .derive import DERIVATIONS

__all__ = ["DERIVATIONS", "KINDS", "Check", "Env", "Kind", "Outcome", "Status", "Subject"]
