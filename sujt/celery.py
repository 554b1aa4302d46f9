import os

from celery import Celery
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sujt.settings")

app = Celery("sujt")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@task_prerun.connect
def _act_as_system_user(**_kwargs) -> None:
    # History rows written by background jobs belong to a named system user, not to nobody.
    from sujt.core.audit import begin_system_actor

    begin_system_actor()


@task_postrun.connect
def _stop_acting(**_kwargs) -> None:
    from sujt.core.audit import end_system_actor

    end_system_actor()
