"""What the demo-data tests of every app check the same way."""

from django.apps import apps


def row_counts() -> dict[str, int]:
    """Rows per model: a second seed_demo must leave every count as it was."""
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}
