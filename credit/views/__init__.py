"""05 信用管理 in the workspace, one module per area: the result and the portrait (results.py), the
commitment letter (commitment.py), the applications — 加分申请, 申疑, 修复 — (applications.py). Every view
is behind `credit.access.credit_member_required`, and every object comes through a selector filtered by
the current institution (another institution's is a 404)."""

# The section's tabs (credit/workspace/includes/tabs.html): URL name and title, in the manual's order.
SECTION_TABS = [
    ("credit:home", "信用评价结果"),
    ("credit:portrait", "信用画像"),
    ("credit:bonus_list", "加分申请"),
    ("credit:commitment", "信用承诺书"),
    ("credit:repair_list", "信用修复"),
]
