# The evacuation fixtures: a verified case, its plan and a way to add legs.
from tests.evacuations.conftest import active_case, add_leg, plan  # noqa: F401
