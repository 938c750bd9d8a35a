/*
 * features.c - fast observations of LLVM modules over the LLVM C API.
 *
 * See cenv_features.h for the ABI and docs/observations-autophase.md for the
 * definition of every Autophase feature.
 *
 * Design notes
 * ------------
 *  - Every exported function makes one walk over the module:
 *    functions -> basic blocks -> instructions.  The library allocates no
 *    memory; all counters live in fixed-size arrays on the stack.
 *  - Predecessor counts (needed by the Autophase CFG features) are obtained
 *    from the use list of each basic block: every use of a block by a
 *    terminator instruction is one CFG edge into that block.  This visits each
 *    edge once more, needs no block numbering and no hash map, and counts
 *    parallel edges (e.g. `br i1 %c, label %x, label %x`) twice, exactly like
 *    LLVM's pred_iterator does.  Block addresses (`blockaddress`) are constant
 *    users, not terminators, and are therefore not edges.
 *  - Critical edges are counted at their destination: an edge T -> D is
 *    critical when T has more than one successor and D has more than one
 *    predecessor.  While walking the uses of D we already know both facts.
 */
#include "cenv_features.h"

#include <stddef.h>
#include <string.h>

#include <llvm-c/Core.h>

#if defined(__GNUC__)
#define CENV_LIKELY(x) __builtin_expect(!!(x), 1)
#define CENV_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define CENV_LIKELY(x) (x)
#define CENV_UNLIKELY(x) (x)
#endif

/* The highest opcode of LLVM 19 must fit in the histogram. */
_Static_assert(LLVMFreeze <= CENV_MAX_OPCODE, "CENV_MAX_OPCODE too small");
_Static_assert(LLVMCallBr <= CENV_MAX_OPCODE, "CENV_MAX_OPCODE too small");
_Static_assert(CENV_INSTCOUNT_SIZE == 71, "instcount layout changed");
_Static_assert(CENV_AP_testUnary + 1 == CENV_AUTOPHASE_SIZE,
               "autophase enum and size disagree");

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */
/* ------------------------------------------------------------------------ */

/* Histogram slot for an opcode, or 0 (a slot never used for real opcodes)
 * when the opcode is outside the known range. */
static inline unsigned opcode_slot(LLVMValueRef inst) {
  unsigned opc = (unsigned)LLVMGetInstructionOpcode(inst);
  return CENV_LIKELY(opc <= CENV_MAX_OPCODE) ? opc : 0u;
}

/* ------------------------------------------------------------------------ */
/* Instruction count                                                        */
/* ------------------------------------------------------------------------ */

CENV_API int64_t cenv_instruction_count(LLVMModuleRef m) {
  if (!m)
    return CENV_E_NULL_MODULE;
  int64_t count = 0;
  for (LLVMValueRef fn = LLVMGetFirstFunction(m); fn;
       fn = LLVMGetNextFunction(fn)) {
    for (LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn); bb;
         bb = LLVMGetNextBasicBlock(bb)) {
      for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i;
           i = LLVMGetNextInstruction(i))
        ++count;
    }
  }
  return count;
}

/* ------------------------------------------------------------------------ */
/* Instruction histogram                                                    */
/* ------------------------------------------------------------------------ */

CENV_API int cenv_instcount(LLVMModuleRef m, int64_t *out, int n) {
  if (!m)
    return CENV_E_NULL_MODULE;
  if (!out)
    return CENV_E_NULL_OUT;
  if (n < CENV_INSTCOUNT_SIZE)
    return CENV_E_SHORT_OUT;

  int64_t ops[CENV_MAX_OPCODE + 1];
  memset(ops, 0, sizeof ops);
  int64_t funcs = 0, blocks = 0, insts = 0;

  for (LLVMValueRef fn = LLVMGetFirstFunction(m); fn;
       fn = LLVMGetNextFunction(fn)) {
    LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn);
    if (!bb)
      continue; /* declaration (or body not materialized) */
    ++funcs;
    for (; bb; bb = LLVMGetNextBasicBlock(bb)) {
      ++blocks;
      for (LLVMValueRef i = LLVMGetFirstInstruction(bb); i;
           i = LLVMGetNextInstruction(i)) {
        ++insts;
        ++ops[opcode_slot(i)];
      }
    }
  }

  out[CENV_INSTCOUNT_FUNCTIONS] = funcs;
  out[CENV_INSTCOUNT_BLOCKS] = blocks;
  out[CENV_INSTCOUNT_INSTRUCTIONS] = insts;
  for (int op = 1; op <= CENV_MAX_OPCODE; ++op)
    out[CENV_INSTCOUNT_OPCODE_BASE - 1 + op] = ops[op];
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Autophase                                                                */
/* ------------------------------------------------------------------------ */

