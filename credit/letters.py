"""信用承诺书: the yearly signed letter of each institution module 05 applies to (DESIGN §7).

- The letter is a PDF or an image (LETTER_RULE), stored as the core Attachment of the year's
  CommitmentLetter row; uploading again in the same year replaces the file, and the row's history keeps
  who uploaded when.
- It is due every year on settings.CREDIT_COMMITMENT_DUE (MM-DD). An institution without a letter by
  then gets K01 未按期上传信用承诺书 once per year (`commitment_missing_record`, run by the nightly job).
- Who sees a letter's file: the institution's members with `manage_credit`, and the regulators admin
  lists the letter to (`letter_visible_to`). The file is never public. CommitmentLetter defines no
  `attachments_visible_to`, so core's generic download view refuses its file (404); the workspace
  (credit:commitment_file) and admin (CommitmentLetterAdmin.file_view) serve it after their own checks.
"""

import datetime
import logging
from calendar import monthrange
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from institutions.models import Certificate, Institution
from sujt.accounts.permissions import has_module_perm, institution_ids_for
from sujt.core.attachments import AttachmentRule, attachment_replace, attachments_by_owner
from sujt.core.choices import AttachmentKind
from sujt.core.models import Attachment
from sujt.core.scoping import regulator_lists
from sujt.core.validators import JIANGSU_AUTHORITY

from .access import PERMISSION
from .choices import EventSource
from .models import CommitmentLetter, CreditEvent, CreditItem
from .models.commitment import LETTER_PURPOSE
from .services import credit_institutions, event_record, recalculation_queue

logger = logging.getLogger(__name__)

MISSING_ITEM = "K01"  # 未按期上传信用承诺书
REGION_FIELD = "institution__region_code"
# A scan of a signed page or two: 10 MB is ample for a PDF or a phone photo and keeps uploads quick on
# institutions' connections (the platform-wide UPLOAD_MAX_BYTES still applies when it is lower).
LETTER_RULE = AttachmentRule(
    purpose=LETTER_PURPOSE,
    kinds=(AttachmentKind.PDF, AttachmentKind.IMAGE),
    max_bytes=10 * 1024 * 1024,
    noun="信用承诺书",
    unit="份",
)


# --- The deadline ------------------------------------------------------------------------------------


def commitment_due(*, year: int) -> datetime.date:
    """The day `year`'s letter is due (settings.CREDIT_COMMITMENT_DUE); 02-29 is 02-28 in other years."""
    month, day = (int(part) for part in settings.CREDIT_COMMITMENT_DUE.split("-"))
    return datetime.date(year, month, min(day, monthrange(year, month)[1]))


def commitment_missing_key(*, institution_id: int, year: int) -> str:
    """The ledger's source key of an institution's K01 for `year`: one deduction a year at most."""
    return f"credit.commitment:{institution_id}:{year}"


def _start_of_day_after(day: datetime.date) -> datetime.datetime:
    """The first instant after `day` ends, in the platform's local time."""
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time()))


# --- Reads -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CommitmentYear:
    """An institution's letter of one year as its page shows it."""

    year: int
    due_on: datetime.date
    today: datetime.date
    letter: CommitmentLetter | None
    file: Attachment | None
    missing_event: CreditEvent | None = None  # the K01 recorded for this year, if any

    @property
    def uploaded(self) -> bool:
        return self.letter is not None and self.file is not None

    @property
    def days_left(self) -> int:
        """Days until the deadline: 0 on the day, negative once past."""
        return (self.due_on - self.today).days

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)

    @property
    def overdue(self) -> bool:
        """Past the deadline without a letter."""
        return not self.uploaded and self.today > self.due_on

    @property
    def uploaded_late(self) -> bool:
        """First uploaded after the deadline (K01 applies all the same)."""
        return self.letter is not None and timezone.localdate(self.letter.created_at) > self.due_on


