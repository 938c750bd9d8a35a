"""IR text as tokens over a fixed, versioned vocabulary (docs/tokens.md).

The tokenizer runs on either side of the socket: the worker computes the
``IrTokens`` observation with :func:`encode`, the client decodes ids with
:func:`decode`. The vocabulary is built by code from the tables below, so every
process and release gets the same ids until :data:`VOCABULARY_VERSION` changes.

A token that begins with :data:`GLUE` continues the previous one without a
space (the characters of a string, the digits of a large number, the letters of
a name spelled out). Every printable ASCII character is a token on its own and
as a continuation, so any text is tokenized without an unknown word.

The worker's ``IrTokens`` comes from :func:`encode_module`: the native helper
(``native/tokens.cpp``) prints the module and applies these same rules to the
text in one pass, over the vocabulary this module builds and hands it once.
:func:`encode` stays the reference that the native ids are tested against.
"""

from __future__ import annotations

import ctypes
import functools
import re
import sys
from array import array
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from service.proto.errors import CompilerNotFound, LlvmError

if TYPE_CHECKING:
    from service.llvm.module import Module

__all__ = [
    "GLUE",
    "VOCABULARY_VERSION",
    "decode",
    "encode",
    "encode_module",
    "native_encode",
    "normalize",
    "token_ids",
    "tokenize",
    "vocabulary",
]

#: Bumped whenever the vocabulary or the normalization changes.
VOCABULARY_VERSION = 1

#: The prefix of a token that continues the previous one without a space.
GLUE = "##"

PAD = "<pad>"
NEWLINE = "\n"

# Numbers below this are one token each; larger ones are spelled digit by digit.
_NUMBERS = 256
# Renamed identifiers below these counts are one token each; beyond, the prefix
# token is followed by the digits.
_LOCALS = 1024
_BLOCKS = 256
_GLOBALS = 256
_TYPE_NAMES = 64

_KEYWORDS = """
define declare global constant internal private external linkonce linkonce_odr weak
weak_odr common appending extern_weak available_externally dso_local dso_preemptable
unnamed_addr local_unnamed_addr hidden protected default thread_local section align
alignstack addrspace comdat gc prefix prologue personality attributes alias ifunc
zeroinitializer undef poison null none true false to x c blockaddress dso_local_equivalent
no_cfi asm sideeffect inteldialect
ret br switch indirectbr invoke resume unreachable cleanupret catchret catchswitch
callbr fneg add fadd sub fsub mul fmul udiv sdiv fdiv urem srem frem shl lshr ashr and
or xor extractelement insertelement shufflevector extractvalue insertvalue alloca load
store fence cmpxchg atomicrmw getelementptr trunc zext sext fptrunc fpext fptoui fptosi
uitofp sitofp ptrtoint inttoptr bitcast addrspacecast icmp fcmp phi select call tail
musttail notail va_arg landingpad catchpad cleanuppad freeze
eq ne ugt uge ult ule sgt sge slt sle oeq ogt oge olt ole one ord ueq une uno
nuw nsw exact disjoint nneg inbounds volatile atomic unordered monotonic acquire release
acq_rel seq_cst syncscope singlethread weak xchg nand max min umax umin fmax fmin
nnan ninf nsz arcp contract afn reassoc fast inrange samesite
ccc fastcc coldcc cc preserve_mostcc preserve_allcc
noundef nonnull dereferenceable dereferenceable_or_null signext zeroext inreg byval
byref preallocated inalloca sret noalias nocapture nofree nest returned swiftself
swifterror immarg writable dead_on_unwind noinline alwaysinline inlinehint minsize
optsize optnone nounwind noreturn norecurse willreturn nosync readnone readonly
writeonly argmemonly memory read write readwrite argmem inaccessiblemem
inaccessiblememonly cold hot convergent mustprogress uwtable sspstrong ssp sspreq
nocallback nomerge noduplicate noimplicitfloat nonlazybind returns_twice speculatable
speculative_load_hardening strictfp allocsize allockind allocptr alloc free realloc
uninitialized zeroed aligned range vscale_range nocf_check norecurse nobuiltin builtin
safestack sanitize_address sanitize_memory sanitize_thread null_pointer_is_valid
uwtable sync async cleanup catch filter within from unwind
""".split()