/* Counters that are not plain opcode counts. */
struct ap_state {
  int64_t f[CENV_AUTOPHASE_SIZE];   /* features accumulated directly */
  int64_t ops[CENV_MAX_OPCODE + 1]; /* opcode histogram */
  int64_t funcs, blocks, insts;
};

/*
 * True for a call whose callee operand is a function (not a pointer computed
 * at run time) with the same function type as the call site, and whose
 * return type is an integer type of any width.
 */
static inline int call_returns_int(LLVMValueRef call) {
  LLVMValueRef callee = LLVMGetCalledValue(call);
  if (!callee || !LLVMIsAFunction(callee))
    return 0;
  LLVMTypeRef fty = LLVMGlobalGetValueType(callee);
  if (fty != LLVMGetCalledFunctionType(call))
    return 0;
  return LLVMGetTypeKind(LLVMGetReturnType(fty)) == LLVMIntegerTypeKind;
}

/*
 * Account for one ConstantInt operand: its bit width (32 / 64) and whether
 * its value is 0 or 1.  A ConstantInt of vector type (a splat, only produced
 * when LLVM is configured to do so) is classified by its element type.
 */
static inline void count_int_constant(LLVMValueRef c, int64_t *f) {
  LLVMTypeRef ty = LLVMTypeOf(c);
  LLVMTypeRef elt = ty;
  if (CENV_UNLIKELY(LLVMGetTypeKind(elt) != LLVMIntegerTypeKind)) {
    LLVMTypeKind k = LLVMGetTypeKind(elt);
    if (k != LLVMVectorTypeKind && k != LLVMScalableVectorTypeKind)
      return;
    elt = LLVMGetElementType(elt);
    if (LLVMGetTypeKind(elt) != LLVMIntegerTypeKind)
      return;
  }
  unsigned width = LLVMGetIntTypeWidth(elt);
  if (width == 32)
    ++f[CENV_AP_const32Bit];
  else if (width == 64)
    ++f[CENV_AP_const64Bit];

  if (CENV_LIKELY(width <= 64)) {
    unsigned long long v = LLVMConstIntGetZExtValue(c);
    if (v == 1)
      ++f[CENV_AP_numConstOnes];
    else if (v == 0)
      ++f[CENV_AP_numConstZeroes];
  } else {
    /* LLVMConstIntGetZExtValue is only defined for values that fit in 64
     * bits.  Integer constants are uniqued per (type, value), so comparing
     * against the canonical constant 1 is exact. */
    if (LLVMIsNull(c))
      ++f[CENV_AP_numConstZeroes];
    else if (c == LLVMConstInt(ty, 1, 0))
      ++f[CENV_AP_numConstOnes];
  }
}