def letter_of_year(*, institution: Institution, today: datetime.date | None = None) -> CommitmentYear:
    """This year's letter of the institution, its file, the deadline and any K01 recorded for it."""
    today = today or timezone.localdate()
    year = today.year
    letter = (
        CommitmentLetter.objects.filter(institution=institution, year=year)
        .select_related("uploaded_by")
        .first()
    )
    file = attachments_by_owner([letter], purpose=LETTER_PURPOSE)[letter.pk][-1:] if letter else []
    event = (
        CreditEvent.objects.filter(
            source_key=commitment_missing_key(institution_id=institution.pk, year=year)
        ).first()
        if today > commitment_due(year=year)
        else None
    )
    return CommitmentYear(
        year=year,
        due_on=commitment_due(year=year),
        today=today,
        letter=letter,
        file=file[0] if file else None,
        missing_event=event,
    )


def letters_earlier(*, institution: Institution, year: int) -> list[CommitmentYear]:
    """The institution's letters of the years before `year`, newest first, each with its file (two
    queries whatever their number)."""
    letters = list(
        CommitmentLetter.objects.filter(institution=institution, year__lt=year)
        .select_related("uploaded_by")
        .order_by("-year")
    )
    files = attachments_by_owner(letters, purpose=LETTER_PURPOSE)
    return [
        CommitmentYear(
            year=letter.year,
            due_on=commitment_due(year=letter.year),
            today=timezone.localdate(),
            letter=letter,
            file=(files[letter.pk] or [None])[-1],
        )
        for letter in letters
    ]


def missing_letter_points() -> Decimal | None:
    """K01's points as the point table says today (regulators may change them); None when inactive."""
    return CreditItem.objects.filter(code=MISSING_ITEM, active=True).values_list("points", flat=True).first()


def letter_get(*, institution: Institution, pk: int) -> CommitmentLetter:
    """The institution's letter `pk`; another institution's does not exist (404)."""
    return get_object_or_404(CommitmentLetter.objects.filter(institution=institution), pk=pk)


def letter_file(*, letter: CommitmentLetter) -> Attachment:
    """The letter's stored file (404 without one)."""
    file = attachments_by_owner([letter], purpose=LETTER_PURPOSE)[letter.pk]
    if not file:
        raise Http404("letter without a file")
    return file[-1]


def letter_visible_to(*, letter: CommitmentLetter, user: Any) -> bool:
    """Who may download a letter's file: the pages that show it decide. The institution's members with
    `manage_credit` (信用承诺书 in the workspace) and the regulators admin lists the letter to."""
    if has_module_perm(user=user, institution_id=letter.institution_id, perm=PERMISSION):
        return True
    return regulator_lists(letter, user=user, region_field=REGION_FIELD)


def letters_missing(*, year: int, today: datetime.date | None = None) -> QuerySet[Institution]:
    """Institutions module 05 applies to (today) without a letter of `year`: who the regulators chase."""
    return credit_institutions(today=today).exclude(
        Exists(CommitmentLetter.objects.filter(institution_id=OuterRef("pk"), year=year))
    )


@dataclass(frozen=True)
class MemberCommitment:
    """This year's letter as it concerns one of a user's institutions (the dashboard)."""

    institution_id: int
    name: str
    applies: bool  # module 05 applies to the institution
    may_manage: bool  # the user holds manage_credit there
    uploaded_at: datetime.datetime | None  # when this year's letter was first uploaded


def commitments_for(*, user: Any, today: datetime.date | None = None) -> dict[int, MemberCommitment]:
    """{institution id: MemberCommitment} for every institution the user is an active member of, in one
    query whatever their number."""
    today = today or timezone.localdate()
    rows = (
        Institution.objects.filter(pk__in=institution_ids_for(user=user))
        .annotate(
            applies=Exists(credit_institutions(today=today).filter(pk=OuterRef("pk"))),
            may_manage=Exists(
                institution_ids_for(user=user, perm=PERMISSION).filter(institution_id=OuterRef("pk"))
            ),
            uploaded_at=Subquery(
                CommitmentLetter.objects.filter(institution_id=OuterRef("pk"), year=today.year).values(
                    "created_at"
                )[:1]
            ),
        )
        .order_by("name")
        .values_list("pk", "name", "applies", "may_manage", "uploaded_at")
    )
    return {row[0]: MemberCommitment(*row) for row in rows}


