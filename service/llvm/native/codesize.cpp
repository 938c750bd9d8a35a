/*
 * The size of a module's .text sections, recompiling only the functions that
 * changed since the last call (see cenv_features.h and docs/codesize.md).
 *
 * A whole-module compile lays the functions of a text section out one after
 * the other in module order, each at its own alignment.  When a function's
 * code does not depend on where it starts, and no jump from one function to
 * another can be shortened by the assembler, the section's size is that
 * layout of the functions' sizes.  Each function is therefore compiled on its
 * own (all the changed ones in one module, each in a section of its own),
 * keyed by a hash of everything its code generation reads; the sizes are laid
 * out as the assembler would; and whatever could make the layout differ from a
 * whole-module compile is detected and reported, so that the caller compiles
 * the whole module instead.
 */
#include "cenv_features.h"

#include <llvm-c/Core.h>
#include <llvm/ADT/DenseMap.h>
#include <llvm/ADT/SmallVector.h>
#include <llvm/ADT/StringMap.h>
#include <llvm/Analysis/TargetLibraryInfo.h>
#include <llvm/CodeGen/TargetLowering.h>
#include <llvm/CodeGen/TargetSubtargetInfo.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/DebugInfoMetadata.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/InlineAsm.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Mangler.h>
#include <llvm/IR/Metadata.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Operator.h>
#include <llvm/MC/TargetRegistry.h>
#include <llvm/Object/ObjectFile.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Support/xxhash.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/TargetParser/Triple.h>
#include <llvm/Transforms/Utils/Cloning.h>
#include <llvm/Transforms/Utils/ValueMapper.h>

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

using namespace llvm;

namespace {

const char *const kReasons[CENV_CODESIZE_REASONS] = {
    "none",       "module-asm", "alias",      "text-data",     "comdat",
    "block-address", "inline-asm", "debug-info", "unknown-ir", "section",
    "position",   "relaxation", "object-layout", "target",
};

/* A jump from one function to another whose rel32 the assembler could shorten. */
struct Jump {
  uint32_t offset;     /* of the rel32 field in the function */
  uint8_t opcode;      /* bytes before it: 1 (jmp), 2 (jcc), 0 (not understood) */
  std::string target;  /* the function it refers to */
};

/* What compiling one function on its own gave. */
struct Compiled {
  int reason = CENV_CODESIZE_NONE;  /* not NONE: the function cannot be laid out */
  bool emitted = false;             /* false: the function emits no code */
  uint64_t size = 0;
  uint64_t align = 1;               /* the alignment of its first byte */
  std::string section;              /* the section a whole-module compile puts it in */
  std::vector<Jump> jumps;
};

/* Words to hash, with the helpers that describe IR as words. */
class Hasher {
public:
  Hasher(const Module &m) : module(m) {}

  int reason = CENV_CODESIZE_NONE;
  bool memoizable = true;

  void unsupported(int why, bool memo = true) {
    if (reason == CENV_CODESIZE_NONE)
      reason = why;
    memoizable = memoizable && memo;
  }

  uint64_t moduleKey(const TargetMachine &tm) {
    begin();
    add(module.getDataLayoutStr());
    add(module.getTargetTriple());
    add(module.getModuleInlineAsm());
    if (const NamedMDNode *flags = module.getModuleFlagsMetadata())
      for (const MDNode *flag : flags->operands())
        metadata(flag);
    add(tm.getTargetTriple().str());
    add(tm.getTargetCPU());
    add(tm.getTargetFeatureString());
    add(static_cast<uint64_t>(tm.getOptLevel()));
    add(static_cast<uint64_t>(tm.getRelocationModel()));
    add(static_cast<uint64_t>(tm.getCodeModel()));
    const TargetOptions &o = tm.Options;
    add(uint64_t(o.FunctionSections) | uint64_t(o.DataSections) << 1 |
        uint64_t(o.UniqueSectionNames) << 2 | uint64_t(o.TrapUnreachable) << 3 |
        uint64_t(o.NoTrapAfterNoreturn) << 4 | uint64_t(o.EmitAddrsig) << 5 |
        uint64_t(o.EnableFastISel) << 6 | uint64_t(o.EnableGlobalISel) << 7 |
        uint64_t(o.EmitStackSizeSection) << 8 | uint64_t(o.EnableMachineOutliner) << 9);
    return digest();
  }

  /* The key of a function's code: its IR and what its code generation reads of
   * the rest of the module. */
  uint64_t functionKey(const Function &f, uint64_t module_key) {
    begin();
    add(module_key);
    numberLocals(f);
    add(shallow(&f));
    add(f.hasPersonalityFn() ? constant(f.getPersonalityFn(), true) : 0);
    if (f.hasPrefixData() || f.hasPrologueData())
      unsupported(CENV_CODESIZE_SECTION);
    if (f.getSubprogram())
      unsupported(CENV_CODESIZE_DEBUG_INFO, false);
    attachments(f);
    for (const Argument &a : f.args())
      add(type(a.getType()));
    for (const BasicBlock &b : f) {
      add(0xb10c);
      if (b.hasAddressTaken())
        unsupported(CENV_CODESIZE_BLOCK_ADDRESS);
      for (const Instruction &i : b)
        instruction(i);
    }
    return digest();
  }

