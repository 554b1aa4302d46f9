"""The lifecycles of module 04, declared on the kit (sujt.core.workflow).

- A center (CENTER_WORKFLOW): 筹建申请中 → 筹建中 (the province approves its 筹建申请) → 验收申请中 → 运行中,
  or 验收未通过 (construction goes on); 筹建中 / 验收未通过 → 筹建超期 by the deadline job, and back to
  筹建中 when an approved 任务书变更 gives a later deadline; the province may revoke (已撤销). Every
  move but the revocation follows a decision on one of the institution's applications and is taken by
  its service: the application's own transition tells the people concerned, so the center's moves tell
  nobody.
- 筹建申请 (CONSTRUCTION_WORKFLOW) and 验收申请 (ACCEPTANCE_WORKFLOW): two-step reviews, the city bureau
  first, then the province. The province's acceptance decisions carry the grade in their names, so the
  kit's one-button-per-transition review panel is all a regulator needs.
- 任务书 (and its changes), 进展报告 and 系统外中心登记 use the kit's common review (REVIEW_WORKFLOW).
"""

from sujt.core.workflow import Notice, Side, Tone, Transition, Workflow

from .choices import AcceptanceStatus, CenterStatus, TwoStepStatus

C = CenterStatus

CENTER_WORKFLOW = Workflow(
    name="centers.center",
    states=CenterStatus,
    transitions=[
        Transition("approve", {C.APPLYING}, C.BUILDING, Side.SYSTEM, "批准筹建", notify=()),
        Transition("refuse", {C.APPLYING}, C.REVOKED, Side.SYSTEM, "筹建申请未获批准", notify=()),
        Transition(
            "apply_acceptance",
            {C.BUILDING, C.FAILED, C.OVERDUE},
            C.ACCEPTANCE,
            Side.SYSTEM,
            "申请验收",
            notify=(),
        ),
        Transition("resume", {C.ACCEPTANCE}, C.BUILDING, Side.SYSTEM, "继续筹建", notify=()),
        Transition("resume_late", {C.ACCEPTANCE}, C.OVERDUE, Side.SYSTEM, "继续筹建（已超期）", notify=()),
        Transition("pass", {C.ACCEPTANCE}, C.RUNNING, Side.SYSTEM, "验收通过", notify=()),
        Transition("fail", {C.ACCEPTANCE}, C.FAILED, Side.SYSTEM, "验收未通过", notify=()),
        Transition("fail_late", {C.ACCEPTANCE}, C.OVERDUE, Side.SYSTEM, "验收未通过（已超期）", notify=()),
        Transition("overdue", {C.BUILDING, C.FAILED}, C.OVERDUE, Side.SYSTEM, "标记筹建超期", notify=()),
        Transition("extend", {C.OVERDUE}, C.BUILDING, Side.SYSTEM, "变更期限后恢复筹建", notify=()),
        Transition(
            "revoke",
            {C.BUILDING, C.RUNNING, C.FAILED, C.OVERDUE},
            C.REVOKED,
            Side.PROVINCE,
            "撤销中心",
            comment_required=True,
            notify=(Side.INSTITUTION,),
            notice_to_institution=Notice(
                "中心已撤销：{thing}", "{thing}已被省级监管部门撤销，请查看撤销意见。"
            ),
        ),
    ],
    tones={
        C.APPLYING: Tone.INFO,
        C.BUILDING: Tone.INFO,
        C.ACCEPTANCE: Tone.INFO,
        C.RUNNING: Tone.SUCCESS,
        C.FAILED: Tone.WARNING,
        C.OVERDUE: Tone.DANGER,
        C.REVOKED: Tone.MUTED,
    },
)

# The states in which a center is being built: progress reports, task-book changes and an acceptance
# application are possible, and the construction deadline runs.
CONSTRUCTION_STATES = frozenset({C.BUILDING, C.FAILED, C.OVERDUE})


