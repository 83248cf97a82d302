"""Run the same work in two threads at once, each with its own database connection."""

import threading

from django.db import connection


def run_at_once(work, times: int = 2, timeout: float = 60) -> list:
    """Start `work` in `times` threads released together; return what each returned or raised."""
    barrier = threading.Barrier(times)
    outcomes: list = []

    def run():
        try:
            barrier.wait()
            outcomes.append(work())
        except Exception as exc:  # noqa: BLE001 — returned to the test, which asserts on it
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return outcomes