_TYPES = """
void i1 i8 i16 i32 i64 i128 half bfloat float double x86_fp80 fp128 ppc_fp128 ptr
label metadata token opaque type x86_amx vscale
""".split()

_PUNCTUATION_NO_SPACE_AFTER = frozenset({"(", "[", "<", "#", NEWLINE})
_PUNCTUATION_NO_SPACE_BEFORE = frozenset({",", ")", "]", ">"})

#: Functions a module declares often, kept as one token each.
_EXTERNAL_NAMES = """
printf puts putchar fprintf sprintf snprintf malloc calloc realloc free memcpy memset
memmove memcmp strlen strcmp strncmp strcpy strncpy strcat strchr exit abort abs labs
rand srand atoi atol qsort fflush fputs fwrite sqrt sin cos exp log pow fabs floor ceil
__assert_fail
llvm.lifetime.start.p0 llvm.lifetime.end.p0 llvm.memcpy.p0.p0.i64 llvm.memset.p0.i64
llvm.memmove.p0.p0.i64 llvm.memcpy.p0.p0.i32 llvm.memset.p0.i32 llvm.smax.i32
llvm.smin.i32 llvm.umax.i32 llvm.umin.i32 llvm.smax.i64 llvm.smin.i64 llvm.umax.i64
llvm.umin.i64 llvm.abs.i32 llvm.abs.i64 llvm.fshl.i32 llvm.fshr.i32 llvm.fshl.i64
llvm.fshr.i64 llvm.bswap.i32 llvm.bswap.i64 llvm.ctpop.i32 llvm.ctpop.i64 llvm.ctlz.i32
llvm.ctlz.i64 llvm.cttz.i32 llvm.cttz.i64 llvm.assume llvm.trap llvm.stacksave.p0
llvm.stackrestore.p0 llvm.experimental.noalias.scope.decl llvm.dbg.value
llvm.dbg.declare llvm.fmuladd.f64 llvm.fmuladd.f32 llvm.sqrt.f64 llvm.fabs.f64
llvm.umul.with.overflow.i64 llvm.sadd.with.overflow.i32 llvm.ssub.with.overflow.i32
llvm.vector.reduce.add.v4i32 llvm.vector.reduce.add.v8i32
""".split()

_CHARACTERS = [chr(code) for code in range(0x21, 0x7F)]
_ESCAPES = [f"\\{byte:02X}" for byte in range(256)]


@functools.cache
def vocabulary() -> tuple[str, ...]:
    """The token strings of :data:`VOCABULARY_VERSION`, an id's token at its index."""
    words: list[str] = [PAD, NEWLINE]
    words += _CHARACTERS  # also the punctuation
    words += [GLUE + c for c in (" ", *_CHARACTERS)]
    words += [GLUE + e for e in _ESCAPES]
    words += ['c"', "...", "%v", "%b", "%t", "@g", "@"]
    words += _KEYWORDS + _TYPES
    words += [str(n) for n in range(10, _NUMBERS)]  # 0-9 are characters already
    words += [f"%v{n}" for n in range(_LOCALS)]
    words += [f"%b{n}" for n in range(_BLOCKS)]
    words += [f"@g{n}" for n in range(_GLOBALS)]
    words += [f"%t{n}" for n in range(_TYPE_NAMES)]
    words += ["@" + name for name in _EXTERNAL_NAMES]
    return tuple(dict.fromkeys(words))  # the first of any repeated word keeps its place


@functools.cache
def token_ids() -> dict[str, int]:
    """Each token's id."""
    return {word: index for index, word in enumerate(vocabulary())}


# --- reading IR text -------------------------------------------------------------------