  uint64_t shallow(const GlobalValue *g) {
    auto found = shallows.find(g);
    if (found != shallows.end())
      return found->second;
    uint64_t hash = nested([&] { describe(g); });
    shallows[g] = hash;
    return hash;
  }

private:
  void describe(const GlobalValue *g) {
    add(g->getValueID());
    add(g->getName());
    add(g->getLinkage() | g->getVisibility() << 8 | g->getDLLStorageClass() << 12 |
        uint64_t(g->getUnnamedAddr()) << 16 | uint64_t(g->isDSOLocal()) << 20 |
        uint64_t(g->getThreadLocalMode()) << 24 | uint64_t(g->isDeclaration()) << 28);
    add(g->getAddressSpace());
    add(type(g->getValueType()));
    add(g->getPartition());
    if (const auto *o = dyn_cast<GlobalObject>(g)) {
      add(o->getAlign() ? o->getAlign()->value() : 0);
      add(o->hasSection() ? o->getSection() : StringRef("\1"));
      if (o->hasComdat())
        unsupported(CENV_CODESIZE_COMDAT);
    }
    if (const auto *f = dyn_cast<Function>(g)) {
      add(f->getCallingConv());
      add(attributes(f->getAttributes()));
      add(f->hasGC() ? f->getGC() : StringRef("\1"));
    } else if (const auto *v = dyn_cast<GlobalVariable>(g)) {
      add(uint64_t(v->isConstant()) | uint64_t(v->isExternallyInitialized()) << 1 |
          uint64_t(v->hasInitializer()) << 2);
      add(v->getCodeModelRaw());
      if (v->hasAttributes())
        add(attributeSet(v->getAttributes()));
      if (v->hasSection() && v->getSection().starts_with(".text"))
        unsupported(CENV_CODESIZE_TEXT_DATA);
    } else {
      unsupported(CENV_CODESIZE_ALIAS);
    }
  }

  const Module &module;
  SmallVector<uint64_t, 0> words;
  SmallVector<std::pair<unsigned, MDNode *>, 4> attached;
  DenseMap<const Value *, uint64_t> locals;
  DenseMap<const MDNode *, uint64_t> nodes;  /* per function: order of first visit */
  DenseMap<Type *, uint64_t> types;
  DenseMap<const void *, uint64_t> attribute_lists;
  DenseMap<const GlobalValue *, uint64_t> shallows;
  DenseMap<const GlobalVariable *, uint64_t> initializers;
  DenseMap<const Constant *, uint64_t> constants[2];  /* [with initializers] */

  void begin() { words.clear(); }
  void add(uint64_t w) { words.push_back(w); }
  void add(StringRef s) {
    words.push_back(s.size());
    words.push_back(xxh3_64bits(s));
  }
  void add(const APInt &v) {
    add(v.getBitWidth());
    for (unsigned i = 0; i < v.getNumWords(); ++i)
      add(v.getRawData()[i]);
  }
  uint64_t digest(size_t from = 0) const {
    return xxh3_64bits(ArrayRef<uint8_t>(reinterpret_cast<const uint8_t *>(words.data() + from),
                                         (words.size() - from) * sizeof(uint64_t)));
  }

  /* Runs `fill` on a fresh list of words and returns their hash. */
  template <typename F> uint64_t nested(F fill) {
    size_t mark = words.size();
    fill();
    uint64_t hash = digest(mark);
    words.truncate(mark);
    return hash;
  }

  void numberLocals(const Function &f) {
    locals.clear();
    nodes.clear();
    size_t count = f.arg_size();
    for (const BasicBlock &b : f)
      count += 1 + b.size();
    locals.reserve(count);
    uint64_t n = 0;
    for (const Argument &a : f.args())
      locals[&a] = ++n;
    for (const BasicBlock &b : f) {
      locals[&b] = ++n;
      for (const Instruction &i : b)
        locals[&i] = ++n;
    }
  }

  uint64_t type(Type *t) {
    auto found = types.find(t);
    if (found != types.end())
      return found->second;
    uint64_t hash = nested([&] {
      add(t->getTypeID());
      if (auto *i = dyn_cast<IntegerType>(t))
        add(i->getBitWidth());
      else if (auto *p = dyn_cast<PointerType>(t))
        add(p->getAddressSpace());
      else if (auto *a = dyn_cast<ArrayType>(t)) {
        add(a->getNumElements());
        add(type(a->getElementType()));
      } else if (auto *v = dyn_cast<VectorType>(t)) {
        add(v->getElementCount().getKnownMinValue());
        add(type(v->getElementType()));
      } else if (auto *s = dyn_cast<StructType>(t)) {
        add(uint64_t(s->isPacked()) | uint64_t(s->isOpaque()) << 1);
        for (Type *e : s->elements())
          add(type(e));
      } else if (auto *f = dyn_cast<FunctionType>(t)) {
        add(f->isVarArg());
        add(type(f->getReturnType()));
        for (Type *p : f->params())
          add(type(p));
      } else if (auto *x = dyn_cast<TargetExtType>(t)) {
        add(x->getName());
        for (Type *p : x->type_params())
          add(type(p));
        for (unsigned i : x->int_params())
          add(i);
      }
    });
    types[t] = hash;
    return hash;
  }

  uint64_t attributeSet(AttributeSet set) {
    return nested([&] {
      for (const Attribute &a : set) {
        if (a.isStringAttribute()) {
          add(a.getKindAsString());
          add(a.getValueAsString());
          continue;
        }
        add(a.getKindAsEnum());
        if (a.isIntAttribute())
          add(a.getValueAsInt());
        else if (a.isTypeAttribute())
          add(a.getValueAsType() ? type(a.getValueAsType()) : 0);
        else if (a.isConstantRangeAttribute()) {
          add(a.getValueAsConstantRange().getLower());
          add(a.getValueAsConstantRange().getUpper());
        } else if (a.isConstantRangeListAttribute()) {
          for (const ConstantRange &r : a.getValueAsConstantRangeList()) {
            add(r.getLower());
            add(r.getUpper());
          }
        }
      }
    });
  }