def _two_step(*, name: str, states, province: list[Transition], tones: dict) -> Workflow:
    S = states
    return Workflow(
        name=name,
        states=states,
        transitions=[
            Transition(
                "submit",
                {S.DRAFT, S.RETURNED},
                S.CITY_REVIEW,
                Side.INSTITUTION,
                "提交",
                submits=True,
                notice_to_reviewers=Notice(
                    "待初审：{thing}", "{institution}提交了{thing}，请市级监管部门及时审核。"
                ),
            ),
            Transition(
                "city_approve",
                {S.CITY_REVIEW},
                S.PROVINCE_REVIEW,
                Side.CITY,
                "市局审核通过",
                notify=(Side.PROVINCE, Side.INSTITUTION),
                notice_to_reviewers=Notice(
                    "待省局审核：{thing}", "{institution}的{thing}已通过市局审核，请省局审核。"
                ),
                notice_to_institution=Notice(
                    "市局审核通过：{thing}", "您单位提交的{thing}已通过市局审核，正在等待省局审核。"
                ),
            ),
            Transition(
                "city_return",
                {S.CITY_REVIEW},
                S.RETURNED,
                Side.CITY,
                "市局退回修改",
                comment_required=True,
                notice_to_institution=Notice(
                    "已退回：{thing}", "您单位提交的{thing}已被市局退回，请按审核意见修改后重新提交。"
                ),
            ),
            *province,
            Transition(
                "province_return",
                {S.PROVINCE_REVIEW},
                S.RETURNED,
                Side.PROVINCE,
                "省局退回修改",
                comment_required=True,
                notice_to_institution=Notice(
                    "已退回：{thing}", "您单位提交的{thing}已被省局退回，请按审核意见修改后重新提交。"
                ),
            ),
            Transition(
                "withdraw",
                {S.DRAFT, S.CITY_REVIEW, S.PROVINCE_REVIEW, S.RETURNED},
                S.WITHDRAWN,
                Side.INSTITUTION,
                "撤回",
                notice_to_reviewers=Notice("已撤回：{thing}", "{institution}撤回了{thing}，无需审核。"),
            ),
        ],
        tones={S.CITY_REVIEW: Tone.INFO, S.PROVINCE_REVIEW: Tone.INFO, S.RETURNED: Tone.WARNING, **tones},
        editable={S.DRAFT, S.RETURNED},
    )


T = TwoStepStatus

CONSTRUCTION_WORKFLOW = _two_step(
    name="centers.construction",
    states=TwoStepStatus,
    province=[
        Transition(
            "province_approve",
            {T.PROVINCE_REVIEW},
            T.APPROVED,
            Side.PROVINCE,
            "批准筹建",
            notice_to_institution=Notice(
                "批准筹建：{thing}", "您单位的{thing}已获批准，中心进入筹建阶段，请在期限内提交筹建任务书。"
            ),
        ),
        Transition(
            "province_reject",
            {T.PROVINCE_REVIEW},
            T.REJECTED,
            Side.PROVINCE,
            "不予批准",
            comment_required=True,
            notice_to_institution=Notice("不予批准：{thing}", "您单位的{thing}未获批准，请查看审核意见。"),
        ),
    ],
    tones={T.APPROVED: Tone.SUCCESS, T.REJECTED: Tone.DANGER},
)

A = AcceptanceStatus
PASS_NOTICE = Notice("验收通过：{thing}", "您单位的{thing}{action}，中心进入运行。")

ACCEPTANCE_WORKFLOW = _two_step(
    name="centers.acceptance",
    states=AcceptanceStatus,
    province=[
        Transition(
            "pass_excellent",
            {A.PROVINCE_REVIEW},
            A.PASSED,
            Side.PROVINCE,
            "验收通过（优秀）",
            notice_to_institution=PASS_NOTICE,
        ),
        Transition(
            "pass_good",
            {A.PROVINCE_REVIEW},
            A.PASSED,
            Side.PROVINCE,
            "验收通过（良好）",
            notice_to_institution=PASS_NOTICE,
        ),
        Transition(
            "pass_pass",
            {A.PROVINCE_REVIEW},
            A.PASSED,
            Side.PROVINCE,
            "验收通过（合格）",
            notice_to_institution=PASS_NOTICE,
        ),
        Transition(
            "province_fail",
            {A.PROVINCE_REVIEW},
            A.FAILED,
            Side.PROVINCE,
            "验收不通过",
            comment_required=True,
            notice_to_institution=Notice(
                "验收未通过：{thing}", "您单位的{thing}未通过验收，请按验收意见继续筹建后重新申请验收。"
            ),
        ),
    ],
    tones={A.PASSED: Tone.SUCCESS, A.FAILED: Tone.DANGER},
)
