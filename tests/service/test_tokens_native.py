"""The native IrTokens tokenizer gives the ids of the Python one (service/llvm/tokens.py)."""

from __future__ import annotations

import itertools
from array import array

import pytest

from service import benchmarks
from service.llvm import features, tokens
from service.llvm.module import Context
from service.proto.errors import LlvmError
from tests.helpers import KERNELS, kernel_module

GLUED = tokens.GLUE


def spelled(ids: array[int]) -> list[str]:
    words = tokens.vocabulary()
    return [words[i] for i in ids]


def check_text(text: str) -> array[int]:
    """The native ids of ``text``, checked against the reference's."""
    native = tokens.native_encode(text)
    assert native is not None, "the native tokenizer deferred to the reference"
    assert spelled(native) == tokens.tokenize(text)
    assert native == tokens.encode(text)
    return native


def check_module(context: Context, text: str) -> None:
    """``text`` parsed, printed and tokenized natively, against the reference on its IR."""
    with context.parse(text.encode(), "snippet") as module:
        printed = features.ir_text(module)
        assert tokens.encode_module(module) == tokens.encode(printed)
    check_text(printed)


def test_every_kernel(context: Context) -> None:
    assert len(KERNELS) == 31
    for uri in KERNELS:
        with kernel_module(context, uri) as module:
            expected = tokens.encode(features.ir_text(module))
            assert tokens.encode_module(module) == expected, uri
            module.run_passes("default<Oz>")  # phis, selects, merged blocks, intrinsics
            assert tokens.encode_module(module) == tokens.encode(features.ir_text(module)), uri


def test_csmith_programs(context: Context) -> None:
    for seed in range(20):
        uri = f"generator://csmith-v0/{seed}"
        with context.parse(benchmarks.resolve(uri).bitcode, uri) as module:
            if seed % 4 == 0:
                module.run_passes("function(sroa,simplifycfg,instcombine<no-verify-fixpoint>)")
            text = features.ir_text(module)
            assert tokens.encode_module(module) == tokens.encode(text), uri


STRINGS = (
    '@s = private constant [9 x i8] c"a\\\\b\\22q\\0a\\FF\\e9\\00"\n'
    '@u = constant [11 x i8] c"caf\u00e9 \u2603\t\x7f"\n'  # raw UTF-8, a tab, DEL
    '@v = global ptr @"a b", section "text \\5C"\n'
    '@"a b" = global i32 0\n'
)

NAMES = (
    '%"my type" = type { i32 }\n'
    "%struct.S = type { i32, ptr }\n"
    '@"quoted \\22 name" = global %"my type" zeroinitializer\n'
    '@"ext \\01" = external global i32\n'
    "@printf.like = external global i32\n"
    "declare i32 @printf(ptr, ...)\n"
    'define void @"f g"(ptr %"arg one", i32 %0) {\n'
    '"entry block":\n'
    '  %"x y" = load i32, ptr %"arg one"\n'
    "  br label %next\n"
    "next:\n"
    '  call void @"f g"(ptr @"quoted \\22 name", i32 %"x y")\n'
    "  ret void\n"
    "}\n"
)

NUMBERS = (
    "@big = global i64 -9223372036854775808\n"
    "@huge = global i128 170141183460469231731687303715884105727\n"
    "@small = global [5 x i32] [i32 -1, i32 0, i32 255, i32 256, i32 -256]\n"
    "@f = global double 1.000000e+00\n"
    "@h = global double 0x7FF0000000000000\n"
    "@z = global i32 007\n"
)

ATTACHMENTS = (
    "define i32 @f(ptr %p) !dbg !1 {\n"
    "  %x = load i32, ptr %p, align 4, !tbaa !3, !range !5, !noundef !{}\n"
    "  %y = add i32 %x, 1, !annotation !{!\"a\"}\n"
    "  call void @llvm.dbg.value(metadata i32 %y, metadata !7, metadata !DIExpression())\n"
    "  br label %exit, !llvm.loop !14\n"
    "exit:\n"
    "  ret i32 %y, !dbg ! 9\n"
    "}\n"
    "!3 = !{!4, !4, i64 0}\n"
)

ATTRIBUTES = (
    'attributes #0 = { noinline nounwind "target-cpu"="x86-64" "no-trapping-math" uwtable }\n'
    'attributes #1 = { "a"="b" "c"= }\n'
    'attributes #2 = { c"x" "last"="one" }\n'
)

ODD_TEXT = (
    "  ; a comment line\r\n"
    "source_filename = \"x.c\"\r\n"
    'target triple = "x86_64"\n'
    "uselistorder ptr @f, { 1, 0 }\n"
    "\n\t\x0b\x0c\n"
    "@a = global i32 1\x1c@b = global i32 2\x85@c = global i32 3\u2028"
    "@d = global i32 4\u00a0 \x1f\n"
    "@e = global [3 x i8] c\"open\n"  # an unterminated string
    '@q = global ptr %"unterminated\n'
    "@s = external global i32 ; not externally\n"
    "@t = global i32 0 ; external\n"
    '@u = global [8 x i8] c"external"\n'
    "%0 = type opaque\n"
    "%typed = type{ i8 }\n"
    "%notatype = typed\n"
    "weird * tokens ~ ` | \x01 \u00e9\n"
)


