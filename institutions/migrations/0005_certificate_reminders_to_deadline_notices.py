"""Certificate-expiry reminders move onto the core deadlines: every reminder already sent becomes the
DeadlineNotice the deadline "institutions.certificate_expiry" would have written for it, so no reminder
goes out a second time after deploy. 0006 then drops the old table."""

from django.db import migrations

# The key and steps of the declaration in institutions/integrations/certificates.py (core Offset.step).
CERTIFICATE_DEADLINE = "institutions.certificate_expiry"
BATCH = 1000


def _step(months: int) -> str:
    return f"remind-{months}m"


def reminders_copy(apps, schema_editor):
    CertificateReminder = apps.get_model("institutions", "CertificateReminder")
    DeadlineNotice = apps.get_model("core", "DeadlineNotice")
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not CertificateReminder.objects.exists():
        return
    # A database migrated in one go has no content types yet (they are created after migrating).
    content_type, _created = ContentType.objects.get_or_create(app_label="institutions", model="certificate")
    batch = []
    for reminder in CertificateReminder.objects.order_by("pk").iterator(chunk_size=BATCH):
        batch.append(
            DeadlineNotice(
                deadline=CERTIFICATE_DEADLINE,
                content_type=content_type,
                object_id=reminder.certificate_id,
                due_on=reminder.expires_on,
                step=_step(reminder.months_before),
                done_at=reminder.sent_at,
            )
        )
        if len(batch) >= BATCH:
            DeadlineNotice.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    DeadlineNotice.objects.bulk_create(batch, ignore_conflicts=True)


def reminders_restore(apps, schema_editor):
    """Backwards: the old table is back (0006 reversed); refill it from the notices so the old code does
    not re-send either. Their sent time becomes the time of the reversal (auto_now_add)."""
    CertificateReminder = apps.get_model("institutions", "CertificateReminder")
    Certificate = apps.get_model("institutions", "Certificate")
    DeadlineNotice = apps.get_model("core", "DeadlineNotice")
    notices = DeadlineNotice.objects.filter(
        deadline=CERTIFICATE_DEADLINE,
        content_type__app_label="institutions",
        content_type__model="certificate",
        step__in=[_step(months) for months in (6, 3, 1)],
    )
    existing = set(Certificate.objects.values_list("pk", flat=True))
    CertificateReminder.objects.bulk_create(
        [
            CertificateReminder(
                certificate_id=notice.object_id,
                months_before=int(notice.step.removeprefix("remind-").removesuffix("m")),
                expires_on=notice.due_on,
            )
            for notice in notices.iterator(chunk_size=BATCH)
            if notice.object_id in existing
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("institutions", "0004_sync_state_lock"),
        ("core", "0002_kit_workflows_deadlines_events_digest"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(reminders_copy, reminders_restore)]
