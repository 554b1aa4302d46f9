"""Declaring a workflow: its states, its transitions and who may take each (DESIGN §6).

A model with a lifecycle declares it once and attaches it as the class attribute `workflow`:

    class OrderStatus(models.TextChoices):
        OPEN = "open", "待整改"
        SUBMITTED = "submitted", "待市局审核"
        ...

    ORDER_WORKFLOW = Workflow(
        name="rectification.order",
        states=OrderStatus,
        transitions=[
            Transition("submit", source={OPEN, RETURNED}, target=SUBMITTED, side=Side.INSTITUTION,
                       label="提交整改", submits=True),
            Transition("accept", source={SUBMITTED}, target=ACCEPTED, side=Side.CITY, label="整改完成"),
            Transition("return", source={SUBMITTED}, target=RETURNED, side=Side.CITY, label="退回",
                       comment_required=True),
            Transition("overdue", source={OPEN}, target=OVERDUE, side=Side.SYSTEM, label="标记逾期"),
        ],
        tones={ACCEPTED: Tone.SUCCESS, RETURNED: Tone.WARNING, OVERDUE: Tone.DANGER, SUBMITTED: Tone.INFO},
        editable={OPEN, RETURNED, OVERDUE},
    )

    class RectificationOrder(Reviewable):
        status = models.CharField("状态", max_length=20, choices=OrderStatus.choices, default=OPEN)
        workflow = ORDER_WORKFLOW

The engine (`sujt.core.workflow.transition`) runs any declared workflow by transition name; the status
badge (`{% status_badge obj %}`), the transition log and the notifications read labels, tones and the
side that acts next from here. Nothing in this module touches the database.
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import models

from ..choices import ReviewStatus


class Side(models.TextChoices):
    """Who takes a transition, and so who is told when it is their turn."""

    INSTITUTION = "institution", "机构"
    # The institution's city bureau, and the bureau of its district (a district regulator's jurisdiction
    # holds the institution and admin lets them decide on it): the first, local review step.
    CITY = "city", "市级监管部门"
    PROVINCE = "province", "省级监管部门"
    # A scheduled job (逾期 and the like), acting with by=None or a system account.
    SYSTEM = "system", "系统"


REGULATOR_SIDES = frozenset({Side.CITY, Side.PROVINCE})


def side_may_take(actor: str, required: str) -> bool:
    """Whether someone acting for side `actor` may take a transition declared for side `required`.

    Sides must match, except that the province may also take a city step: its jurisdiction holds every
    city, as it does in admin. A city regulator may never take a province step, and no regulator an
    institution's transition (nor the other way round).
    """
    return actor == required or (actor == Side.PROVINCE and required == Side.CITY)


class Tone(models.TextChoices):
    """A state's badge colour: the CSS class `badge-<tone>`."""

    SUCCESS = "success", "成功"
    WARNING = "warning", "提醒"
    DANGER = "danger", "警示"
    INFO = "info", "进行中"
    MUTED = "muted", "一般"


# guard(obj, by) -> None to allow, or a Chinese sentence saying why not (raised as a ValidationError).
Guard = Callable[[Any, Any], str | None]

TRANSITION_NAME_MAX_LENGTH = 30  # ReviewTransition.action
STATE_MAX_LENGTH = 20  # ReviewTransition.from_status / to_status


@dataclass(frozen=True)
class Notice:
    """The in-site message a transition sends instead of the generic one. Both are str.format templates
    with {thing} (「verbose name「object」」), {institution}, {state} (target label) and {action}."""

    title: str
    body: str


