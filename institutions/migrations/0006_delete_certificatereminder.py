from django.db import migrations


class Migration(migrations.Migration):
    # A migration of its own: the copy in 0005 commits before the table it reads is dropped.
    dependencies = [
        ("institutions", "0005_certificate_reminders_to_deadline_notices"),
    ]

    operations = [
        migrations.DeleteModel(
            name="CertificateReminder",
        ),
    ]