/* One basic block: instructions, operands, phis, CFG neighbourhood. */
static inline void ap_visit_block(LLVMBasicBlockRef bb, struct ap_state *st) {
  int64_t *f = st->f;
  int64_t size = 0;     /* instructions in the block */
  int64_t nphi = 0;     /* phi nodes in the block */
  int64_t phi_args = 0; /* incoming values over all phis of the block */

  for (LLVMValueRef inst = LLVMGetFirstInstruction(bb); inst;
       inst = LLVMGetNextInstruction(inst)) {
    ++size;
    unsigned opc = opcode_slot(inst);
    ++st->ops[opc];
    int nops = LLVMGetNumOperands(inst);

    switch (opc) {
    case LLVMPHI:
      /* A phi's operands are exactly its incoming values. */
      if (size == 1)
        ++f[CENV_AP_BeginPhi]; /* the block starts with a phi */
      ++nphi;
      phi_args += nops;
      break;
    case LLVMBr:
      /* `br label %x` has one operand; `br i1 %c, label %a, label %b` three. */
      if (nops == 1)
        ++f[CENV_AP_UncondBranches];
      break;
    case LLVMCall:
      if (call_returns_int(inst))
        ++f[CENV_AP_returnInt];
      break;
    default:
      break;
    }

    /* Binary operators: add .. xor (integer and floating point). */
    int is_binary = opc >= LLVMAdd && opc <= LLVMXor;
    int binary_const = 0;
    for (int k = 0; k < nops; ++k) {
      LLVMValueRef v = LLVMGetOperand(inst, (unsigned)k);
      if (LLVMIsAConstantInt(v)) {
        count_int_constant(v, f);
        binary_const |= is_binary && k < 2;
      } else if (is_binary && k < 2 && !binary_const && LLVMIsAConstant(v)) {
        binary_const = 1; /* undef, poison, FP constant, global, ... */
      }
    }
    if (binary_const)
      ++f[CENV_AP_binaryConstArg];
  }

  /* Phi-related block classes. */
  if (nphi == 0)
    ++f[CENV_AP_BBNoPhi];
  else if (nphi <= 3)
    ++f[CENV_AP_BB03Phi];
  else
    ++f[CENV_AP_BBHiPhi];
  if (phi_args > 5)
    ++f[CENV_AP_BBNumArgsHi];
  else if (phi_args >= 1)
    ++f[CENV_AP_BBNumArgsLo];
  f[CENV_AP_ArgsPhi] += phi_args;

  /* Block size classes. */
  if (size < 15)
    ++f[CENV_AP_BlockLow];
  else if (size <= 500)
    ++f[CENV_AP_BlockMid];
  st->insts += size;

  /* Successors: the successor slots of the terminator (with repetition). */
  int64_t nsucc = 0;
  LLVMValueRef term = LLVMGetBasicBlockTerminator(bb);
  if (term)
    nsucc = (int64_t)LLVMGetNumSuccessors(term);
  f[CENV_AP_NumEdges] += nsucc;

  /* Predecessors: uses of this block by terminators (with repetition). */
  int64_t npred = 0;
  int64_t from_branching = 0; /* incoming edges whose source has >1 succ */
  for (LLVMUseRef u = LLVMGetFirstUse(LLVMBasicBlockAsValue(bb)); u;
       u = LLVMGetNextUse(u)) {
    LLVMValueRef user = LLVMGetUser(u);
    if (!LLVMIsATerminatorInst(user))
      continue;
    ++npred;
    if (LLVMGetNumSuccessors(user) > 1)
      ++from_branching;
  }
  if (npred > 1)
    f[CENV_AP_CriticalCount] += from_branching;

  if (nsucc == 1)
    ++f[CENV_AP_oneSuccessor];
  else if (nsucc == 2)
    ++f[CENV_AP_twoSuccessor];

  if (npred == 1) {
    ++f[CENV_AP_onePred];
    if (nsucc == 1)
      ++f[CENV_AP_onePredOneSuc];
    else if (nsucc == 2)
      ++f[CENV_AP_onePredTwoSuc];
  } else if (npred == 2) {
    ++f[CENV_AP_twoPred];
    if (nsucc == 1)
      ++f[CENV_AP_twoPredOneSuc];
    else if (nsucc == 2)
      ++f[CENV_AP_twoEach];
  } else if (npred > 2) {
    ++f[CENV_AP_morePreds];
  }
}

