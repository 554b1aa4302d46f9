"""The report assignment's lifecycle, declared on the kit (sujt.core.workflow).

未填报 → 草稿 (first save) → 待审核 (submit) → 已通过 | 已退回 → 待审核 … An assignment never handed in
by its deadline becomes 逾期未报 by the deadline job and may still be filled and submitted late. One
already handed in (待审核, 已通过, or 已退回 for a correction) is not late: the institution reported on
time, whatever the review asks afterwards.
"""

from sujt.core.workflow import Notice, Side, Tone, Transition, Workflow

from .choices import AssignmentStatus

S = AssignmentStatus

ASSIGNMENT_WORKFLOW = Workflow(
    name="reporting.assignment",
    states=AssignmentStatus,
    transitions=[
        Transition(
            "save", source={S.PENDING}, target=S.DRAFT, side=Side.INSTITUTION, label="保存草稿", notify=()
        ),
        Transition(
            "submit",
            source={S.PENDING, S.DRAFT, S.RETURNED, S.OVERDUE},
            target=S.SUBMITTED,
            side=Side.INSTITUTION,
            label="提交",
            submits=True,
            notice_to_reviewers=Notice("运营数据待审核：{thing}", "{institution}提交了{thing}，请及时审核。"),
        ),
        Transition(
            "accept",
            source={S.SUBMITTED},
            target=S.ACCEPTED,
            side=Side.CITY,
            label="审核通过",
            notice_to_institution=Notice("运营数据审核通过：{thing}", "您单位填报的{thing}已审核通过。"),
        ),
        Transition(
            "return",
            source={S.SUBMITTED},
            target=S.RETURNED,
            side=Side.CITY,
            label="退回修改",
            comment_required=True,
            notice_to_institution=Notice(
                "运营数据被退回：{thing}", "您单位填报的{thing}被退回，请按审核意见修改后重新提交。"
            ),
        ),
        Transition(
            "overdue",
            source={S.PENDING, S.DRAFT},
            target=S.OVERDUE,
            side=Side.SYSTEM,
            label="标记逾期",
            notify=(),  # the service tells the institution
        ),
    ],
    tones={
        S.PENDING: Tone.WARNING,
        S.DRAFT: Tone.INFO,
        S.SUBMITTED: Tone.INFO,
        S.RETURNED: Tone.WARNING,
        S.ACCEPTED: Tone.SUCCESS,
        S.OVERDUE: Tone.DANGER,
    },
    editable={S.PENDING, S.DRAFT, S.RETURNED, S.OVERDUE},
)
