"""The search index of the capability schedules (DESIGN §2): one row per capability in force.

A row per capability, not per institution: the directory shows which capabilities matched a query and
the later 谁能检 page lists capabilities, and a small row is cheap to rebuild when one capability
changes; the institution-level relevance (how many of its capabilities match) is a COUNT over these
rows. `terms` holds the normalised tokens (institutions.search.segment) between spaces, so a token
matches as ` token ` (the SQLite LIKE fallback); `text` is the lower-cased searchable text for
substring matches. On PostgreSQL `vector` is a tsvector of exactly those tokens with a GIN index and
`text` has a trigram GIN index (both created by migration 0007 on PostgreSQL only).
Rows are written by institutions.search.services only.
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from .institution import Institution
from .qualification import Capability


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
    from django.db import transaction

    from ..search.services import search_capabilities_update

    pk = instance.pk
    transaction.on_commit(lambda: search_capabilities_update(capability_ids=[pk]))
