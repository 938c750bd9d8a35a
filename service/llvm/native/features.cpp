/*
 * features.cpp - fast observations of LLVM modules.
 *
 * See cenv_features.h for the ABI and docs/observations-autophase.md for the
 * definition of every Autophase feature.
 *
 * The exported functions have C linkage and take LLVM C API handles, but the
 * walks use LLVM's C++ API: iterating the intrusive lists and reading opcodes
 * and operands are inline member functions, whereas every C API call is an
 * out-of-line call into libLLVM.  This makes the library depend on the C++
 * object layout of the LLVM it is compiled against, so it must be built with
 * the headers of the libLLVM it is linked with (setup.py does that).
 *
 * Design notes
 * ------------
 *  - Every exported function makes one walk over the module:
 *    functions -> basic blocks -> instructions.  The library allocates no
 *    memory; all counters live in fixed-size arrays on the stack.
 *  - Instructions are counted per C++ opcode (Instruction::getOpcode()).  The
 *    histogram is translated to LLVMOpcode values (the numbering of the ABI)
 *    once per call, with the table LLVM's C API itself is built from
 *    (llvm/IR/Instruction.def).
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

#include <cstddef>
#include <cstdint>
#include <cstring>

#include <llvm-c/Core.h>
#include <llvm/IR/BasicBlock.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/InstrTypes.h>
#include <llvm/IR/Instruction.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Use.h>
#include <llvm/IR/Value.h>

#if defined(__GNUC__)
#define CENV_LIKELY(x) __builtin_expect(!!(x), 1)
#else
#define CENV_LIKELY(x) (x)
#endif

using llvm::BasicBlock;
using llvm::CallInst;
using llvm::ConstantInt;
using llvm::Function;
using llvm::Instruction;
using llvm::Module;
using llvm::Use;
using llvm::Value;

/* The highest opcode of LLVM 19 must fit in the histogram. */
static_assert(LLVMFreeze <= CENV_MAX_OPCODE, "CENV_MAX_OPCODE too small");
static_assert(LLVMCallBr <= CENV_MAX_OPCODE, "CENV_MAX_OPCODE too small");
static_assert(CENV_INSTCOUNT_SIZE == 71, "instcount layout changed");
static_assert(CENV_AP_testUnary + 1 == CENV_AUTOPHASE_SIZE,
              "autophase enum and size disagree");

namespace {

/* ------------------------------------------------------------------------ */
/* Opcodes                                                                  */
/* ------------------------------------------------------------------------ */

/*
 * Value::getValueID() is an unsigned char, so Instruction::getOpcode() (the
 * value ID minus Value::InstructionVal) is always below this bound: a
 * histogram of this size is indexed without a range check.
 */
constexpr unsigned kOpcodeLimit = 256u;

/* Binary operators are a contiguous range in both numberings. */
static_assert(Instruction::BinaryOpsBegin == Instruction::Add &&
                  Instruction::BinaryOpsEnd == Instruction::Xor + 1,
              "binary operator range changed");
static_assert(LLVMXor - LLVMAdd == Instruction::Xor - Instruction::Add,
              "binary operator ranges disagree");

struct OpcodeTable {
  /* LLVMOpcode of every C++ opcode, or 0 (a histogram slot never reported)
   * for numbers that are not opcodes or exceed CENV_MAX_OPCODE. */
  unsigned char to_c[kOpcodeLimit];
};

constexpr unsigned c_slot(unsigned c_opcode) {
  return c_opcode <= CENV_MAX_OPCODE ? c_opcode : 0u;
}

/* The same correspondence as the C API's LLVMGetInstructionOpcode(). */
constexpr OpcodeTable make_opcode_table() {
  OpcodeTable t{};
#define HANDLE_INST(num, opc, clas) t.to_c[num] = (unsigned char)c_slot(LLVM##opc);
#include "llvm/IR/Instruction.def"
  return t;
}

constexpr OpcodeTable kOpcodes = make_opcode_table();

static_assert(kOpcodes.to_c[Instruction::Ret] == LLVMRet, "opcode table");
static_assert(kOpcodes.to_c[Instruction::PHI] == LLVMPHI, "opcode table");
static_assert(kOpcodes.to_c[Instruction::Freeze] == LLVMFreeze, "opcode table");
static_assert(kOpcodes.to_c[Instruction::CallBr] == LLVMCallBr, "opcode table");

/* Opcode histogram of one walk, by C++ opcode. */
struct Histogram {
  int64_t n[kOpcodeLimit];
};

/* Translate a C++-opcode histogram to LLVMOpcode slots 0..CENV_MAX_OPCODE. */
inline void to_c_opcodes(const Histogram &h, int64_t *ops /* [MAX+1] */) {
  std::memset(ops, 0, sizeof(int64_t) * (CENV_MAX_OPCODE + 1));
  for (unsigned opc = 0; opc < kOpcodeLimit; ++opc)
    ops[kOpcodes.to_c[opc]] += h.n[opc];
}

/*
 * Successor slots of a terminator: the same dispatch as the out-of-line
 * Instruction::getNumSuccessors(), over the inline per-class members.
 * Returns 0 for instructions that are not terminators.
 */
inline unsigned num_successors(const Instruction *term) {
  switch (term->getOpcode()) {
#define HANDLE_TERM_INST(num, opc, Class)                                      \
  case num:                                                                    \
    return static_cast<const llvm::Class *>(term)->getNumSuccessors();
#include "llvm/IR/Instruction.def"
  default:
    return 0;
  }
}

} // namespace

