"""The domain events 04 中心建设 records (sujt.core.events), for modules above it (credit) to subscribe to.

Recorded in the transaction of its cause, with `institution=` the host institution, `source=` the center
and a key naming it, so it happens once per center however often the service runs.
"""

CENTER_RUNNING = "centers.center_running"
"""A center is in operation: its acceptance passed, or a regulator verified the registration of a center
accepted outside the system. Source: the Center. Key `centers.center:<id>:running`.
Payload: center_id, level (national/provincial), kind (quality/metrology/measurement), running_on (ISO
date: the acceptance date)."""

KINDS = (CENTER_RUNNING,)
