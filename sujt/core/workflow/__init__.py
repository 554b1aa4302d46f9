"""Workflows declared per model, and the one engine that runs them (DESIGN §6).

- `declaration`: Side, Tone, Transition, Notice, Workflow, workflow_of, REVIEW_WORKFLOW (the common
  review). Pure declarations; no database.
- `engine`: transition() (conditional UPDATE in one transaction, a ReviewTransition row with the action,
  a history row, the notification task after commit), InvalidTransition, transitions_of, last_submitter,
  regulator_side.
- `notices`: who is told after commit (transition_notify) and the party-resolver hook accounts registers.
- `review`: review_submit / resubmit / approve / return / reject / withdraw, the common review's wrappers.
- `checks`: system checks core.E020/E021 (the state field holds exactly the declared states).

Import from this package: `from sujt.core.workflow import transition, REVIEW_WORKFLOW, Side`.
"""

from ..choices import ReviewStatus
from . import checks  # noqa: F401  (registers the workflow-field system check)
from .declaration import (
    REGULATOR_SIDES,
    REVIEW_WORKFLOW,
    Guard,
    Notice,
    Side,
    Tone,
    Transition,
    Workflow,
    side_may_take,
    workflow_of,
)
from .engine import (
    WORKFLOW_FIELDS,
    InvalidTransition,
    last_submitter,
    regulator_side,
    transition,
    transitions_of,
)
from .notices import (
    INSTITUTION_SIDE,
    MEMBER_SIDE,
    REGULATOR_SIDE,
    PartyResolver,
    review_parties,
    set_party_resolver,
    sides_to_tell,
    transition_notify,
)
from .review import (
    review_approve,
    review_reject,
    review_resubmit,
    review_return,
    review_submit,
    review_withdraw,
)

Status = ReviewStatus

__all__ = [
    "INSTITUTION_SIDE",
    "MEMBER_SIDE",
    "REGULATOR_SIDE",
    "REGULATOR_SIDES",
    "REVIEW_WORKFLOW",
    "WORKFLOW_FIELDS",
    "Guard",
    "InvalidTransition",
    "Notice",
    "PartyResolver",
    "Side",
    "Status",
    "Tone",
    "Transition",
    "Workflow",
    "last_submitter",
    "regulator_side",
    "review_approve",
    "review_parties",
    "review_reject",
    "review_resubmit",
    "review_return",
    "review_submit",
    "review_withdraw",
    "set_party_resolver",
    "side_may_take",
    "sides_to_tell",
    "transition",
    "transition_notify",
    "transitions_of",
    "workflow_of",
]