/* ------------------------------------------------------------------------ */
/* Instruction count                                                        */
/* ------------------------------------------------------------------------ */

extern "C" CENV_API int64_t cenv_instruction_count(LLVMModuleRef m) {
  if (!m)
    return CENV_E_NULL_MODULE;
  int64_t count = 0;
  for (const Function &fn : *llvm::unwrap(m))
    for (const BasicBlock &bb : fn)
      for (const Instruction &inst : bb) {
        (void)inst;
        ++count;
      }
  return count;
}

/*
 * The same count through the C API, one call per function, block and
 * instruction.  Kept as a reference point for measuring the cost of the other
 * functions.
 */
extern "C" CENV_API int64_t cenv_walk_count(LLVMModuleRef m) {
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

extern "C" CENV_API int cenv_instcount(LLVMModuleRef m, int64_t *out, int n) {
  if (!m)
    return CENV_E_NULL_MODULE;
  if (!out)
    return CENV_E_NULL_OUT;
  if (n < CENV_INSTCOUNT_SIZE)
    return CENV_E_SHORT_OUT;

  Histogram h;
  std::memset(&h, 0, sizeof h);
  int64_t funcs = 0, blocks = 0, insts = 0;

  for (const Function &fn : *llvm::unwrap(m)) {
    if (fn.empty())
      continue; /* declaration (or body not materialized) */
    ++funcs;
    for (const BasicBlock &bb : fn) {
      ++blocks;
      for (const Instruction &inst : bb) {
        ++insts;
        ++h.n[inst.getOpcode()];
      }
    }
  }

  int64_t ops[CENV_MAX_OPCODE + 1];
  to_c_opcodes(h, ops);
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

namespace {

/* Counters that are not plain opcode counts. */
struct ApState {
  int64_t f[CENV_AUTOPHASE_SIZE]; /* features accumulated directly */
  Histogram h;                    /* opcode histogram, by C++ opcode */
  int64_t funcs, blocks, insts;
};

/*
 * Account for one ConstantInt operand: its bit width (32 / 64) and whether
 * its value is 0 or 1.  A ConstantInt of vector type (a splat, only produced
 * when LLVM is configured to do so) has the bit width of its element type.
 */
inline void count_int_constant(const ConstantInt *c, int64_t *f) {
  const llvm::APInt &v = c->getValue();
  unsigned width = v.getBitWidth();
  if (width == 32)
    ++f[CENV_AP_const32Bit];
  else if (width == 64)
    ++f[CENV_AP_const64Bit];
  if (v.isOne())
    ++f[CENV_AP_numConstOnes];
  else if (v.isZero())
    ++f[CENV_AP_numConstZeroes];
}

/* One basic block: instructions, operands, phis, CFG neighbourhood. */
inline void ap_visit_block(const BasicBlock &bb, ApState &st) {
  int64_t *f = st.f;
  int64_t size = 0;     /* instructions in the block */
  int64_t nphi = 0;     /* phi nodes in the block */
  int64_t phi_args = 0; /* incoming values over all phis of the block */

  for (const Instruction &inst : bb) {
    ++size;
    const unsigned opc = inst.getOpcode();
    ++st.h.n[opc];
    const unsigned nops = inst.getNumOperands();

    switch (opc) {
    case Instruction::PHI:
      /* A phi's operands are exactly its incoming values. */
      if (size == 1)
        ++f[CENV_AP_BeginPhi]; /* the block starts with a phi */
      ++nphi;
      phi_args += nops;
      break;
    case Instruction::Br:
      /* `br label %x` has one operand; `br i1 %c, label %a, label %b` three. */
      if (nops == 1)
        ++f[CENV_AP_UncondBranches];
      break;
    case Instruction::Call: {
      /* A direct call (callee is a function of the call site's function type)
       * whose return type is an integer type of any width. */
      const Function *callee =
          static_cast<const CallInst &>(inst).getCalledFunction();
      if (callee && callee->getReturnType()->isIntegerTy())
        ++f[CENV_AP_returnInt];
      break;
    }
    default:
      break;
    }

    /* Binary operators (add .. xor, integer and floating point): is one of
     * the two operands a constant of any kind (integer, undef, poison, FP,
     * global, constant expression, vector, ...)?  Their operands are the
     * first two slots. */
    if (inst.isBinaryOp()) {
      const Value *lhs = inst.getOperand(0), *rhs = inst.getOperand(1);
      if ((lhs && llvm::isa<llvm::Constant>(lhs)) ||
          (rhs && llvm::isa<llvm::Constant>(rhs)))
        ++f[CENV_AP_binaryConstArg];
    }

    /* Every operand slot holding a ConstantInt.  (Slots are never empty in a
     * valid module; an empty one is skipped.) */
    for (const Use &u : inst.operands()) {
      const Value *v = u.get();
      if (CENV_LIKELY(v != nullptr))
        if (const auto *ci = llvm::dyn_cast<ConstantInt>(v))
          count_int_constant(ci, f);
    }
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
  st.insts += size;

  /* Successors: the successor slots of the terminator (with repetition). */
  int64_t nsucc = 0;
  if (const Instruction *term = bb.getTerminator())
    nsucc = num_successors(term);
  f[CENV_AP_NumEdges] += nsucc;

  /* Predecessors: uses of this block by terminators (with repetition). */
  int64_t npred = 0;
  int64_t from_branching = 0; /* incoming edges whose source has >1 succ */
  for (const Use &u : bb.materialized_uses()) {
    const auto *user = llvm::dyn_cast<Instruction>(u.getUser());
    if (!user || !user->isTerminator())
      continue;
    ++npred;
    if (num_successors(user) > 1)
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

} // namespace

extern "C" CENV_API int cenv_autophase(LLVMModuleRef m, int64_t *out, int n) {
  if (!m)
    return CENV_E_NULL_MODULE;
  if (!out)
    return CENV_E_NULL_OUT;
  if (n < CENV_AUTOPHASE_SIZE)
    return CENV_E_SHORT_OUT;

  ApState st;
  std::memset(&st, 0, sizeof st);

  for (const Function &fn : *llvm::unwrap(m)) {
    if (fn.empty())
      continue;
    ++st.funcs;
    for (const BasicBlock &bb : fn) {
      ++st.blocks;
      ap_visit_block(bb, st);
    }
  }

  int64_t *f = st.f;
  int64_t ops[CENV_MAX_OPCODE + 1];
  to_c_opcodes(st.h, ops);

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

  std::memcpy(out, f, sizeof(int64_t) * CENV_AUTOPHASE_SIZE);
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Sizes and names                                                          */
/* ------------------------------------------------------------------------ */

extern "C" CENV_API int cenv_instcount_size(void) { return CENV_INSTCOUNT_SIZE; }

extern "C" CENV_API int cenv_max_opcode(void) { return CENV_MAX_OPCODE; }

extern "C" CENV_API int cenv_autophase_size(void) { return CENV_AUTOPHASE_SIZE; }

namespace {

const char *const k_autophase_names[CENV_AUTOPHASE_SIZE] = {
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

} // namespace

extern "C" CENV_API const char *cenv_autophase_name(int i) {
  if (i < 0 || i >= CENV_AUTOPHASE_SIZE)
    return nullptr;
  return k_autophase_names[i];
}