CENV_API int cenv_autophase(LLVMModuleRef m, int64_t *out, int n) {
  if (!m)
    return CENV_E_NULL_MODULE;
  if (!out)
    return CENV_E_NULL_OUT;
  if (n < CENV_AUTOPHASE_SIZE)
    return CENV_E_SHORT_OUT;

  struct ap_state st;
  memset(&st, 0, sizeof st);

  for (LLVMValueRef fn = LLVMGetFirstFunction(m); fn;
       fn = LLVMGetNextFunction(fn)) {
    LLVMBasicBlockRef bb = LLVMGetFirstBasicBlock(fn);
    if (!bb)
      continue;
    ++st.funcs;
    for (; bb; bb = LLVMGetNextBasicBlock(bb)) {
      ++st.blocks;
      ap_visit_block(bb, &st);
    }
  }

  int64_t *f = st.f;
  const int64_t *ops = st.ops;

  f[CENV_AP_BranchCount] = ops[LLVMBr];
  f[CENV_AP_NumAShrInst] = ops[LLVMAShr];
  f[CENV_AP_NumAddInst] = ops[LLVMAdd];
  f[CENV_AP_NumAllocaInst] = ops[LLVMAlloca];
  f[CENV_AP_NumAndInst] = ops[LLVMAnd];
  f[CENV_AP_NumBitCastInst] = ops[LLVMBitCast];
  f[CENV_AP_NumBrInst] = ops[LLVMBr];
  f[CENV_AP_NumCallInst] = ops[LLVMCall];
  f[CENV_AP_NumGetElementPtrInst] = ops[LLVMGetElementPtr];
  f[CENV_AP_NumICmpInst] = ops[LLVMICmp];
  f[CENV_AP_NumLShrInst] = ops[LLVMLShr];
  f[CENV_AP_NumLoadInst] = ops[LLVMLoad];
  f[CENV_AP_NumMulInst] = ops[LLVMMul];
  f[CENV_AP_NumOrInst] = ops[LLVMOr];
  f[CENV_AP_NumPHIInst] = ops[LLVMPHI];
  f[CENV_AP_NumRetInst] = ops[LLVMRet];
  f[CENV_AP_NumSExtInst] = ops[LLVMSExt];
  f[CENV_AP_NumSelectInst] = ops[LLVMSelect];
  f[CENV_AP_NumShlInst] = ops[LLVMShl];
  f[CENV_AP_NumStoreInst] = ops[LLVMStore];
  f[CENV_AP_NumSubInst] = ops[LLVMSub];
  f[CENV_AP_NumTruncInst] = ops[LLVMTrunc];
  f[CENV_AP_NumXorInst] = ops[LLVMXor];
  f[CENV_AP_NumZExtInst] = ops[LLVMZExt];
  f[CENV_AP_TotalBlocks] = st.blocks;
  f[CENV_AP_TotalInsts] = st.insts;
  f[CENV_AP_TotalFuncs] = st.funcs;

  /* Instructions that may touch memory in the Autophase sense: address
   * computations, loads, stores, stack allocations and calls. */
  f[CENV_AP_TotalMemInst] = ops[LLVMGetElementPtr] + ops[LLVMLoad] +
                            ops[LLVMStore] + ops[LLVMAlloca] + ops[LLVMCall] +
                            ops[LLVMInvoke];

  /* Instructions LLVM classifies as unary (isa<UnaryInstruction>): every
   * cast (trunc .. bitcast, addrspacecast), fneg, load, alloca, va_arg and
   * extractvalue.  freeze is deliberately not included: although it is a
   * one-operand instruction, LLVM's classification leaves it out. */
  int64_t unary = ops[LLVMFNeg] + ops[LLVMLoad] + ops[LLVMAlloca] +
                  ops[LLVMVAArg] + ops[LLVMExtractValue] +
                  ops[LLVMAddrSpaceCast];
  for (int op = LLVMTrunc; op <= LLVMBitCast; ++op)
    unary += ops[op];
  f[CENV_AP_testUnary] = unary;

  memcpy(out, f, sizeof(int64_t) * CENV_AUTOPHASE_SIZE);
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Sizes and names                                                          */
/* ------------------------------------------------------------------------ */

CENV_API int cenv_instcount_size(void) { return CENV_INSTCOUNT_SIZE; }

CENV_API int cenv_max_opcode(void) { return CENV_MAX_OPCODE; }

CENV_API int cenv_autophase_size(void) { return CENV_AUTOPHASE_SIZE; }

static const char *const k_autophase_names[CENV_AUTOPHASE_SIZE] = {
    "BBNumArgsHi",    "BBNumArgsLo",
    "onePred",        "onePredOneSuc",
    "onePredTwoSuc",  "oneSuccessor",
    "twoPred",        "twoPredOneSuc",
    "twoEach",        "twoSuccessor",
    "morePreds",      "BB03Phi",
    "BBHiPhi",        "BBNoPhi",
    "BeginPhi",       "BranchCount",
    "returnInt",      "CriticalCount",
    "NumEdges",       "const32Bit",
    "const64Bit",     "numConstZeroes",
    "numConstOnes",   "UncondBranches",
    "binaryConstArg", "NumAShrInst",
    "NumAddInst",     "NumAllocaInst",
    "NumAndInst",     "BlockMid",
    "BlockLow",       "NumBitCastInst",
    "NumBrInst",      "NumCallInst",
    "NumGetElementPtrInst", "NumICmpInst",
    "NumLShrInst",    "NumLoadInst",
    "NumMulInst",     "NumOrInst",
    "NumPHIInst",     "NumRetInst",
    "NumSExtInst",    "NumSelectInst",
    "NumShlInst",     "NumStoreInst",
    "NumSubInst",     "NumTruncInst",
    "NumXorInst",     "NumZExtInst",
    "TotalBlocks",    "TotalInsts",
    "TotalMemInst",   "TotalFuncs",
    "ArgsPhi",        "testUnary",
};

CENV_API const char *cenv_autophase_name(int i) {
  if (i < 0 || i >= CENV_AUTOPHASE_SIZE)
    return NULL;
  return k_autophase_names[i];
}
