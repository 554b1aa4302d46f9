"""05 信用管理's models: the rules and the ledger (ledger.py), the institution's applications —
加分申请, 申疑, 修复 — (applications.py) and the yearly 信用承诺书 (commitment.py)."""

from .applications import BonusApplication, CreditObjection, CreditRepair
from .commitment import CommitmentLetter
from .ledger import CreditEvent, CreditItem, CreditPolicy, CreditScore, CreditSnapshot

__all__ = [
    "BonusApplication",
    "CommitmentLetter",
    "CreditEvent",
    "CreditItem",
    "CreditObjection",
    "CreditPolicy",
    "CreditRepair",
    "CreditScore",
    "CreditSnapshot",
]
