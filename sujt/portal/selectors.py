"""Reads for the portal home page."""

from django.core.cache import cache

from institutions.selectors import public_counts_by_city

HOME_STATS_CACHE_KEY = "portal:home-stats:v1"
HOME_STATS_TIMEOUT = 5 * 60


def home_stats() -> dict:
    """Live totals for the home page, cached for five minutes; `home_stats_invalidate` (called when an
    institution is saved or deleted) makes the next visit recount."""
    stats = cache.get(HOME_STATS_CACHE_KEY)
    if stats is None:
        by_city = public_counts_by_city()
        stats = {
            "total": sum(count for _code, _name, count in by_city),
            "by_city": [(name, count) for _code, name, count in by_city],
            "cities_covered": sum(1 for _code, _name, count in by_city if count),
        }
        cache.set(HOME_STATS_CACHE_KEY, stats, HOME_STATS_TIMEOUT)
    return stats


def home_stats_invalidate() -> None:
    cache.delete(HOME_STATS_CACHE_KEY)