@dataclass(frozen=True)
class Transition:
    """One move of a workflow.

    - `name`: the code the engine is called with (transition(obj=..., name="approve", ...)); stored as
      ReviewTransition.action, so at most 30 characters.
    - `source`: the states it starts from; `target`: the state it leads to.
    - `side`: who takes it (Side); the engine refuses another side when the caller says whose side it acts
      for, and the notifications read it.
    - `label`: the action in Chinese (审核通过), for buttons, messages and the log.
    - `comment_required`: the engine refuses an empty comment (ValidationError).
    - `guard`: guard(obj, by) -> None or a Chinese refusal, checked before the state change.
    - `submits`: the institution hands the object in here: `submitted_at` is set, and whoever took it is
      "the submitter", told of later decisions.
    - `notify`: the sides told after commit. None (the default) derives them: the regulator sides that act
      next from `target`; else, for an institution's move, the regulators who were to act at the source
      state (they need not any more); else the institution. An empty tuple tells nobody.
    - `notice_to_reviewers` / `notice_to_institution`: this transition's own message texts (Notice).
    """

    name: str
    source: frozenset[str]
    target: str
    side: Side
    label: str
    comment_required: bool = False
    guard: Guard | None = None
    submits: bool = False
    notify: tuple[Side, ...] | None = None
    notice_to_reviewers: Notice | None = None
    notice_to_institution: Notice | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "source", frozenset(str(state) for state in self.source))
        object.__setattr__(self, "target", str(self.target))
        object.__setattr__(self, "side", Side(self.side))
        if self.notify is not None:
            object.__setattr__(self, "notify", tuple(Side(side) for side in self.notify))

    @property
    def by_regulator(self) -> bool:
        return self.side in REGULATOR_SIDES


class Workflow:
    """A model's states and transitions (immutable once declared).

    - `name`: for messages and logs (e.g. "rectification.order").
    - `states`: a TextChoices; its labels are the state names shown everywhere.
    - `transitions`: Transition declarations, names unique.
    - `tones`: a Tone per state for its badge (missing: Tone.MUTED).
    - `editable`: the states in which the institution may still change the object (Reviewable reads it).
    - `field`: the model field holding the state.
    """

    def __init__(
        self,
        *,
        name: str,
        states: type[models.TextChoices],
        transitions: Iterable[Transition],
        tones: Mapping[str, str] | None = None,
        editable: Iterable[str] = (),
        field: str = "status",
    ) -> None:
        self.name = name
        self.states = states
        self.transitions: tuple[Transition, ...] = tuple(transitions)
        self.tones: dict[str, Tone] = {str(state): Tone(tone) for state, tone in (tones or {}).items()}
        self.editable = frozenset(str(state) for state in editable)
        self.field = field
        self._check()

    def __repr__(self) -> str:
        return f"<Workflow {self.name}>"

    def _check(self) -> None:
        known = set(self.states.values)
        seen: set[str] = set()
        for state in known:
            if len(state) > STATE_MAX_LENGTH:
                raise ImproperlyConfigured(f"{self.name}: state {state!r} is longer than {STATE_MAX_LENGTH}")
        for t in self.transitions:
            if t.name in seen:
                raise ImproperlyConfigured(f"{self.name}: transition {t.name!r} declared twice")
            seen.add(t.name)
            if len(t.name) > TRANSITION_NAME_MAX_LENGTH:
                raise ImproperlyConfigured(f"{self.name}: transition name {t.name!r} is too long")
            unknown = (t.source | {t.target}) - known
            if unknown or not t.source:
                raise ImproperlyConfigured(f"{self.name}.{t.name}: unknown or no states {sorted(unknown)}")
        unknown = (set(self.tones) | self.editable) - known
        if unknown:
            raise ImproperlyConfigured(f"{self.name}: tones/editable name unknown states {sorted(unknown)}")

    # --- Reading the declaration ---

    def get(self, name: str) -> Transition:
        """The transition called `name`; ValueError for an undeclared one (a programming error)."""
        for t in self.transitions:
            if t.name == name:
                return t
        raise ValueError(f"{self.name}: no transition {name!r}")

    def label(self, state: str | None) -> str:
        """The state's Chinese name; an undeclared value is shown as it is."""
        if state in self.states.values:
            return str(self.states(state).label)
        return state or ""

    def tone(self, state: str | None) -> str:
        return str(self.tones.get(str(state), Tone.MUTED))

    def leaving(self, state: str) -> list[Transition]:
        """The transitions that start from `state`, in declaration order."""
        return [t for t in self.transitions if state in t.source]

    def available(self, state: str, *, side: str | None = None) -> list[Transition]:
        """The transitions someone acting for `side` (any side when None) may take from `state`."""
        return [t for t in self.leaving(state) if side is None or side_may_take(side, t.side)]

    def reviewers_at(self, state: str) -> list[Side]:
        """The regulator sides that act from `state` (who has the object in their queue), in order."""
        sides: list[Side] = []
        for t in self.leaving(state):
            if t.by_regulator and t.side not in sides:
                sides.append(t.side)
        return sides

    def is_editable(self, state: str) -> bool:
        return state in self.editable

    def find(self, *, source: str, target: str, action: str = "") -> Transition | None:
        """The declared transition a log row records: by its action name, else by its states (rows written
        before the action was logged)."""
        if action:
            try:
                return self.get(action)
            except ValueError:
                return None
        return next((t for t in self.transitions if source in t.source and t.target == target), None)

    def submitted_states(self) -> set[str]:
        """The states a submitting transition leads to."""
        return {t.target for t in self.transitions if t.submits}

    def extend(
        self,
        *,
        name: str,
        transitions: Iterable[Transition] = (),
        tones: Mapping[str, str] | None = None,
        editable: Iterable[str] | None = None,
    ) -> "Workflow":
        """This workflow plus more transitions (same states), e.g. a regulator's own 发布 of an article."""
        return Workflow(
            name=name,
            states=self.states,
            transitions=[*self.transitions, *transitions],
            tones={**self.tones, **(tones or {})},
            editable=self.editable if editable is None else editable,
            field=self.field,
        )


