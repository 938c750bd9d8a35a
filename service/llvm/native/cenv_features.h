/*
 * cenv_features.h - native observation helpers for LLVM modules.
 *
 * A small C++17 library with a C ABI.  It computes the cheap, frequently
 * requested observations of an LLVM module (instruction counts, per-opcode
 * histogram, Autophase feature vector) in a single walk over the IR, without
 * allocating memory.  The interface takes LLVM C API handles; the walks use
 * LLVM's C++ API (features.cpp).
 *
 * ABI
 * ---
 * The library is meant to be loaded with Python ctypes.  The caller passes an
 * LLVMModuleRef that it obtained from the *same* libLLVM instance this library
 * is linked against (libLLVM.so.19.1).  Mixing modules from another LLVM build
 * is undefined behaviour.  Because the library reads LLVM's C++ objects
 * directly, it must also be compiled against the headers of that same LLVM.
 *
 * All counters are int64_t.  Output arrays are caller-owned; the library never
 * keeps a pointer to them (or to the module) after a call returns.
 *
 * Functions filling an array return 0 on success and a negative CENV_E_* code
 * when an argument is invalid, in which case the array is left untouched.
 * Only the first *_SIZE entries of an output array are written; any entries
 * beyond that are left as they were.
 *
 * The library has no global mutable state; calls on different modules may run
 * concurrently.  Calls on the same module (or on modules sharing an
 * LLVMContext) must not race with code that modifies that module/context.
 * The module and its context are only read.
 *
 * Building
 * --------
 *   c++ -O2 -shared -fPIC $(llvm-config-19 --cxxflags) -DNDEBUG features.cpp \
 *      -L/usr/lib/llvm-19/lib -lLLVM-19 -Wl,-rpath,/usr/lib/llvm-19/lib \
 *      -o libfeatures.so
 * (-DNDEBUG when LLVM was built without assertions, `llvm-config
 * --assertion-mode` OFF; add -fno-rtti when `llvm-config --has-rtti` is NO.
 * setup.py does all of this during the package's install.)
 *
 * ctypes prototypes (for reference):
 *
 *   lib.cenv_instruction_count.argtypes = [c_void_p]
 *   lib.cenv_instruction_count.restype  = c_int64
 *   lib.cenv_walk_count.argtypes = [c_void_p]
 *   lib.cenv_walk_count.restype  = c_int64
 *   lib.cenv_instcount.argtypes = [c_void_p, POINTER(c_int64), c_int]
 *   lib.cenv_instcount.restype  = c_int
 *   lib.cenv_autophase.argtypes = [c_void_p, POINTER(c_int64), c_int]
 *   lib.cenv_autophase.restype  = c_int
 *   lib.cenv_instcount_size.restype = c_int     (and the other *_size /
 *   lib.cenv_max_opcode.restype     = c_int      cenv_max_opcode getters)
 *   lib.cenv_autophase_name.argtypes = [c_int]
 *   lib.cenv_autophase_name.restype  = c_char_p
 *   lib.cenv_emit_object.argtypes = [c_void_p, c_void_p, POINTER(c_void_p),
 *                                    POINTER(c_void_p)]
 *   lib.cenv_emit_object.restype  = c_int
 */
#ifndef CENV_LLVM_NATIVE_FEATURES_H
#define CENV_LLVM_NATIVE_FEATURES_H

#include <stdint.h>

#include <llvm-c/TargetMachine.h>
#include <llvm-c/Types.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define CENV_API __declspec(dllexport)
#elif defined(__GNUC__)
#define CENV_API __attribute__((visibility("default")))
#else
#define CENV_API
#endif

/* Error codes (negative return values). */
#define CENV_E_NULL_MODULE (-1) /* module argument is NULL */
#define CENV_E_NULL_OUT (-2)    /* output array is NULL */
#define CENV_E_SHORT_OUT (-3)   /* output array shorter than required */
#define CENV_E_NULL (-4)        /* a pointer argument is NULL */
#define CENV_E_NAME_TAKEN (-5)  /* the module already has a value of that name */

