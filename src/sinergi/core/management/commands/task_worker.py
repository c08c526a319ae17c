"""``db_worker`` that outlives a database restart: the database queue's worker, unchanged,
except that losing its connection (PostgreSQL restarted, or the connection ended) makes it
reconnect and go on instead of exiting.

django-tasks-db's worker raises out of its loop when the connection dies while it claims a
task or records a result; a task's own failure is already recorded on a new connection
(core.tasks). The task whose result could not be recorded stays marked as running in the
queue; import chunks do not depend on that mark (their own lease brings them back).
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.db import connections
from django.db.utils import InterfaceError, OperationalError
from django_tasks_db.management.commands import db_worker

logger = logging.getLogger("sinergi.tasks")


class ReconnectingWorker(db_worker.Worker):
    def run(self) -> None:
        pause = 0.5
        while self.running:
            try:
                super().run()
                return
            except (OperationalError, InterfaceError) as exc:
                logger.warning("task worker lost its database connection (%s); reconnecting", exc)
                for conn in connections.all(initialized_only=True):
                    conn.close_if_unusable_or_obsolete()
                time.sleep(pause)  # the database may still be starting: back off, bounded
                pause = min(pause * 2, 30.0)


class Command(db_worker.Command):
    help = "Run the database queue's tasks; reconnects when the database goes away."

    def handle(self, **options: Any) -> None:
        # db_worker.Command builds its worker from the module's Worker: lend it ours.
        original = db_worker.Worker
        db_worker.Worker = ReconnectingWorker  # type: ignore[misc]
        try:
            super().handle(**options)
        finally:
            db_worker.Worker = original  # type: ignore[misc]