def workflow_of(model_or_obj: Any) -> Workflow:
    """The workflow a model (or an instance) declares as its `workflow` attribute."""
    declared = getattr(model_or_obj, "workflow", None)
    if not isinstance(declared, Workflow):
        raise ImproperlyConfigured(f"{model_or_obj!r} declares no workflow")
    return declared


# --- The common review -------------------------------------------------------------------------------

S = ReviewStatus

REVIEW_WORKFLOW = Workflow(
    name="review",
    states=ReviewStatus,
    transitions=[
        Transition(
            "submit",
            source={S.DRAFT},
            target=S.SUBMITTED,
            side=Side.INSTITUTION,
            label="提交",
            submits=True,
            notice_to_reviewers=Notice("待审核：{thing}", "{institution}提交了{thing}，请及时审核。"),
        ),
        Transition(
            "resubmit",
            source={S.RETURNED},
            target=S.SUBMITTED,
            side=Side.INSTITUTION,
            label="重新提交",
            submits=True,
            notice_to_reviewers=Notice(
                "重新提交待审核：{thing}", "{institution}按退回意见修改后重新提交了{thing}，请及时审核。"
            ),
        ),
        Transition(
            "approve",
            source={S.SUBMITTED},
            target=S.APPROVED,
            side=Side.CITY,
            label="审核通过",
            notice_to_institution=Notice("审核通过：{thing}", "您单位提交的{thing}已审核通过。"),
        ),
        Transition(
            "return",
            source={S.SUBMITTED},
            target=S.RETURNED,
            side=Side.CITY,
            label="退回修改",
            comment_required=True,
            notice_to_institution=Notice(
                "已退回：{thing}", "您单位提交的{thing}已被退回，请按审核意见修改后重新提交。"
            ),
        ),
        Transition(
            "reject",
            source={S.SUBMITTED},
            target=S.REJECTED,
            side=Side.CITY,
            label="不予通过",
            comment_required=True,
            notice_to_institution=Notice("未通过：{thing}", "您单位提交的{thing}未通过审核。"),
        ),
        Transition(
            "withdraw",
            source={S.DRAFT, S.SUBMITTED},
            target=S.WITHDRAWN,
            side=Side.INSTITUTION,
            label="撤回",
            notice_to_reviewers=Notice("已撤回：{thing}", "{institution}撤回了{thing}，无需审核。"),
        ),
    ],
    tones={
        S.SUBMITTED: Tone.INFO,
        S.APPROVED: Tone.SUCCESS,
        S.RETURNED: Tone.WARNING,
        S.REJECTED: Tone.DANGER,
    },
    editable={S.DRAFT, S.RETURNED},
)
"""draft → submitted → approved | returned | rejected;  returned → submitted;  draft/submitted → withdrawn.

One local (city) review step: the city bureau of the institution's city and the bureau of its district
are told of a submission; the province may decide it too (side_may_take)."""
