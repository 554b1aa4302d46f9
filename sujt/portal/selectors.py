"""Reads for the portal home page."""

from django.core.cache import cache
from django.urls import reverse
from django.utils.http import urlencode

from institutions.selectors.public import public_counts_by_city, public_counts_by_field, public_totals

# v2: the figures gained certificates, capabilities and the testing fields (a v1 entry lacks them).
HOME_STATS_CACHE_KEY = "portal:home-stats:v2"
HOME_STATS_TIMEOUT = 5 * 60


def _directory_url(**params: str) -> str:
    return f"{reverse('institutions:directory')}?{urlencode(params)}"


def home_stats() -> dict:
    """Live figures for the home page, cached for five minutes; `home_stats_invalidate` (called when an
    institution, certificate, capability or declared field is saved or deleted, and when a sync run
    finishes) makes the next visit recount.

    by_city / by_field rows are (code, name, count, directory URL filtered by it); by_field holds only
    the fields some public institution declares, most institutions first.
    """
    stats = cache.get(HOME_STATS_CACHE_KEY)
    if stats is None:
        totals = public_totals()
        by_city = [
            (code, name, count, _directory_url(city=code)) for code, name, count in public_counts_by_city()
        ]
        by_field = sorted(
            (
                (code, name, count, _directory_url(field=code))
                for code, name, count in public_counts_by_field()
                if count
            ),
            key=lambda row: (-row[2], row[0]),
        )
        stats = {
            "total": totals["institutions"],
            "certificates": totals["certificates"],
            "capabilities": totals["capabilities"],
            "by_city": by_city,
            "by_field": by_field,
            "cities_covered": sum(1 for row in by_city if row[2]),
        }
        cache.set(HOME_STATS_CACHE_KEY, stats, HOME_STATS_TIMEOUT)
    return stats


def home_stats_invalidate() -> None:
    cache.delete(HOME_STATS_CACHE_KEY)
