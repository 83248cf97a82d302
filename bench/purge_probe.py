"""Run the retention purge in a fresh process; print its count, time and peak memory as JSON."""

import json
import resource
import time

from common import django_setup


def rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def main():
    django_setup()
    from retention.models import RetentionPolicy
    from retention.services import purge_expired

    RetentionPolicy.current()  # connect and load before the baseline
    start_mb = rss_mb()
    start = time.perf_counter()
    purged = sum(purge_expired().values())
    seconds = time.perf_counter() - start
    print(
        json.dumps(
            {
                "purged": purged,
                "seconds": round(seconds, 3),
                "start_mb": start_mb,
                "peak_mb": rss_mb(),
            }
        )
    )


if __name__ == "__main__":
    main()
