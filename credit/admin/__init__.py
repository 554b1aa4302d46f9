"""05 信用管理 in admin, one module per area: the rules, the ledger and the scores (ledger.py), 信用承诺书
(commitment.py), the review queues of 加分申请, 申疑 and 修复 (applications.py)."""

from .applications import BonusApplicationAdmin, CreditObjectionAdmin, CreditRepairAdmin
from .commitment import CommitmentLetterAdmin
from .ledger import CreditEventAdmin, CreditItemAdmin, CreditPolicyAdmin, CreditScoreAdmin

__all__ = [
    "BonusApplicationAdmin",
    "CommitmentLetterAdmin",
    "CreditEventAdmin",
    "CreditItemAdmin",
    "CreditObjectionAdmin",
    "CreditPolicyAdmin",
    "CreditRepairAdmin",
    "CreditScoreAdmin",
]
