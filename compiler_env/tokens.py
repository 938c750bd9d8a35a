"""The ``IrTokens`` observation on the client: its vocabulary, and ids back to text.

``IrTokens`` is the module's IR as int32 ids into :func:`vocabulary`, a fixed
list of token strings versioned by :data:`VOCABULARY_VERSION` (docs/tokens.md).
Decoding gives the normalized IR text, the same text :func:`normalize` makes from
the ``Ir`` observation:

>>> from compiler_env import tokens
>>> text = "define i32 @f(i32 %x) {\\n  %sum = add i32 %x, 1 ; plus one\\n  ret i32 %sum\\n}\\n"
>>> print(tokens.normalize(text))
define i32 @g0 (i32 %v0) {
%b0:
%v1 = add i32 %v0, 1
ret i32 %v1
}
<BLANKLINE>
>>> tokens.decode(tokens.encode(text)) == tokens.normalize(text)
True
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
from numpy.typing import NDArray

from service.llvm import tokens as _tokens
from service.proto.errors import InvalidArgument

__all__ = ["GLUE", "VOCABULARY_VERSION", "decode", "encode", "normalize", "tokenize", "vocabulary"]

VOCABULARY_VERSION = _tokens.VOCABULARY_VERSION
GLUE = _tokens.GLUE
tokenize = _tokens.tokenize
normalize = _tokens.normalize


def vocabulary() -> list[str]:
    """The token strings: id ``i`` is ``vocabulary()[i]``. Id 0 is ``"<pad>"``, which
    decodes to nothing (for padding batches); a token starting with :data:`GLUE`
    continues the previous one without a space."""
    return list(_tokens.vocabulary())


def encode(ir_text: str) -> NDArray[np.int32]:
    """The ids of textual IR, as the ``IrTokens`` observation has them."""
    return np.frombuffer(_tokens.encode(ir_text), dtype=np.int32).copy()


def decode(ids: Iterable[int] | NDArray[np.integer]) -> str:
    """The normalized IR text that token ids spell.

    Raises:
        InvalidArgument: an id is outside the vocabulary (a ``ValueError``).
    """
    values = np.asarray(ids).ravel()
    size = len(_tokens.vocabulary())
    bad = values[(values < 0) | (values >= size)]
    if bad.size:
        raise InvalidArgument(
            f"token id {int(bad[0])} is outside IrTokens' vocabulary (ids 0..{size - 1}, "
            f"version {VOCABULARY_VERSION}); decode ids made with the same vocabulary version"
        )
    return _tokens.decode(values.tolist())
