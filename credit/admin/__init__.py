"""05 信用管理 in admin, one module per area: the rules, the ledger and the scores (ledger.py)."""

from .ledger import CreditEventAdmin, CreditItemAdmin, CreditPolicyAdmin, CreditScoreAdmin

__all__ = ["CreditEventAdmin", "CreditItemAdmin", "CreditPolicyAdmin", "CreditScoreAdmin"]
