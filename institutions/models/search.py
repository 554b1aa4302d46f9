"""The search index of the capability schedules (DESIGN §2): one row per capability in force.

A row per capability, not per institution: the directory shows which capabilities matched a query and
the later 谁能检 page lists capabilities, and a small row is cheap to rebuild when one capability
changes; the institution-level relevance (how many of its capabilities match) is a COUNT over these
rows. `terms` holds the normalised tokens (institutions.search.segment) between spaces, so a token
matches as ` token ` (the SQLite LIKE fallback); `text` is the lower-cased searchable text for
substring matches. On PostgreSQL `vector` is a tsvector of exactly those tokens with a GIN index and
`text` has a trigram GIN index (both created by migration 0007 on PostgreSQL only).

InstitutionSearchTerm sums those rows up per institution: for each term, how many of the institution's
indexed capabilities have it. A search reads which institutions hold a term, and how many capabilities
match, from a B-tree on (term, institution) that carries the count (an index-only scan on PostgreSQL),
instead of visiting every matching capability row: at a million capabilities a common term (铅, GB/T
5750) matches tens of thousands of rows spread over the whole table.
Rows of both tables are written by institutions.search.services only.
"""

from collections.abc import Callable

from django.contrib.postgres.search import SearchVectorField
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from .institution import Institution
from .qualification import Capability, Certificate


class CapabilitySearch(models.Model):
    capability = models.OneToOneField(
        Capability, verbose_name=_("检验检测能力"), on_delete=models.CASCADE, primary_key=True,
        related_name="search_row",
    )  # fmt: skip
    institution = models.ForeignKey(
        Institution, verbose_name=_("机构"), on_delete=models.CASCADE, related_name="+"
    )
    terms = models.TextField(_("检索词"))
    text = models.TextField(_("检索文本"))
    vector = SearchVectorField(_("全文检索向量"), null=True, editable=False)

    class Meta:
        verbose_name = verbose_name_plural = _("能力检索索引")

    def __str__(self) -> str:
        return f"{self.capability_id}: {self.terms[:60]}"


@receiver(post_save, sender=Capability, dispatch_uid="capability_search_row")
def _capability_saved(sender, instance: Capability, raw: bool = False, **kwargs) -> None:
    """A capability saved one by one (admin, a service) gets its search row after the commit. The sync
    and the demo write in bulk (no signal) and rebuild the touched institutions themselves."""
    if raw:
        return
    from ..search.services import search_capabilities_update

    pk = instance.pk
    transaction.on_commit(lambda: search_capabilities_update(capability_ids=[pk]))


def _once_after_commit(kind: str, institution_id: int, run: Callable[[], object]) -> None:
    """`run` after the commit, once per transaction for this institution and kind, however many of its
    rows change (a deleted certificate deletes its thousands of capabilities one signal at a time)."""
    connection = transaction.get_connection()
    marker = (kind, institution_id)
    if connection.in_atomic_block and any(
        getattr(callback, "search_marker", None) == marker for _, callback, _ in connection.run_on_commit
    ):
        return

    def callback() -> None:
        run()

    callback.search_marker = marker
    transaction.on_commit(callback)


@receiver(post_delete, sender=Capability, dispatch_uid="capability_search_terms")
def _capability_deleted(sender, instance: Capability, **kwargs) -> None:
    """The search row goes with the capability (cascade); its institution's term sums follow."""
    from ..search.services import search_terms_refresh

    pk = instance.institution_id
    _once_after_commit("terms", pk, lambda: search_terms_refresh(institution_ids=[pk]))


@receiver(post_save, sender=Certificate, dispatch_uid="certificate_search_rows")
def _certificate_saved(
    sender, instance: Certificate, created: bool = False, raw: bool = False, **kwargs
) -> None:
    """A certificate edited one by one (admin) may have been withdrawn or restored, which takes its
    capabilities out of the index or back: its institution is rebuilt after the commit."""
    if raw or created:
        return
    from ..search.services import search_index_update

    pk = instance.institution_id
    _once_after_commit("rows", pk, lambda: search_index_update(institution_ids=[pk]))


class InstitutionSearchTerm(models.Model):
    institution = models.ForeignKey(
        Institution, verbose_name=_("机构"), on_delete=models.CASCADE, related_name="+"
    )
    term = models.TextField(_("检索词"))
    capabilities = models.PositiveIntegerField(_("含该词的能力数"))

    class Meta:
        verbose_name = verbose_name_plural = _("机构检索词")
        indexes = [
            # Covering on PostgreSQL (INCLUDE); a plain index elsewhere.
            models.Index(
                fields=["term", "institution"], include=["capabilities"], name="institutions_term_inst_idx"
            )
        ]

    def __str__(self) -> str:
        return f"{self.institution_id}: {self.term} × {self.capabilities}"
