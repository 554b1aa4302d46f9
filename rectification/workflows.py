"""The rectification order's lifecycle, declared on the kit (sujt.core.workflow).

待整改 → 已提交 → 整改完成; 已提交 → 已退回 → 已提交; 待整改 / 已退回 → 逾期 by the deadline job. An
overdue order can still be answered and accepted: 逾期 → 已提交 → 整改完成, and the order keeps its
`overdue_at` (逾期整改) after that.
"""

from sujt.core.workflow import Notice, Side, Tone, Transition, Workflow

from .choices import OrderStatus

S = OrderStatus

ORDER_WORKFLOW = Workflow(
    name="rectification.order",
    states=OrderStatus,
    transitions=[
        Transition(
            "submit",
            source={S.OPEN, S.RETURNED, S.OVERDUE},
            target=S.SUBMITTED,
            side=Side.INSTITUTION,
            label="提交整改",
            submits=True,
            notice_to_reviewers=Notice(
                "整改待审核：{thing}", "{institution}提交了{thing}的整改材料，请及时审核。"
            ),
        ),
        Transition(
            "accept",
            source={S.SUBMITTED},
            target=S.ACCEPTED,
            side=Side.CITY,
            label="整改完成",
            notice_to_institution=Notice(
                "整改完成：{thing}", "您单位提交的{thing}整改材料已审核通过，整改完成。"
            ),
        ),
        Transition(
            "return",
            source={S.SUBMITTED},
            target=S.RETURNED,
            side=Side.CITY,
            label="退回",
            comment_required=True,
            notice_to_institution=Notice(
                "整改被退回：{thing}", "您单位提交的{thing}整改材料被退回，请按审核意见继续整改后重新提交。"
            ),
        ),
        Transition(
            "overdue",
            source={S.OPEN, S.RETURNED},
            target=S.OVERDUE,
            side=Side.SYSTEM,
            label="标记逾期",
            notify=(),  # the service tells the institution and the regulator who issued the order
        ),
    ],
    tones={
        S.OPEN: Tone.WARNING,
        S.SUBMITTED: Tone.INFO,
        S.RETURNED: Tone.WARNING,
        S.OVERDUE: Tone.DANGER,
        S.ACCEPTED: Tone.SUCCESS,
    },
    editable={S.OPEN, S.RETURNED, S.OVERDUE},
)