  uint64_t attributes(AttributeList list) {
    auto found = attribute_lists.find(list.getRawPointer());
    if (found != attribute_lists.end())
      return found->second;
    uint64_t hash = nested([&] {
      for (unsigned index : list.indexes()) {
        AttributeSet set = list.getAttributes(index);
        if (set.hasAttributes()) {
          add(index);
          add(attributeSet(set));
        }
      }
    });
    attribute_lists[list.getRawPointer()] = hash;
    return hash;
  }

  /* What code generation may read of a global variable's contents (the bytes
   * of a constant that memcpy copies, say), with the globals it refers to
   * described without their own contents. */
  uint64_t initializer(const GlobalVariable *v) {
    auto found = initializers.find(v);
    if (found != initializers.end())
      return found->second;
    uint64_t hash = v->hasInitializer() ? constant(v->getInitializer(), false) : 0;
    initializers[v] = hash;
    return hash;
  }

  uint64_t constant(const Constant *c, bool deep) {
    if (const auto *g = dyn_cast<GlobalValue>(c)) {
      uint64_t hash = shallow(g);
      if (deep)
        if (const auto *v = dyn_cast<GlobalVariable>(g))
          hash = hash * 31 + initializer(v);
      return hash;
    }
    auto &memo = constants[deep];
    auto found = memo.find(c);
    if (found != memo.end())
      return found->second;
    uint64_t hash = nested([&] {
      add(c->getValueID());
      add(type(c->getType()));
      if (const auto *i = dyn_cast<ConstantInt>(c))
        add(i->getValue());
      else if (const auto *f = dyn_cast<ConstantFP>(c))
        add(f->getValueAPF().bitcastToAPInt());
      else if (const auto *d = dyn_cast<ConstantDataSequential>(c))
        add(d->getRawDataValues());
      else if (isa<ConstantAggregateZero, ConstantPointerNull, UndefValue, ConstantTokenNone,
                   ConstantTargetNone>(c)) {
      } else if (isa<ConstantAggregate, DSOLocalEquivalent, NoCFIValue, ConstantPtrAuth>(c)) {
        for (const Use &u : c->operands())
          add(constant(cast<Constant>(u.get()), deep));
      } else if (const auto *e = dyn_cast<ConstantExpr>(c)) {
        add(e->getOpcode());
        add(e->getRawSubclassOptionalData());
        if (const auto *gep = dyn_cast<GEPOperator>(e)) {
          add(type(gep->getSourceElementType()));
          if (std::optional<ConstantRange> range = gep->getInRange()) {
            add(range->getLower());
            add(range->getUpper());
          }
        }
        if (e->getOpcode() == Instruction::ShuffleVector)
          for (int m : e->getShuffleMask())
            add(static_cast<uint64_t>(m));
        for (const Use &u : e->operands())
          add(constant(cast<Constant>(u.get()), deep));
      } else if (const auto *b = dyn_cast<BlockAddress>(c)) {
        add(shallow(b->getFunction()));
        uint64_t index = 0;
        for (const BasicBlock &block : *b->getFunction()) {
          ++index;
          if (&block == b->getBasicBlock())
            break;
        }
        add(index);
        unsupported(CENV_CODESIZE_BLOCK_ADDRESS);
      } else {
        unsupported(CENV_CODESIZE_UNKNOWN_IR, false);
      }
    });
    memo[c] = hash;
    return hash;
  }

  void metadata(const Metadata *m) {
    if (const auto *s = dyn_cast<MDString>(m)) {
      add(1);
      add(s->getString());
    } else if (const auto *c = dyn_cast<ConstantAsMetadata>(m)) {
      add(2);
      add(constant(c->getValue(), true));
    } else if (const auto *l = dyn_cast<LocalAsMetadata>(m)) {
      add(3);
      operand(l->getValue());
    } else if (const auto *n = dyn_cast<MDNode>(m)) {
      if (isa<DINode, DILocation>(n)) {
        unsupported(CENV_CODESIZE_DEBUG_INFO, false);
        return;
      }
      auto found = nodes.find(n);
      if (found != nodes.end()) {  /* seen: refer to it (metadata may be cyclic) */
        add(4);
        add(found->second);
        return;
      }
      nodes[n] = nodes.size() + 1;
      add(5);
      add(n->isDistinct());
      add(n->getNumOperands());
      for (const MDOperand &o : n->operands()) {
        if (o)
          metadata(o.get());
        else
          add(6);
      }
    } else {
      unsupported(CENV_CODESIZE_UNKNOWN_IR, false);
    }
  }

  template <typename T> void attachments(const T &holder) {
    SmallVector<std::pair<unsigned, MDNode *>, 4> all;
    holder.getAllMetadata(all);
    for (const auto &[kind, node] : all) {
      add(kind);
      metadata(node);
    }
  }

  void operand(const Value *v) {
    auto local = locals.find(v);
    if (local != locals.end()) {
      add(local->second);
      return;
    }
    if (const auto *c = dyn_cast<Constant>(v)) {
      add(0xc0);
      add(constant(c, true));
    } else if (const auto *m = dyn_cast<MetadataAsValue>(v)) {
      add(0xd0);
      metadata(m->getMetadata());
    } else if (isa<InlineAsm>(v)) {
      unsupported(CENV_CODESIZE_INLINE_ASM);
    } else {
      unsupported(CENV_CODESIZE_UNKNOWN_IR, false);
    }
  }