/*
 * Largest LLVMOpcode value defined by LLVM 19's llvm-c/Core.h
 * (LLVMFreeze = 68).  Values 6, 47 (UserOp1) and 48 (UserOp2) are defined or
 * reserved but never produced for real instructions, so their slots are
 * always 0.
 */
#define CENV_MAX_OPCODE 68

/*
 * Layout of the cenv_instcount() output:
 *   out[0]                 functions that have a body (at least one block)
 *   out[1]                 basic blocks
 *   out[2]                 instructions
 *   out[3 + (op - 1)]      instructions with LLVMGetInstructionOpcode() == op,
 *                          for op in 1..CENV_MAX_OPCODE
 * i.e. the count of opcode `op` is at index CENV_INSTCOUNT_OPCODE_BASE-1+op.
 */
#define CENV_INSTCOUNT_FUNCTIONS 0
#define CENV_INSTCOUNT_BLOCKS 1
#define CENV_INSTCOUNT_INSTRUCTIONS 2
#define CENV_INSTCOUNT_OPCODE_BASE 3
#define CENV_INSTCOUNT_SIZE (CENV_INSTCOUNT_OPCODE_BASE + CENV_MAX_OPCODE) /* 71 */

/*
 * Autophase feature indices (Haj-Ali et al., MLSys 2020).  The exact
 * definition of every feature is given in docs/observations-autophase.md and
 * in the comments of features.cpp.
 */
enum cenv_autophase_feature {
  CENV_AP_BBNumArgsHi = 0,
  CENV_AP_BBNumArgsLo = 1,
  CENV_AP_onePred = 2,
  CENV_AP_onePredOneSuc = 3,
  CENV_AP_onePredTwoSuc = 4,
  CENV_AP_oneSuccessor = 5,
  CENV_AP_twoPred = 6,
  CENV_AP_twoPredOneSuc = 7,
  CENV_AP_twoEach = 8,
  CENV_AP_twoSuccessor = 9,
  CENV_AP_morePreds = 10,
  CENV_AP_BB03Phi = 11,
  CENV_AP_BBHiPhi = 12,
  CENV_AP_BBNoPhi = 13,
  CENV_AP_BeginPhi = 14,
  CENV_AP_BranchCount = 15,
  CENV_AP_returnInt = 16,
  CENV_AP_CriticalCount = 17,
  CENV_AP_NumEdges = 18,
  CENV_AP_const32Bit = 19,
  CENV_AP_const64Bit = 20,
  CENV_AP_numConstZeroes = 21,
  CENV_AP_numConstOnes = 22,
  CENV_AP_UncondBranches = 23,
  CENV_AP_binaryConstArg = 24,
  CENV_AP_NumAShrInst = 25,
  CENV_AP_NumAddInst = 26,
  CENV_AP_NumAllocaInst = 27,
  CENV_AP_NumAndInst = 28,
  CENV_AP_BlockMid = 29,
  CENV_AP_BlockLow = 30,
  CENV_AP_NumBitCastInst = 31,
  CENV_AP_NumBrInst = 32,
  CENV_AP_NumCallInst = 33,
  CENV_AP_NumGetElementPtrInst = 34,
  CENV_AP_NumICmpInst = 35,
  CENV_AP_NumLShrInst = 36,
  CENV_AP_NumLoadInst = 37,
  CENV_AP_NumMulInst = 38,
  CENV_AP_NumOrInst = 39,
  CENV_AP_NumPHIInst = 40,
  CENV_AP_NumRetInst = 41,
  CENV_AP_NumSExtInst = 42,
  CENV_AP_NumSelectInst = 43,
  CENV_AP_NumShlInst = 44,
  CENV_AP_NumStoreInst = 45,
  CENV_AP_NumSubInst = 46,
  CENV_AP_NumTruncInst = 47,
  CENV_AP_NumXorInst = 48,
  CENV_AP_NumZExtInst = 49,
  CENV_AP_TotalBlocks = 50,
  CENV_AP_TotalInsts = 51,
  CENV_AP_TotalMemInst = 52,
  CENV_AP_TotalFuncs = 53,
  CENV_AP_ArgsPhi = 54,
  CENV_AP_testUnary = 55
};
#define CENV_AUTOPHASE_SIZE 56

