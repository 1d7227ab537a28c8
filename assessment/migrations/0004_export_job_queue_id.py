from django.db import migrations, models


class Migration(migrations.Migration):
    """A background job is a job: its queue's id is no longer called a task id, since tasks (整改任务)
    are the rectification tasks of the assessment."""

    dependencies = [
        ("assessment", "0003_add_subsidies"),
    ]

    operations = [
        migrations.RenameField(model_name="exportjob", old_name="task_id", new_name="queue_id"),
        migrations.AlterField(
            model_name="exportjob",
            name="queue_id",
            field=models.CharField(blank=True, max_length=64, verbose_name="队列编号"),
        ),
    ]