  void instruction(const Instruction &i) {
    add(i.getOpcode());
    add(type(i.getType()));
    add(i.getRawSubclassOptionalData());
    if (i.getDebugLoc() || i.hasDbgRecords())
      unsupported(CENV_CODESIZE_DEBUG_INFO, false);
    if (const auto *c = dyn_cast<CmpInst>(&i)) {
      add(c->getPredicate());
    } else if (const auto *l = dyn_cast<LoadInst>(&i)) {
      add(l->getAlign().value());
      add(uint64_t(l->isVolatile()) | uint64_t(l->getOrdering()) << 1);
      add(l->getSyncScopeID());
    } else if (const auto *s = dyn_cast<StoreInst>(&i)) {
      add(s->getAlign().value());
      add(uint64_t(s->isVolatile()) | uint64_t(s->getOrdering()) << 1);
      add(s->getSyncScopeID());
    } else if (const auto *a = dyn_cast<AllocaInst>(&i)) {
      add(type(a->getAllocatedType()));
      add(a->getAlign().value());
      add(uint64_t(a->isUsedWithInAlloca()) | uint64_t(a->isSwiftError()) << 1);
    } else if (const auto *g = dyn_cast<GetElementPtrInst>(&i)) {
      add(type(g->getSourceElementType()));
    } else if (const auto *call = dyn_cast<CallBase>(&i)) {
      add(call->getCallingConv());
      add(attributes(call->getAttributes()));
      add(type(call->getFunctionType()));
      if (const auto *ci = dyn_cast<CallInst>(call))
        add(ci->getTailCallKind());
      for (unsigned b = 0; b < call->getNumOperandBundles(); ++b) {
        add(call->getOperandBundleAt(b).getTagID());
        add(call->getOperandBundleAt(b).Inputs.size());
      }
      if (call->isInlineAsm())
        unsupported(CENV_CODESIZE_INLINE_ASM);
    } else if (const auto *r = dyn_cast<AtomicRMWInst>(&i)) {
      add(r->getOperation());
      add(r->getAlign().value());
      add(uint64_t(r->isVolatile()) | uint64_t(r->getOrdering()) << 1);
      add(r->getSyncScopeID());
    } else if (const auto *x = dyn_cast<AtomicCmpXchgInst>(&i)) {
      add(x->getAlign().value());
      add(uint64_t(x->isVolatile()) | uint64_t(x->isWeak()) << 1 |
          uint64_t(x->getSuccessOrdering()) << 2 | uint64_t(x->getFailureOrdering()) << 8);
      add(x->getSyncScopeID());
    } else if (const auto *f = dyn_cast<FenceInst>(&i)) {
      add(uint64_t(f->getOrdering()));
      add(f->getSyncScopeID());
    } else if (const auto *v = dyn_cast<ShuffleVectorInst>(&i)) {
      for (int m : v->getShuffleMask())
        add(static_cast<uint64_t>(m));
    } else if (const auto *e = dyn_cast<ExtractValueInst>(&i)) {
      for (unsigned index : e->indices())
        add(index);
    } else if (const auto *n = dyn_cast<InsertValueInst>(&i)) {
      for (unsigned index : n->indices())
        add(index);
    } else if (const auto *p = dyn_cast<PHINode>(&i)) {
      for (const BasicBlock *b : p->blocks())
        add(locals.lookup(b));
    } else if (const auto *lp = dyn_cast<LandingPadInst>(&i)) {
      add(lp->isCleanup());
    }
    add(i.getNumOperands());
    for (const Use &u : i.operands())
      operand(u.get());
    if (i.hasMetadataOtherThanDebugLoc()) {
      attached.clear();
      i.getAllMetadataOtherThanDebugLoc(attached);
      for (const auto &[kind, node] : attached) {
        add(kind);
        metadata(node);
      }
    }
  }
};

/* The alignment a function's first byte gets, as MachineFunction::init and
 * AsmPrinter::emitFunctionHeader choose it. */
uint64_t functionAlignment(const Function &f, const TargetMachine &tm) {
  const TargetLowering *lowering = tm.getSubtargetImpl(f)->getTargetLowering();
  Align align = lowering->getMinFunctionAlignment();
  if (!f.hasOptSize())
    align = std::max(align, lowering->getPrefFunctionAlignment());
  if (f.hasMetadata(LLVMContext::MD_func_sanitize) || f.getMetadata(LLVMContext::MD_kcfi_type))
    align = std::max(align, Align(4));
  if (MaybeAlign own = f.getAlign(); own && (*own > align || f.hasSection()))
    align = *own;
  return align.value();
}

std::string symbolName(const Function &f) {
  SmallString<64> name;
  Mangler().getNameWithPrefix(name, &f, false);
  return std::string(name);
}

/* A function whose code the compile below reports, or why it cannot. */
bool compilable(const Function &f, int *why) {
  if (f.hasSection() || f.hasPrivateLinkage() || f.getName().starts_with("\1")) {
    *why = CENV_CODESIZE_SECTION;
    return false;
  }
  return true;
}

}  // namespace

struct cenv_codesize {
  std::unordered_map<uint64_t, Compiled> functions;
  std::unordered_map<uint64_t, int64_t> wholes;  /* module key -> full compile's size */
  std::vector<uint64_t> whole_order;
  uint64_t pending_whole = 0;                    /* key of the last call that fell back */
  bool pending_valid = false;
  const TargetMachine *reference = nullptr;
  std::unique_ptr<TargetMachine> sections;       /* the reference, one section per function */
  std::unordered_map<uint64_t, std::pair<uint64_t, int>> spans;  /* size, reason */
  int64_t stats[CENV_CODESIZE_STATS_SIZE] = {};
};