/* Number of instructions in all function bodies of `m`, or CENV_E_NULL_MODULE. */
CENV_API int64_t cenv_instruction_count(LLVMModuleRef m);

/*
 * The same number as cenv_instruction_count(), computed with one LLVM C API
 * call per function, block and instruction (LLVMGetFirstFunction ...
 * LLVMGetNextInstruction).  A reference point for measuring the cost of the
 * other functions; not meant for production use.
 */
CENV_API int64_t cenv_walk_count(LLVMModuleRef m);

/*
 * Fill out[0 .. CENV_INSTCOUNT_SIZE-1] with the layout described above.
 * `n` is the capacity of `out` and must be >= CENV_INSTCOUNT_SIZE.
 */
CENV_API int cenv_instcount(LLVMModuleRef m, int64_t *out, int n);

/*
 * Fill out[0 .. CENV_AUTOPHASE_SIZE-1] with the Autophase features, in the
 * order of enum cenv_autophase_feature.  `n` must be >= CENV_AUTOPHASE_SIZE.
 */
CENV_API int cenv_autophase(LLVMModuleRef m, int64_t *out, int n);

/* Runtime copies of the compile-time sizes, for ctypes callers. */
CENV_API int cenv_instcount_size(void);   /* CENV_INSTCOUNT_SIZE (71) */
CENV_API int cenv_max_opcode(void);       /* CENV_MAX_OPCODE (68) */
CENV_API int cenv_autophase_size(void);   /* CENV_AUTOPHASE_SIZE (56) */

/*
 * Name of Autophase feature `i` (e.g. "BBNumArgsHi"), a static string, or
 * NULL when i is out of range.  Lets callers check the feature order.
 */
CENV_API const char *cenv_autophase_name(int i);

/*
 * Compiles module `m` to an object file with target machine `tm`, as clang's
 * backend does: with the library information of the module's triple (the C
 * API's own emission has none, so it treats every library call as unknown and
 * gives other code).  Code generation changes the module: pass a copy.
 * Returns 0 and sets *object (free with LLVMDisposeMemoryBuffer), or returns 1
 * and sets *error (free with LLVMDisposeMessage).
 */
CENV_API int cenv_emit_object(LLVMModuleRef m, LLVMTargetMachineRef tm,
                              LLVMMemoryBufferRef *object, char **error);

/*
 * Instruments module `m` to count the instructions it executes: each basic
 * block adds its size (in instructions, before instrumentation) to the i64
 * external global named `counter`, which the caller's runtime defines.
 * Returns 0, CENV_E_NULL, or CENV_E_NAME_TAKEN when `counter` names a value of
 * the module.  Changes the module: pass a copy.
 */
CENV_API int cenv_instrument_block_counts(LLVMModuleRef m, const char *counter);

/*
 * IrHash: writes a 128-bit structural hash of module `m` as 32 lowercase hex
 * digits and a NUL to `out` (at least CENV_IR_HASH_SIZE bytes).  Equal IR
 * gives an equal hash in any process; values are hashed by position and name,
 * never by address (hash.cpp).  Returns 0, CENV_E_NULL or CENV_E_SIZE.
 */
#define CENV_IR_HASH_SIZE 33
#define CENV_E_SIZE (-6) /* an output buffer is too small */
CENV_API int cenv_ir_hash(LLVMModuleRef m, char *out, int size);

/*
 * The textual IR of module `m`, as LLVMPrintModuleToString gives it, printed
 * through a buffer (text.cpp).  Sets *text (NUL-terminated; free with
 * cenv_free) and *size; returns 0 or CENV_E_NULL.
 */
CENV_API int cenv_print_module(LLVMModuleRef m, char **text, size_t *size);
CENV_API void cenv_free(void *pointer);

/*
 * The bitcode of module `m` with its use-list order, as opt writes it
 * (emit.cpp); LLVMWriteBitcodeToMemoryBuffer leaves that order out.  Sets
 * *data (free with cenv_free) and *size; returns 0 or CENV_E_NULL.
 */
CENV_API int cenv_write_bitcode(LLVMModuleRef m, char **data, size_t *size);

#ifdef __cplusplus
}
#endif

#endif /* CENV_LLVM_NATIVE_FEATURES_H */