# --- Writes ------------------------------------------------------------------------------------------


def letter_upload(
    *, institution: Institution, file: UploadedFile, by: Any, today: datetime.date | None = None
) -> CommitmentLetter:
    """Stores the signed letter of this year (a PDF or an image, checked by content), replacing the year's
    earlier file. Refused with a ValidationError keyed "file" (in Chinese) when the file is not accepted;
    nothing is then stored, not even the year's row."""
    year = (today or timezone.localdate()).year
    with transaction.atomic():
        letter, created = CommitmentLetter.objects.get_or_create(
            institution=institution, year=year, defaults={"uploaded_by": by}
        )
        # Two uploads of the same year at once: the second waits, then replaces the first one's file.
        letter = CommitmentLetter.objects.select_for_update().get(pk=letter.pk)
        try:
            attachment_replace(owner=letter, rule=LETTER_RULE, file=file, by=by)
        except ValidationError as error:
            raise ValidationError({"file": error.messages}) from None
        if not created:
            letter.uploaded_by = by
            letter.save()  # a history row: who replaced the letter, when
    return letter


def _missing_by_deadline(*, year: int, due_on: datetime.date, today: datetime.date) -> QuerySet[Institution]:
    """Institutions owing K01 for `year` and not yet given it: module 05 applies to them today and applied
    on the deadline (a Jiangsu-issued certificate issued by then), and no letter of the year was uploaded
    by the end of the deadline day (a letter uploaded later is late all the same)."""
    return (
        credit_institutions(today=today)
        .filter(
            Exists(
                Certificate.objects.filter(
                    institution_id=OuterRef("pk"), authority_code=JIANGSU_AUTHORITY, issued_on__lte=due_on
                )
            )
        )
        .exclude(
            Exists(
                CommitmentLetter.objects.filter(
                    institution_id=OuterRef("pk"), year=year, created_at__lt=_start_of_day_after(due_on)
                )
            )
        )
        .exclude(
            Exists(
                CreditEvent.objects.filter(
                    institution_id=OuterRef("pk"),
                    source=EventSource.COMMITMENT_MISSING,
                    occurred_on=due_on + datetime.timedelta(days=1),
                )
            )
        )
    )


def commitment_missing_record(*, today: datetime.date | None = None) -> int:
    """K01 for every institution without this year's letter once this year's deadline has passed, once
    per institution and year (the ledger's source key). Those already given it are left out of the one
    query that finds who is missing, so each night does work only for new ones. Returns how many were
    recorded.

    Only the current year: a deadline of 12-31 therefore never records anything, and on 1 January the
    previous year is settled (catching up a past year would deduct from institutions that could not
    upload then, e.g. before the platform opened)."""
    today = today or timezone.localdate()
    year = today.year
    due_on = commitment_due(year=year)
    if today <= due_on or year < settings.CREDIT_COMMITMENT_FIRST_YEAR:
        return 0
    missing = list(
        _missing_by_deadline(year=year, due_on=due_on, today=today)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    recorded = 0
    with transaction.atomic():
        for institution_id in missing:
            event = event_record(
                institution_id=institution_id,
                item_code=MISSING_ITEM,
                occurred_on=due_on + datetime.timedelta(days=1),
                source=EventSource.COMMITMENT_MISSING,
                source_key=commitment_missing_key(institution_id=institution_id, year=year),
                details={"year": year, "due_on": due_on.isoformat()},
                # One recalculation for all of them below, not one task per institution.
                recalculate=False,
            )
            recorded += event is not None
        recalculation_queue(missing)
    if missing:
        logger.info("credit: K01 recorded for %s institutions without their %s letter", recorded, year)
    return recorded
