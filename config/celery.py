import os

from celery import Celery, Task
from celery.signals import beat_init, worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


class KeyCheckedTask(Task):
    """A job run with keys that cannot read the key check fails before it touches a row."""

    def __call__(self, *args, **kwargs):
        from crypto.keycheck import KeyMismatch, problem

        if found := problem():
            raise KeyMismatch(found)
        return super().__call__(*args, **kwargs)


app = Celery("corridor", task_cls=KeyCheckedTask)
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_init.connect
@beat_init.connect
def refuse_to_start_with_wrong_keys(sender=None, **kwargs) -> None:
    from crypto.keycheck import verify_or_exit

    # SystemExit is not caught by Celery's signal dispatch: the process stops.
    verify_or_exit("jobs")
