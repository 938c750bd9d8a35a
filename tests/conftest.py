"""Shared fixtures: the real service, run in-process, and envs connected to it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import compiler_env
from service.llvm.module import Context
from service.llvm.toolchain import Toolchain, find_toolchain
from service.server import RunningService, create_server


@pytest.fixture(scope="session")
def toolchain() -> Toolchain:
    return find_toolchain()


@pytest.fixture(scope="session")
def service() -> Iterator[RunningService]:
    """One real service for the whole run, its servicer in this process."""
    running = create_server(pool_size=2)
    yield running
    running.stop()


@pytest.fixture
def make_env(service: RunningService) -> Iterator[Callable[..., compiler_env.CompilerEnv]]:
    """Makes envs on the shared service and closes them after the test."""
    made: list[compiler_env.CompilerEnv] = []

    def make(env_id: str = "llvm-v0", **kwargs: object) -> compiler_env.CompilerEnv:
        env = compiler_env.make(env_id, service=service.address, **kwargs)
        made.append(env)
        return env

    yield make
    for env in made:
        env.close()


@pytest.fixture(scope="session")
def context() -> Iterator[Context]:
    ctx = Context()
    yield ctx
    ctx.close()


FAULTS = Path(__file__).parent / "faults"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Marks the sandbox and chaos tier: ``-m faults`` runs it alone, ``-m "not faults"``
    the rest."""
    for item in items:
        if FAULTS in item.path.parents:
            item.add_marker(pytest.mark.faults)