_NAME = r'(?:[-a-zA-Z$._0-9]+|"(?:[^"\\]|\\.)*")'
_LEXEME = re.compile(
    rf"""(?P<string>c?"(?:[^"]*)")
    |(?P<local>%{_NAME})
    |(?P<global>@{_NAME})
    |(?P<word>[-+a-zA-Z$._0-9]+)
    |(?P<comment>;.*)
    |(?P<space>\s+)
    |(?P<other>.)""",
    re.VERBOSE,
)
_TYPE_NAME = re.compile(rf"^(%{_NAME}) = type\b")
_LABEL = re.compile(rf"^({_NAME}):")
_DEFINED_GLOBAL = re.compile(rf"^(@{_NAME}) = (?!.*\bexternal\b)")
_DEFINED_FUNCTION = re.compile(rf"^define\b[^@]*(@{_NAME})\(")
_METADATA_KIND = re.compile(r"!(?![0-9])[-a-zA-Z$._0-9]+")
_DROPPED_LINES = ("!", "source_filename", "target ", ";", "uselistorder")
_INTEGER = re.compile(r"-?[0-9]+")


def _lines(text: str) -> Iterator[str]:
    for line in text.splitlines():
        line = line.strip()
        if line and not line.startswith(_DROPPED_LINES):
            yield line


def _lexemes(line: str) -> list[tuple[str, str]]:
    """A line's lexemes as (kind, text), without comments, spaces, metadata
    attachments (``!tbaa !5``) or quoted attributes."""
    found = [(m.lastgroup or "other", m.group()) for m in _LEXEME.finditer(line)]
    found = [(k, t) for k, t in found if k not in ("space", "comment")]
    kept: list[tuple[str, str]] = []
    i = 0
    while i < len(found):
        kind, text = found[i]
        if kind == "other" and text == "!" and i + 1 < len(found) and \
                _METADATA_KIND.fullmatch("!" + found[i + 1][1]) and \
                i + 3 < len(found) and found[i + 2][1] == "!":  # fmt: skip
            if kept and kept[-1][1] == ",":
                kept.pop()
            i += 4
            continue
        kept.append((kind, text))
        i += 1
    if line.startswith("attributes "):
        kept = _without_quoted_attributes(kept)
    return kept


def _without_quoted_attributes(lexemes: list[tuple[str, str]]) -> list[tuple[str, str]]:
    kept: list[tuple[str, str]] = []
    i = 0
    while i < len(lexemes):
        if lexemes[i][0] == "string":
            i += 3 if i + 2 < len(lexemes) and lexemes[i + 1][1] == "=" else 1
            continue
        kept.append(lexemes[i])
        i += 1
    return kept


def _spelled(text: str) -> list[str]:
    """``text`` character by character: the first a token, the rest continuations."""
    pieces = [piece for c in text for piece in _glued(c)]
    if pieces and pieces[0][len(GLUE) :] in _CHARACTERS:
        pieces[0] = pieces[0][len(GLUE) :]
    return pieces


def _glued(c: str) -> list[str]:
    """One character as continuations: itself, or the escapes of its UTF-8 bytes."""
    if " " <= c <= "\x7e":
        return [GLUE + c]
    return [f"{GLUE}\\{byte:02X}" for byte in c.encode()]


def _number(text: str, prefix: str = "") -> list[str]:
    """An integer (or a renamed id after ``prefix``) as one token or as digits."""
    word = prefix + text
    if word in token_ids():
        return [word]
    if prefix:
        return [prefix, *(GLUE + d for d in text)]
    if text.startswith("-"):
        return ["-", *(GLUE + d for d in text[1:])]
    return [text[0], *(GLUE + d for d in text[1:])]


def _string(text: str) -> list[str]:
    """A quoted string: its opening quote, then each character or escape glued."""
    opening = 'c"' if text.startswith("c") else '"'
    body = text[len(opening) : -1]
    glued: list[str] = []
    for piece in re.findall(r"\\[0-9A-Fa-f]{2}|.", body):
        glued += [GLUE + piece.upper()] if len(piece) == 3 else _glued(piece)
    return [opening, *glued, GLUE + '"']


class _Names:
    """Renames identifiers in order of first appearance (locals and blocks per function)."""

    def __init__(self, defined_globals: set[str], type_names: set[str]) -> None:
        self.defined = defined_globals
        self.type_names = type_names
        self.types: dict[str, int] = {}
        self.globals: dict[str, int] = {}
        self.locals: dict[str, int] = {}
        self.blocks: dict[str, int] = {}
        self.labels: set[str] = set()

    def start_function(self, labels: set[str]) -> None:
        self.locals, self.blocks, self.labels = {}, {}, labels

    def local(self, name: str) -> list[str]:
        if name in self.type_names:
            return _number(str(self.types.setdefault(name, len(self.types))), "%t")
        if name in self.labels:
            return _number(str(self.blocks.setdefault(name, len(self.blocks))), "%b")
        return _number(str(self.locals.setdefault(name, len(self.locals))), "%v")

    def global_(self, name: str) -> list[str]:
        if name in self.defined:
            return _number(str(self.globals.setdefault(name, len(self.globals))), "@g")
        if name in token_ids():
            return [name]
        return ["@", *(piece for c in name[1:] for piece in _glued(c))]