@pytest.mark.parametrize(
    "text",
    [STRINGS + '@t = constant [3 x i8] c"x\\4"\n', NAMES, NUMBERS, ATTACHMENTS, ATTRIBUTES,
     ODD_TEXT],  # fmt: skip
    ids=["strings", "names", "numbers", "attachments", "attributes", "odd text"],
)
def test_snippets(text: str) -> None:
    check_text(text)


def test_snippets_through_a_module(context: Context) -> None:
    for text in (STRINGS, NAMES, NUMBERS):
        check_module(context, text)


def test_a_string_of_every_byte(context: Context) -> None:
    body = "".join(f"\\{byte:02x}" for byte in range(256))
    check_module(context, f'@all = constant [256 x i8] c"{body}"\n')
    one_line = [chr(code) for code in range(1, 0x800) if len(f"a{chr(code)}b".splitlines()) == 1]
    raw = "".join(c for c in one_line if c != '"')
    ids = spelled(check_text(f'@raw = global [1 x i8] c"{raw}"\n'))
    assert ids[-4:] == [GLUED + "\\DF", GLUED + "\\BF", GLUED + '"', "\n"]  # U+07FF's bytes


def many_names(count: int) -> str:
    """A module with ``count`` locals, blocks, globals and named types each."""
    lines = [f"%T{i} = type {{ i{i % 64 + 1} }}" for i in range(count)]
    lines += [f"@G{i} = global %T{i} zeroinitializer" for i in range(count)]
    lines += ["define i64 @f(i64 %a) {", "entry:", "  br label %B0"]
    for i in range(count):
        previous = "%a" if i == 0 else f"%v{i - 1}"
        lines += [f"B{i}:", f"  %v{i} = add i64 {previous}, {i * 1000}"]
        lines += [f"  store ptr @G{i}, ptr @G{i}", f"  br label %B{i + 1}"]
    lines += [f"B{count}:", f"  ret i64 %v{count - 1}", "}"]
    return "\n".join(lines) + "\n"


def test_more_names_than_one_token_each(context: Context) -> None:
    text = many_names(1100)  # beyond %v1023, %b255, @g255 and %t63
    ids = spelled(check_text(text))
    for prefix, first_spelled in (("%v", 1024), ("%b", 256), ("@g", 256), ("%t", 64)):
        assert f"{prefix}{first_spelled - 1}" in ids and f"{prefix}{first_spelled}" not in ids
        digits = [GLUED + d for d in str(first_spelled)]
        assert any(ids[i : i + 1 + len(digits)] == [prefix, *digits] for i in range(len(ids)))
    check_module(context, text)


def test_implicit_entry_blocks(context: Context) -> None:
    text = (
        "define i32 @f(i32 %0, i32 %1) {\n  %3 = add i32 %0, %1\n  br label %4\n"
        "4:\n  ret i32 %3\n}\n"
        "define i32 @g(i32 %x) {\n  ret i32 %x\n}\n"
    )
    assert spelled(check_text(text)).count("%b0") == 2
    check_module(context, text)
    # The entry is named after the define line's %N words: %1x is none, so it is %1.
    odd = "define i32 @h(i32 %0, i32 %1x) {\n  %2 = add i32 %1, %0\n  ret i32 %2\n}\n"
    assert "%v2 = add i32 %b0, %v0\n" in tokens.decode(check_text(odd))


def test_word_boundaries_next_to_other_letters_defer_to_the_reference() -> None:
    text = "@x = global i32 0 ; external\u00e9\n"  # \bexternal\b does not match here
    assert tokens.native_encode(text) is None
    assert tokens.normalize(text) == "@g0 = global i32 0\n"  # the reference's reading
    check_text("@x = global i32 0 ; external \u00e9\n")


def test_the_vocabulary_is_the_python_table() -> None:
    helper = features.native_helper()
    assert helper is not None
    words = tokens.vocabulary()
    native = tokens._Native(helper, words)
    assert helper.cenv_tokenizer_size(native.handle) == len(words)
    text = many_names(300) + STRINGS + ATTRIBUTES
    expected = tokens.tokenize(text)
    # The same rules over another table: ids follow the table handed over, token by token.
    shuffled = tuple(reversed(words))
    other = tokens._Native(helper, shuffled)
    data = text.encode()
    ids = other.ids(helper.cenv_tokens_text, data, len(data))
    assert ids is not None and [shuffled[i] for i in ids] == expected


def test_a_table_without_the_tokens_the_rules_need_is_refused() -> None:
    helper = features.native_helper()
    words = tokens.vocabulary()
    for broken in ([w for w in words if w != "##:"], [*words, words[5]]):
        with pytest.raises(LlvmError, match="refused IrTokens' vocabulary"):
            tokens._Native(helper, tuple(broken))


def test_empty_text() -> None:
    assert len(check_text("")) == 0
    assert len(check_text("; only a comment\n\n")) == 0
    assert list(itertools.islice(check_text("x"), 2)) == [tokens.token_ids()["x"], 1]