namespace {

enum Stat {
  S_CALLS = 0,
  S_LAID_OUT = 1,
  S_REMEMBERED = 2,
  S_WHOLE = 3,
  S_COMPILED = 4,
  S_REUSED = 5,
  S_LAST_COMPILED = 6,
  S_LAST_REASON = 7,
  S_SPANS = 8,
};

/* Which instruction holds the rel32 at `at`: 1 (jmp), 2 (jcc: its opcode has two
 * bytes), -1 (a call or a RIP-relative operand: never shortened), 0 (unknown). */
int jumpOpcode(StringRef bytes, uint64_t at) {
  if (at < 1 || at > bytes.size())
    return 0;
  auto byte = [&](uint64_t i) { return static_cast<uint8_t>(bytes[i]); };
  uint8_t before = byte(at - 1);
  if (before == 0xE8 || (before & 0xC7) == 0x05)
    return -1;
  if (before == 0xE9)
    return 1;
  if (at >= 2 && byte(at - 2) == 0x0F && (before & 0xF0) == 0x80)
    return 2;
  return 0;
}

/* Reads the code of each function of `wanted` out of an object file made with
 * one section per function.  Returns false when the file has code that belongs
 * to none of them. */
bool readObject(StringRef data, const Module &m, const TargetMachine &tm,
                const std::vector<const Function *> &wanted, std::vector<Compiled> &out,
                std::string &error) {
  auto object = object::ObjectFile::createObjectFile(MemoryBufferRef(data, "codesize"));
  if (!object) {
    error = toString(object.takeError());
    return false;
  }
  object::ObjectFile &file = **object;
  StringMap<object::SymbolRef> symbols;
  for (const object::SymbolRef &s : file.symbols()) {
    Expected<StringRef> name = s.getName();
    if (!name)
      consumeError(name.takeError());
    else if (!name->empty())
      symbols[*name] = s;
  }
  DenseMap<uint64_t, size_t> owner;  /* section index -> position in `wanted` */
  for (size_t k = 0; k < wanted.size(); ++k) {
    const Function &f = *wanted[k];
    Compiled &c = out[k];
    c.align = functionAlignment(f, tm);
    std::string name = symbolName(f);
    auto found = symbols.find(name);
    if (found == symbols.end()) {
      if (!f.hasAvailableExternallyLinkage())
        c.reason = CENV_CODESIZE_OBJECT;
      continue;
    }
    Expected<uint64_t> value = found->second.getValue();
    Expected<object::section_iterator> where = found->second.getSection();
    if (!value || !where || *where == file.section_end() || *value != 0) {
      if (!value)
        consumeError(value.takeError());
      if (!where)
        consumeError(where.takeError());
      c.reason = CENV_CODESIZE_OBJECT;
      continue;
    }
    object::SectionRef section = **where;
    Expected<StringRef> section_name = section.getName();
    if (!section_name) {
      consumeError(section_name.takeError());
      c.reason = CENV_CODESIZE_OBJECT;
      continue;
    }
    StringRef unique = *section_name;
    if (!unique.starts_with(".text") || !unique.ends_with("." + name)) {
      c.reason = CENV_CODESIZE_SECTION;
      continue;
    }
    /* .text.f is in .text of a whole-module compile, .text.unlikely.f in .text.unlikely. */
    StringRef base = unique.drop_back(name.size());
    c.section = base == ".text." ? ".text" : base.str();
    c.size = section.getSize();
    c.emitted = true;
    uint64_t align = section.getAlignment().value();
    if (align != c.align)  /* more: its code aligns itself to more than its start */
      c.reason = align > c.align ? CENV_CODESIZE_POSITION : CENV_CODESIZE_OBJECT;
    owner[section.getIndex()] = k;
  }
  for (const object::SectionRef &section : file.sections()) {
    Expected<StringRef> name = section.getName();
    if (!name) {
      consumeError(name.takeError());
      continue;
    }
    if (name->starts_with(".text") && section.getSize() > 0 &&
        !owner.count(section.getIndex()))
      return false;
    Expected<object::section_iterator> target = section.getRelocatedSection();
    if (!target) {
      consumeError(target.takeError());
      continue;
    }
    if (*target == file.section_end() || !owner.count((*target)->getIndex()))
      continue;
    size_t k = owner[(*target)->getIndex()];
    Expected<StringRef> bytes = (*target)->getContents();
    if (!bytes) {
      consumeError(bytes.takeError());
      out[k].reason = CENV_CODESIZE_OBJECT;
      continue;
    }
    for (const object::RelocationRef &relocation : section.relocations()) {
      object::symbol_iterator symbol = relocation.getSymbol();
      if (symbol == file.symbol_end())
        continue;
      const Function *callee = nullptr;
      Expected<object::section_iterator> in = symbol->getSection();
      if (in && *in != file.section_end() && owner.count((*in)->getIndex())) {
        callee = wanted[owner[(*in)->getIndex()]];
      } else {
        if (!in)
          consumeError(in.takeError());
        Expected<StringRef> name = symbol->getName();
        if (!name) {
          consumeError(name.takeError());
          continue;
        }
        callee = m.getFunction(*name);
      }
      if (!callee || callee->isDeclaration() || callee == wanted[k])
        continue;
      int opcode = jumpOpcode(*bytes, relocation.getOffset());
      if (opcode < 0)
        continue;
      out[k].jumps.push_back({static_cast<uint32_t>(relocation.getOffset()),
                              static_cast<uint8_t>(opcode), callee->getName().str()});
    }
  }
  return true;
}

TargetMachine *sectionMachine(cenv_codesize *cache, const TargetMachine &tm) {
  if (cache->reference != &tm || !cache->sections) {
    TargetOptions options = tm.Options;
    options.FunctionSections = true;
    options.UniqueSectionNames = true;
    cache->sections.reset(tm.getTarget().createTargetMachine(
        tm.getTargetTriple().str(), tm.getTargetCPU(), tm.getTargetFeatureString(), options,
        tm.getRelocationModel(), tm.getCodeModel(), tm.getOptLevel()));
    cache->reference = &tm;
  }
  return cache->sections.get();
}

int wholeModule(cenv_codesize *cache, int reason, bool memoizable, uint64_t key) {
  cache->stats[S_WHOLE]++;
  cache->stats[S_LAST_REASON] = reason;
  cache->pending_whole = key;
  cache->pending_valid = memoizable;
  return CENV_CODESIZE_FULL;
}

bool isText(StringRef section) { return section == ".text" || section.starts_with(".text."); }

/* The global variables the code of `bodies` refers to, directly or through
 * other variables' contents. */
DenseSet<const GlobalVariable *> referencedVariables(const std::vector<const Function *> &bodies) {
  DenseSet<const GlobalVariable *> variables;
  DenseSet<const Constant *> seen;
  SmallVector<const Constant *, 64> work;
  auto visit = [&](const Value *v) {
    if (const auto *m = dyn_cast<MetadataAsValue>(v))
      if (const auto *c = dyn_cast<ConstantAsMetadata>(m->getMetadata()))
        v = c->getValue();
    if (const auto *c = dyn_cast<Constant>(v))
      work.push_back(c);
  };
  for (const Function *f : bodies) {
    if (f->hasPersonalityFn())
      visit(f->getPersonalityFn());
    for (const BasicBlock &b : *f)
      for (const Instruction &i : b)
        for (const Use &u : i.operands())
          visit(u.get());
  }
  while (!work.empty()) {
    const Constant *c = work.pop_back_val();
    if (!seen.insert(c).second)
      continue;
    if (const auto *v = dyn_cast<GlobalVariable>(c)) {
      variables.insert(v);
      if (v->hasInitializer())
        work.push_back(v->getInitializer());
    } else if (!isa<GlobalValue>(c)) {
      for (const Use &u : c->operands())
        work.push_back(cast<Constant>(u.get()));
    }
  }
  return variables;
}

/* A clone of `m` with the bodies of `bodies` and the variables they refer to
 * (code generation reads constants' contents); the rest is declared.  Being a
 * clone, as the module a whole-module compile compiles, it lists the uses of
 * each value of those functions in the same order. */
std::unique_ptr<Module> partialClone(const Module &m, const std::vector<const Function *> &bodies) {
  DenseSet<const Function *> chosen(bodies.begin(), bodies.end());
  DenseSet<const GlobalVariable *> variables = referencedVariables(bodies);
  ValueToValueMapTy map;
  return CloneModule(m, map, [&](const GlobalValue *g) {
    if (const auto *f = dyn_cast<Function>(g))
      return chosen.count(f) > 0;
    if (const auto *v = dyn_cast<GlobalVariable>(g))
      return variables.count(v) > 0 || v->getName().starts_with("llvm.");
    return true;
  });
}

/* Compiles `part` to an object file as cenv_emit_object() does. */
bool emit(Module &part, TargetMachine &machine, SmallVector<char, 0> &code, std::string &error) {
  part.setDataLayout(machine.createDataLayout());
  legacy::PassManager passes;
  TargetLibraryInfoImpl library(Triple(part.getTargetTriple()));
  passes.add(new TargetLibraryInfoWrapperPass(library));
  raw_svector_ostream stream(code);
  if (machine.addPassesToEmitFile(passes, stream, nullptr, CodeGenFileType::ObjectFile)) {
    error = "the target machine cannot emit object files";
    return false;
  }
  passes.run(part);
  return true;
}

/* Compiles the functions `wanted` of `m` in one module, each in a section of its own. */
bool compile(cenv_codesize *cache, const Module &m, const TargetMachine &tm,
             const std::vector<const Function *> &wanted, std::vector<Compiled> &out,
             std::string &error) {
  TargetMachine *machine = sectionMachine(cache, tm);
  if (!machine) {
    error = "cannot make a target machine like the given one";
    return false;
  }
  std::unique_ptr<Module> part = partialClone(m, wanted);
  SmallVector<char, 0> code;
  if (!emit(*part, *machine, code, error))
    return false;
  if (!readObject(StringRef(code.data(), code.size()), m, tm, wanted, out, error)) {
    if (!error.empty())
      return false;
    for (Compiled &c : out)
      c.reason = CENV_CODESIZE_OBJECT;
  }
  return true;
}

/* The size of `section` when the functions `members` (consecutive in it) are
 * compiled together as a whole-module compile would: with jumps among them
 * shortened by the assembler as there.  Returns false with `error`; sets
 * *reason when the object file has other code. */
bool compileSpan(const Module &m, const TargetMachine &tm, const std::vector<const Function *> &members,
                 StringRef section, uint64_t *size, int *reason, std::string &error) {
  std::unique_ptr<Module> part = partialClone(m, members);
  SmallVector<char, 0> code;
  if (!emit(*part, const_cast<TargetMachine &>(tm), code, error))
    return false;
  auto object = object::ObjectFile::createObjectFile(
      MemoryBufferRef(StringRef(code.data(), code.size()), "codesize"));
  if (!object) {
    error = toString(object.takeError());
    return false;
  }
  *size = 0;
  *reason = CENV_CODESIZE_NONE;
  bool found = false;
  for (const object::SectionRef &s : (*object)->sections()) {
    Expected<StringRef> name = s.getName();
    if (!name) {
      consumeError(name.takeError());
      continue;
    }
    if (*name == section && !found) {
      found = true;
      *size = s.getSize();
    } else if (isText(*name) && s.getSize() > 0) {
      *reason = CENV_CODESIZE_OBJECT;
    }
  }
  if (!found)
    *reason = CENV_CODESIZE_OBJECT;
  return true;
}

/* Section members from `lo` to `hi` (positions), to be compiled together. */
struct Span {
  size_t lo, hi;
};

/* Lays the functions out per section in module order.  A jump between two
 * functions of one section that the assembler might shorten (the bound below
 * cannot rule it out) puts both, and every function between them, in a span
 * compiled together.  Returns the reason the layout may differ from a
 * whole-module compile's, or CENV_CODESIZE_NONE. */
int layOut(cenv_codesize *cache, const Module &m, const TargetMachine &tm, uint64_t module_key,
           const std::vector<const Compiled *> &code, const std::vector<const Function *> &defined,
           const std::vector<uint64_t> &keys, int64_t *size, std::string &error) {
  StringMap<size_t> index;
  for (size_t k = 0; k < defined.size(); ++k)
    index[defined[k]->getName()] = k;
  std::vector<uint64_t> start(code.size()), pad(code.size()), position(code.size());
  std::vector<bool> shrinks(code.size());
  StringMap<uint64_t> ends;
  StringMap<std::vector<size_t>> members;
  for (size_t k = 0; k < code.size(); ++k) {
    const Compiled &c = *code[k];
    if (c.reason != CENV_CODESIZE_NONE)
      return c.reason;
    if (!c.emitted)
      continue;
    uint64_t &end = ends[c.section];
    start[k] = alignTo(end, c.align);
    pad[k] = start[k] - end;
    end = start[k] + c.size;
    position[k] = members[c.section].size();
    members[c.section].push_back(k);
  }
  /* A function with a jump to a function of its section may shrink (the jump, and
   * then jumps within it): anywhere between the two, up to its whole size. */
  std::vector<std::pair<size_t, const Jump *>> near;
  for (size_t k = 0; k < code.size(); ++k)
    for (const Jump &jump : code[k]->jumps) {
      auto target = index.find(jump.target);
      if (target == index.end())
        continue;
      const Compiled &callee = *code[target->second];
      if (!callee.emitted || callee.section != code[k]->section)
        continue;
      shrinks[k] = true;
      near.push_back({k, &jump});
    }
  StringMap<std::vector<Span>> spans;
  if (!near.empty()) {
    /* Per section, sums of the padding and of the sizes that may shrink, up to each member. */
    std::vector<uint64_t> pads(code.size()), shrinking(code.size());
    for (auto &entry : members) {
      uint64_t p = 0, s = 0;
      for (size_t k : entry.second) {
        pads[k] = p += pad[k];
        shrinking[k] = s += shrinks[k] ? code[k]->size : 0;
      }
    }
    for (const auto &[k, jump] : near) {
      size_t t = index[jump->target];
      size_t lo = position[k] < position[t] ? k : t, hi = lo == k ? t : k;
      uint64_t slack = pads[hi] - pads[lo] + shrinking[hi] - shrinking[lo] +
                       (shrinks[lo] ? code[lo]->size : 0);
      int64_t from = static_cast<int64_t>(start[k] + jump->offset - jump->opcode + 2);
      int64_t distance = static_cast<int64_t>(start[t]) - from;
      if (jump->opcode == 0 || std::llabs(distance) <= 130 + static_cast<int64_t>(slack))
        spans[code[k]->section].push_back({position[lo], position[hi]});
    }
  }
  int64_t total = 0;
  for (auto &entry : members) {
    std::vector<Span> &wanted = spans[entry.first()];
    std::sort(wanted.begin(), wanted.end(),
              [](const Span &a, const Span &b) { return a.lo < b.lo; });
    std::vector<Span> merged;
    for (const Span &s : wanted)
      if (!merged.empty() && s.lo <= merged.back().hi)
        merged.back().hi = std::max(merged.back().hi, s.hi);
      else
        merged.push_back(s);
    const std::vector<size_t> &list = entry.second;
    uint64_t end = 0;
    size_t next = 0;
    for (size_t n = 0; n < list.size(); ++n) {
      const Compiled &c = *code[list[n]];
      if (next < merged.size() && merged[next].lo == n) {
        const Span &span = merged[next++];
        std::vector<const Function *> together;
        std::vector<uint64_t> words{module_key, 0x5ba2};
        for (size_t i = span.lo; i <= span.hi; ++i) {
          const Compiled &member = *code[list[i]];
          if (member.align > c.align)  /* the span's code would start elsewhere */
            return CENV_CODESIZE_POSITION;
          together.push_back(defined[list[i]]);
          words.push_back(keys[list[i]]);
        }
        uint64_t key = xxh3_64bits(ArrayRef<uint8_t>(
            reinterpret_cast<const uint8_t *>(words.data()), words.size() * sizeof(uint64_t)));
        auto known = cache->spans.find(key);
        if (known == cache->spans.end()) {
          std::pair<uint64_t, int> result;
          if (!compileSpan(m, tm, together, entry.first(), &result.first, &result.second, error))
            return CENV_CODESIZE_OBJECT;
          cache->stats[S_SPANS]++;
          known = cache->spans.emplace(key, result).first;
        }
        if (known->second.second != CENV_CODESIZE_NONE)
          return known->second.second;
        end = alignTo(end, c.align) + known->second.first;
        n = span.hi;
        continue;
      }
      end = alignTo(end, c.align) + c.size;
    }
    if (isText(entry.first()))
      total += static_cast<int64_t>(end);
  }
  *size = total;
  return CENV_CODESIZE_NONE;
}

}  // namespace