def _defined_globals(lines: Sequence[str]) -> set[str]:
    names = set()
    for line in lines:
        match = _DEFINED_FUNCTION.match(line) or _DEFINED_GLOBAL.match(line)
        if match:
            names.add(match.group(1))
    return names


def _function_labels(lines: Sequence[str], start: int) -> tuple[set[str], str | None]:
    """The block names of the function whose ``define`` line is ``lines[start]``,
    and the implicit name of its entry block when it has no label."""
    arguments = len(re.findall(r"%[0-9]+\b", lines[start].partition("(")[2]))
    labels = set()
    for line in lines[start + 1 :]:
        if line == "}":
            break
        match = _LABEL.match(line)
        if match:
            labels.add("%" + match.group(1))
    entry = None
    if start + 1 < len(lines) and not _LABEL.match(lines[start + 1]):
        entry = f"%{arguments}"
        labels.add(entry)
    return labels, entry


def _line_tokens(line: str, names: _Names) -> list[str]:
    label = _LABEL.match(line)
    if label:
        return [*names.local("%" + label.group(1)), GLUE + ":"]
    tokens: list[str] = []
    ids = token_ids()
    for kind, text in _lexemes(line):
        if kind == "string":
            tokens += _string(text)
        elif kind == "local":
            tokens += names.local(text)
        elif kind == "global":
            tokens += names.global_(text)
        elif kind == "word" and text in ids:
            tokens.append(text)
        elif kind == "word" and _INTEGER.fullmatch(text):
            tokens += _number(text)
        else:
            tokens += _spelled(text)
    return tokens


def tokenize(ir_text: str) -> list[str]:
    """The tokens of textual IR, after the normalization of docs/tokens.md."""
    lines = list(_lines(ir_text))
    type_names = {m.group(1) for m in map(_TYPE_NAME.match, lines) if m}
    names = _Names(_defined_globals(lines), type_names)
    tokens: list[str] = []
    for index, line in enumerate(lines):
        if line.startswith("define "):
            labels, entry = _function_labels(lines, index)
            names.start_function(labels)
            tokens += [*_line_tokens(line, names), NEWLINE]
            if entry is not None:
                tokens += [*names.local(entry), GLUE + ":", NEWLINE]
            continue
        tokens += [*_line_tokens(line, names), NEWLINE]
    return tokens


def encode(ir_text: str) -> array[int]:
    """The token ids of textual IR (int32)."""
    ids = token_ids()
    return array("i", (ids[token] for token in tokenize(ir_text)))


def detokenize(tokens: Iterable[str]) -> str:
    """The normalized text a token sequence spells."""
    parts: list[str] = []
    previous = NEWLINE
    for token in tokens:
        if token == PAD:
            continue
        if token.startswith(GLUE):
            parts.append(token[len(GLUE) :])
        else:
            if previous not in _PUNCTUATION_NO_SPACE_AFTER and \
                    token not in _PUNCTUATION_NO_SPACE_BEFORE and token != NEWLINE:  # fmt: skip
                parts.append(" ")
            parts.append(token)
        previous = token
    return "".join(parts)


def decode(ids: Iterable[int]) -> str:
    """The normalized text of token ids; raises IndexError for an id out of the vocabulary."""
    words = vocabulary()
    return detokenize(words[int(i)] for i in ids)


def normalize(ir_text: str) -> str:
    """Textual IR as its tokens spell it: ``decode(encode(text))`` without the ids."""
    return detokenize(tokenize(ir_text))


# --- the native tokenizer (worker side) -------------------------------------------------

_IdsOut = ctypes.POINTER(ctypes.c_void_p)
_SizeOut = ctypes.POINTER(ctypes.c_size_t)