/*
 * Incremental text size (codesize.cpp, docs/codesize.md)
 * ------------------------------------------------------
 * The size of the .text and .text.* sections of the object file that
 * cenv_emit_object() makes of a module, computed by compiling only the
 * functions whose code may have changed since an earlier call on the same
 * cache, and laying their sizes out as the assembler does.  A cache belongs to
 * one caller (one episode); it is not thread safe.
 *
 *   lib.cenv_codesize_create.restype = c_void_p
 *   lib.cenv_codesize_dispose.argtypes = [c_void_p]
 *   lib.cenv_codesize_text_size.argtypes = [c_void_p, c_void_p, c_void_p,
 *                                           POINTER(c_int64), POINTER(c_void_p)]
 *   lib.cenv_codesize_text_size.restype = c_int
 *   lib.cenv_codesize_remember.argtypes = [c_void_p, c_int64]
 *   lib.cenv_codesize_stats.argtypes = [c_void_p, POINTER(c_int64), c_int]
 *   lib.cenv_codesize_reason.argtypes = [c_int]
 *   lib.cenv_codesize_reason.restype = c_char_p
 */
#ifndef CENV_LLVM_NATIVE_CODESIZE_H
#define CENV_LLVM_NATIVE_CODESIZE_H

#ifdef __cplusplus
extern "C" {
#endif

/* Return values of cenv_codesize_text_size() besides 0 and CENV_E_NULL. */
#define CENV_CODESIZE_FULL 1  /* compile the whole module, then cenv_codesize_remember() */
#define CENV_CODESIZE_ERROR 2 /* *error is set (free with LLVMDisposeMessage) */

/* Why a call returned CENV_CODESIZE_FULL (cenv_codesize_reason() names them). */
#define CENV_CODESIZE_NONE 0
#define CENV_CODESIZE_MODULE_ASM 1    /* module-level inline assembly */
#define CENV_CODESIZE_ALIAS 2         /* aliases or ifuncs */
#define CENV_CODESIZE_TEXT_DATA 3     /* a global variable in a text section */
#define CENV_CODESIZE_COMDAT 4        /* a function or referenced global in a comdat */
#define CENV_CODESIZE_BLOCK_ADDRESS 5 /* a block whose address is taken */
#define CENV_CODESIZE_INLINE_ASM 6    /* inline assembly in a function */
#define CENV_CODESIZE_DEBUG_INFO 7    /* debug information */
#define CENV_CODESIZE_UNKNOWN_IR 8    /* IR the key does not describe */
#define CENV_CODESIZE_SECTION 9       /* an explicit section, a private function, prefix data */
#define CENV_CODESIZE_POSITION 10     /* code aligned to more than its function's start */
#define CENV_CODESIZE_RELAXATION 11   /* reserved: such jumps are compiled together (spans) */
#define CENV_CODESIZE_OBJECT 12       /* the object file is not laid out as expected */
#define CENV_CODESIZE_TARGET 13       /* not an x86 ELF target */
#define CENV_CODESIZE_REASONS 14

/*
 * Layout of cenv_codesize_stats() output, counted over the cache's life:
 *   out[0] calls, out[1] sizes laid out from compiled functions, out[2] sizes
 *   remembered from a whole-module compile, out[3] calls answered
 *   CENV_CODESIZE_FULL, out[4] functions compiled, out[5] functions reused,
 *   out[6] functions compiled by the last call, out[7] the last call's reason,
 *   out[8] spans compiled (functions compiled together, because a jump between
 *   them may be shortened).
 */
#define CENV_CODESIZE_STATS_SIZE 9

typedef struct cenv_codesize cenv_codesize;

CENV_API cenv_codesize *cenv_codesize_create(void);
CENV_API void cenv_codesize_dispose(cenv_codesize *cache);

/*
 * Sets *size to the text size of module `m` compiled with target machine `tm`
 * and returns 0; or returns CENV_CODESIZE_FULL when only a whole-module
 * compile gives the exact size; or CENV_CODESIZE_ERROR.  The module is only
 * read.
 */
CENV_API int cenv_codesize_text_size(cenv_codesize *cache, LLVMModuleRef m,
                                     LLVMTargetMachineRef tm, int64_t *size, char **error);

/* The whole-module size of the module the last call answered CENV_CODESIZE_FULL
 * for, remembered for later calls on a module with the same code. */
CENV_API void cenv_codesize_remember(cenv_codesize *cache, int64_t size);

CENV_API int cenv_codesize_stats(cenv_codesize *cache, int64_t *out, int n);

/* The name of a CENV_CODESIZE_* reason, a static string, or NULL. */
CENV_API const char *cenv_codesize_reason(int reason);

/*
 * Programl: the program graph of module `m` (programl.cpp, docs/programl.md).
 * cenv_programl sets *data (free with cenv_free) and *size to little-endian
 * int32 words: a header {magic 0x4c475250, version 1, nodes N, edges E,
 * texts T, full_text, 0, 0}; node type[N], text id[N], function[N],
 * block[N]; edge source[E], target[E], flow[E], position[E]; then the T node
 * texts as offsets[T+1] and their bytes, padded to 4 bytes; with full_text,
 * the N full texts the same way.  cenv_programl_json sets *text (NUL-
 * terminated, free with cenv_free) to the graph as node-link JSON.  Both
 * return 0 or CENV_E_NULL; the module is only read.
 *
 *   lib.cenv_programl.argtypes = [c_void_p, c_int, POINTER(c_void_p), POINTER(c_size_t)]
 *   lib.cenv_programl_json.argtypes = [c_void_p, POINTER(c_void_p), POINTER(c_size_t)]
 */
CENV_API int cenv_programl(LLVMModuleRef m, int full_text, char **data, size_t *size);
CENV_API int cenv_programl_json(LLVMModuleRef m, char **text, size_t *size);

/*
 * IrTokens: the token ids of a module's textual IR (tokens.cpp, docs/tokens.md),
 * the same ids as service/llvm/tokens.py's encode.  The vocabulary is the
 * caller's: cenv_tokenizer_create reads `count` words, word i being
 * words[offsets[i] .. offsets[i + 1]), and keeps a copy; it returns 0, CENV_E_NULL,
 * or CENV_E_VOCABULARY when a word repeats or a token the rules need is missing.
 * cenv_tokens_text tokenizes UTF-8 text, cenv_tokens_module prints the module
 * and tokenizes its text; both set *ids (int32, free with cenv_free) and *count
 * and return 0, CENV_E_NULL, or CENV_TOKENS_REFERENCE when the text needs
 * Unicode rules this code lacks (a word boundary next to a non-ASCII character,
 * bytes that are not UTF-8): the caller then uses the Python tokenizer.  A
 * tokenizer is only read by these calls, so threads may share one.
 *
 *   lib.cenv_tokenizer_create.argtypes = [c_char_p, POINTER(c_int64), c_int,
 *                                         POINTER(c_void_p)]
 *   lib.cenv_tokens_text.argtypes = [c_void_p, c_char_p, c_size_t, POINTER(c_void_p),
 *                                    POINTER(c_size_t)]
 *   lib.cenv_tokens_module.argtypes = [c_void_p, c_void_p, POINTER(c_void_p),
 *                                      POINTER(c_size_t)]
 */
#define CENV_E_VOCABULARY (-7)   /* the vocabulary lacks a token or repeats one */
#define CENV_TOKENS_REFERENCE 1  /* the text needs the Python tokenizer */

typedef struct cenv_tokenizer cenv_tokenizer;

CENV_API int cenv_tokenizer_create(const char *words, const int64_t *offsets, int count,
                                   cenv_tokenizer **out);
CENV_API void cenv_tokenizer_dispose(cenv_tokenizer *tokenizer);
CENV_API int cenv_tokenizer_size(const cenv_tokenizer *tokenizer); /* its word count */
CENV_API int cenv_tokens_text(const cenv_tokenizer *tokenizer, const char *text, size_t size,
                              int32_t **ids, size_t *count);
CENV_API int cenv_tokens_module(const cenv_tokenizer *tokenizer, LLVMModuleRef m, int32_t **ids,
                                size_t *count);

#ifdef __cplusplus
}
#endif

#endif /* CENV_LLVM_NATIVE_CODESIZE_H */
