"""After `migrate`, the regulator group holds every permission the apps registered for regulators, even
when the last installed app has no models (post_migrate is sent only to apps with a models module)."""

from django.apps import apps
from django.contrib.auth.models import Group
from django.core.management.sql import emit_post_migrate_signal

from sujt.accounts.services import REGULATOR_GROUP, regulator_group_ensure
from sujt.core.registries import regulator_permissions


def test_migrate_gives_the_regulator_group_the_registered_permissions(db, monkeypatch):
    # As in production, where the last installed app (reporting) has no models yet; the test settings
    # may install apps with models after it.
    configs = list(apps.get_app_configs())
    modelless = next(config for config in configs if config.models_module is None)
    monkeypatch.setattr(apps, "get_app_configs", lambda: [*configs, modelless])
    group = regulator_group_ensure()
    group.permissions.clear()
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    granted = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Group.objects.get(name=REGULATOR_GROUP).permissions.select_related("content_type")
    }
    assert granted == set(regulator_permissions())
    assert "rectification.change_rectificationorder" in granted
