"""05 信用管理 in admin, one module per area: the rules, the ledger and the scores (ledger.py), 信用承诺书
(commitment.py)."""

from .commitment import CommitmentLetterAdmin
from .ledger import CreditEventAdmin, CreditItemAdmin, CreditPolicyAdmin, CreditScoreAdmin

__all__ = [
    "CommitmentLetterAdmin",
    "CreditEventAdmin",
    "CreditItemAdmin",
    "CreditPolicyAdmin",
    "CreditScoreAdmin",
]
