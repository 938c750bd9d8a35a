"""Whether two episodes hold the same program (docs/identity.md).

An episode's ``Ir``, ``IrSha1`` and ``IrHash`` do not depend on the
benchmark's URI or on where its file is stored, but they do see two things
that only a module in memory has and that saving it as bitcode and loading it
again (the ``Bitcode`` observation, or ``opt``'s output) changes: the order of
each value's uses, which ``Ir`` shows in its ``; preds =`` comments, and
attributes that LLVM's readers reset on intrinsic declarations. The
``IrCanonicalHash`` observation is the ``IrHash`` of the module as it reads
back from its own bitcode, so neither changes it; ``same_program`` compares it.

>>> from compiler_env.identity import program_hash
>>> program_hash("0123456789abcdef0123456789abcdef")
'0123456789abcdef0123456789abcdef'
"""

from __future__ import annotations

from typing import Any

import gymnasium

from compiler_env.env import CompilerEnv
from compiler_env.errors import InvalidArgument

__all__ = ["PROGRAM_HASH", "Program", "program_hash", "same_program"]

#: The observation space that names a program.
PROGRAM_HASH = "IrCanonicalHash"
_HASH_DIGITS = 32

#: An env (or a Gymnasium wrapper of one), or an ``IrCanonicalHash`` it gave.
Program = CompilerEnv | gymnasium.Env | str


def program_hash(program: Program) -> str:
    """The ``IrCanonicalHash`` of an env's current program.

    Args:
        program: an env, a Gymnasium wrapper of one, or a hash kept from
            earlier (returned as it is, once checked).

    Raises:
        InvalidArgument: ``program`` is neither an env nor such a hash.
    """
    if isinstance(program, str):
        if len(program) != _HASH_DIGITS or not set(program) <= set("0123456789abcdef"):
            raise InvalidArgument(
                f"{program!r} is not an {PROGRAM_HASH}: expected {_HASH_DIGITS} lowercase hex "
                f'digits, as env.observation["{PROGRAM_HASH}"] gives'
            )
        return program
    env: Any = program.unwrapped if isinstance(program, gymnasium.Env) else program
    if not isinstance(env, CompilerEnv):
        raise InvalidArgument(
            f"cannot tell the program of a {type(program).__name__}: give a compiler_env env "
            f"(or a wrapper of one), or an {PROGRAM_HASH} string"
        )
    return str(env.observation[PROGRAM_HASH])


def same_program(a: Program, b: Program) -> bool:
    """Whether ``a`` and ``b`` hold the same program, however each was reached.

    Two episodes whose modules differ only in what a bitcode round trip
    changes (the order of uses, attributes reset on intrinsic declarations)
    or in their names (``; ModuleID``, ``source_filename``) hold the same
    program; any other change to code, globals, attributes or metadata makes
    them different. Each env computes one ``IrCanonicalHash``.

    Args:
        a: an env, a Gymnasium wrapper of one, or an ``IrCanonicalHash``.
        b: the same.

    Raises:
        InvalidArgument: ``a`` or ``b`` is neither.
    """
    return program_hash(a) == program_hash(b)
