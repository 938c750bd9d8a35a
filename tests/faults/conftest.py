"""The fault tier: a service that lets tests crash, hang and starve its workers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from service.sandbox import SandboxLimits
from service.server import RunningService, create_server
from tests.helpers import DEADLINE, MEMORY_MIB


@pytest.fixture(scope="module")
def faulty_service() -> Iterator[RunningService]:
    running = create_server(
        pool_size=1,
        fault_injection=True,
        limits=SandboxLimits(request_timeout=DEADLINE, address_space_mib=MEMORY_MIB),
    )
    yield running
    running.stop()