extern "C" CENV_API cenv_codesize *cenv_codesize_create(void) { return new cenv_codesize(); }

extern "C" CENV_API void cenv_codesize_dispose(cenv_codesize *cache) { delete cache; }

extern "C" CENV_API int cenv_codesize_text_size(cenv_codesize *cache, LLVMModuleRef m,
                                                LLVMTargetMachineRef tm, int64_t *size,
                                                char **error) {
  if (!cache || !m || !tm || !size || !error)
    return CENV_E_NULL;
  const Module &module = *unwrap(m);
  const auto &machine = *reinterpret_cast<const TargetMachine *>(tm);
  int64_t *stats = cache->stats;
  stats[S_CALLS]++;
  stats[S_LAST_COMPILED] = 0;
  stats[S_LAST_REASON] = CENV_CODESIZE_NONE;
  cache->pending_valid = false;
  if (!machine.getTargetTriple().isX86() || !machine.getTargetTriple().isOSBinFormatELF())
    return wholeModule(cache, CENV_CODESIZE_TARGET, false, 0);

  Hasher hasher(module);
  if (!module.getModuleInlineAsm().empty())
    hasher.unsupported(CENV_CODESIZE_MODULE_ASM);
  if (!module.alias_empty() || !module.ifunc_empty())
    hasher.unsupported(CENV_CODESIZE_ALIAS, false);
  if (module.getNamedMetadata("llvm.dbg.cu"))
    hasher.unsupported(CENV_CODESIZE_DEBUG_INFO, false);
  for (const GlobalVariable &v : module.globals())
    hasher.shallow(&v);  /* a variable placed in a text section */
  uint64_t module_key = hasher.moduleKey(machine);
  std::vector<const Function *> defined;
  std::vector<uint64_t> keys{module_key};
  for (const Function &f : module) {
    if (f.isDeclaration())
      continue;
    int why;
    if (!compilable(f, &why))
      hasher.unsupported(why);
    defined.push_back(&f);
    keys.push_back(hasher.functionKey(f, module_key));
  }
  uint64_t whole_key = xxh3_64bits(ArrayRef<uint8_t>(
      reinterpret_cast<const uint8_t *>(keys.data()), keys.size() * sizeof(uint64_t)));
  if (hasher.memoizable) {
    auto known = cache->wholes.find(whole_key);
    if (known != cache->wholes.end()) {
      stats[S_REMEMBERED]++;
      *size = known->second;
      return 0;
    }
  }
  if (hasher.reason != CENV_CODESIZE_NONE)
    return wholeModule(cache, hasher.reason, hasher.memoizable, whole_key);

  std::vector<const Function *> missing;
  std::vector<uint64_t> missing_keys;
  for (size_t k = 0; k < defined.size(); ++k)
    if (!cache->functions.count(keys[k + 1]) &&
        std::find(missing_keys.begin(), missing_keys.end(), keys[k + 1]) == missing_keys.end()) {
      missing.push_back(defined[k]);
      missing_keys.push_back(keys[k + 1]);
    }
  if (!missing.empty()) {
    std::vector<Compiled> compiled(missing.size());
    std::string message;
    if (!compile(cache, module, machine, missing, compiled, message)) {
      *error = LLVMCreateMessage(message.c_str());
      return CENV_CODESIZE_ERROR;
    }
    for (size_t k = 0; k < missing.size(); ++k)
      cache->functions[missing_keys[k]] = std::move(compiled[k]);
  }
  stats[S_COMPILED] += missing.size();
  stats[S_REUSED] += defined.size() - missing.size();
  stats[S_LAST_COMPILED] = missing.size();

  std::vector<const Compiled *> code;
  for (size_t k = 0; k < defined.size(); ++k)
    code.push_back(&cache->functions[keys[k + 1]]);
  std::string message;
  int reason = layOut(cache, module, machine, module_key, code, defined,
                      std::vector<uint64_t>(keys.begin() + 1, keys.end()), size, message);
  if (!message.empty()) {
    *error = LLVMCreateMessage(message.c_str());
    return CENV_CODESIZE_ERROR;
  }

  if (cache->functions.size() > 4 * defined.size() + 4096) {  /* keep what this module uses */
    std::unordered_map<uint64_t, Compiled> kept;
    for (size_t k = 1; k < keys.size(); ++k)
      kept[keys[k]] = cache->functions[keys[k]];
    cache->functions.swap(kept);
  }
  if (cache->spans.size() > 4096)
    cache->spans.clear();
  if (reason != CENV_CODESIZE_NONE)
    return wholeModule(cache, reason, true, whole_key);
  stats[S_LAID_OUT]++;
  return 0;
}

extern "C" CENV_API void cenv_codesize_remember(cenv_codesize *cache, int64_t size) {
  if (!cache || !cache->pending_valid)
    return;
  cache->pending_valid = false;
  if (cache->wholes.emplace(cache->pending_whole, size).second)
    cache->whole_order.push_back(cache->pending_whole);
  if (cache->whole_order.size() > 64) {
    cache->wholes.erase(cache->whole_order.front());
    cache->whole_order.erase(cache->whole_order.begin());
  }
}

extern "C" CENV_API int cenv_codesize_stats(cenv_codesize *cache, int64_t *out, int n) {
  if (!cache || !out)
    return CENV_E_NULL;
  if (n < CENV_CODESIZE_STATS_SIZE)
    return CENV_E_SHORT_OUT;
  std::copy(cache->stats, cache->stats + CENV_CODESIZE_STATS_SIZE, out);
  return 0;
}

extern "C" CENV_API const char *cenv_codesize_reason(int reason) {
  return reason >= 0 && reason < CENV_CODESIZE_REASONS ? kReasons[reason] : nullptr;
}