#: The native helper's tokenizer functions: (result type, argument types).
_SIGNATURES: dict[str, tuple[Any, list[Any]]] = {
    "cenv_tokenizer_create": (
        ctypes.c_int,
        [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int64), ctypes.c_int, _IdsOut],
    ),
    "cenv_tokenizer_dispose": (None, [ctypes.c_void_p]),
    "cenv_tokenizer_size": (ctypes.c_int, [ctypes.c_void_p]),
    "cenv_tokens_text": (
        ctypes.c_int, [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, _IdsOut, _SizeOut]
    ),
    "cenv_tokens_module": (ctypes.c_int, [ctypes.c_void_p, ctypes.c_void_p, _IdsOut, _SizeOut]),
}
_REFERENCE = 1  # CENV_TOKENS_REFERENCE: the text needs this module's tokenizer


class _Native:
    """The helper's tokenizer over a table of token strings, freed with the object.
    The worker's, over :func:`vocabulary`, is made once per process and kept (it is
    only read, like the vocabulary itself)."""

    def __init__(self, helper: ctypes.CDLL, table: Sequence[str]) -> None:
        self.helper, self.handle = helper, ctypes.c_void_p()
        for name, (result, arguments) in _SIGNATURES.items():
            if not hasattr(helper, name):
                raise CompilerNotFound(
                    "the native helper service/llvm/_native is from an older version; "
                    "reinstall the package (pip install -e .)"
                )
            getattr(helper, name).restype = result
            getattr(helper, name).argtypes = arguments
        words = [word.encode() for word in table]
        offsets = (ctypes.c_int64 * (len(words) + 1))()
        for index, word in enumerate(words):
            offsets[index + 1] = offsets[index] + len(word)
        status = helper.cenv_tokenizer_create(b"".join(words), offsets, len(words),
                                              ctypes.byref(self.handle))  # fmt: skip
        if status != 0:
            raise LlvmError(
                f"the native tokenizer refused IrTokens' vocabulary (status {status}): a word "
                "repeats or a token its rules need is missing; the vocabulary must be "
                "service/llvm/tokens.py's, unedited"
            )

    def __del__(self) -> None:
        if self.handle and not sys.is_finalizing():
            self.helper.cenv_tokenizer_dispose(self.handle)

    def ids(self, function: Any, *arguments: Any) -> array[int] | None:
        """The ids a ``cenv_tokens_*`` function makes, or None when it defers to
        :func:`encode`."""
        data, count = ctypes.c_void_p(), ctypes.c_size_t()
        status = function(self.handle, *arguments, ctypes.byref(data), ctypes.byref(count))
        if status == _REFERENCE:
            return None
        if status != 0:
            raise LlvmError(f"the native tokenizer failed with status {status}")
        try:
            ids = array("i")
            ids.frombytes(ctypes.string_at(data, count.value * ids.itemsize))
            return ids
        finally:
            self.helper.cenv_free(data)


@functools.cache
def _native() -> _Native | None:
    from service.llvm import features

    helper = features.native_helper()
    return None if helper is None else _Native(helper, vocabulary())


def native_encode(ir_text: str) -> array[int] | None:
    """The native tokenizer's ids of textual IR: :func:`encode`'s, or None for text
    whose word boundaries fall next to a non-ASCII character (the native code has
    no Unicode letter tables; :func:`encode` handles such text).

    Raises:
        CompilerNotFound: the native helper was not built.
    """
    native = _native()
    if native is None:
        raise CompilerNotFound(
            "the native helper service/llvm/_native was not built: reinstall the package "
            "with LLVM's development headers present (Debian: llvm-19-dev)"
        )
    data = ir_text.encode("utf-8", "surrogatepass")
    return native.ids(native.helper.cenv_tokens_text, data, len(data))


def encode_module(module: Module) -> array[int]:
    """The ids of the module's textual IR (the ``IrTokens`` observation): the same as
    ``encode(features.ir_text(module))``, printed and tokenized natively when the
    helper is built."""
    from service.llvm import features

    native = _native()
    ids = None if native is None else native.ids(native.helper.cenv_tokens_module, module.handle)
    return encode(features.ir_text(module)) if ids is None else ids
