from django.apps import AppConfig


class WorkflowAppConfig(AppConfig):
    """A test-only app holding a concrete reviewable model for the core workflow tests."""

    name = "tests.core.workflow_app"
    label = "workflow_app"
    verbose_name = "工作流测试"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # The report's resubmission deadline; the app's event handler, subscribed.
        from . import deadlines, events  # noqa: F401
