/*
 * IrHash: a 128-bit structural hash of a module (see cenv_features.h).
 *
 * One walk over the module, hashing what its textual IR shows: the target,
 * every global, function, attribute, block and instruction (opcode, type,
 * flags, operands, metadata attachments), constants by value and metadata by
 * structure. Values are named by their position (function-local values in
 * definition order, blocks in layout order, metadata nodes in the order the
 * walk first meets them) and global values by name, never by address, so the
 * same IR gives the same hash in any process and context. It is not a
 * cryptographic hash: two lanes of a 64-bit multiply-xorshift mix.
 */
#include "cenv_features.h"

#include <llvm-c/Core.h>
#include <llvm/ADT/DenseMap.h>
#include <llvm/IR/Attributes.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/DebugInfoMetadata.h>
#include <llvm/IR/DebugProgramInstruction.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/GlobalAlias.h>
#include <llvm/IR/GlobalIFunc.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/InlineAsm.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/IntrinsicInst.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Metadata.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Operator.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

namespace {

class Hasher {
public:
  explicit Hasher(llvm::Module &module) : module_(module) {
    module.getContext().getMDKindNames(kinds_);
  }

  void module() {
    text(module_.getTargetTriple());
    text(module_.getDataLayoutStr());
    text(module_.getModuleInlineAsm());
    for (const llvm::Comdat *comdat : comdats()) {
      text(comdat->getName());
      word(comdat->getSelectionKind());
    }
    for (llvm::GlobalVariable &global : module_.globals())
      variable(global);
    for (llvm::GlobalAlias &alias : module_.aliases()) {
      header(alias);
      constant(alias.getAliasee());
    }
    for (llvm::GlobalIFunc &ifunc : module_.ifuncs()) {
      header(ifunc);
      constant(ifunc.getResolver());
    }
    for (llvm::Function &function : module_)
      this->function(function);
    for (llvm::NamedMDNode &named : module_.named_metadata()) {
      text(named.getName());
      for (llvm::MDNode *node : named.operands())
        metadata(node);
    }
  }

  void digest(uint64_t out[2]) const {
    out[0] = finish(a_);
    out[1] = finish(b_ ^ 0x9e3779b97f4a7c15ULL);
  }

private:
  // -- mixing ----------------------------------------------------------------------

  void word(uint64_t value) {
    a_ = (a_ ^ value) * 0x100000001b3ULL;
    a_ ^= a_ >> 29;
    b_ = (b_ + value) * 0xbf58476d1ce4e5b9ULL;
    b_ ^= b_ >> 31;
  }

  void text(llvm::StringRef value) {
    word(value.size());
    const char *data = value.data();
    size_t size = value.size(), i = 0;
    for (; i + 8 <= size; i += 8) {
      uint64_t chunk;
      std::memcpy(&chunk, data + i, 8);
      word(chunk);
    }
    uint64_t tail = 0;
    for (size_t shift = 0; i < size; ++i, shift += 8)
      tail |= static_cast<uint64_t>(static_cast<unsigned char>(data[i])) << shift;
    word(tail);
  }

  static uint64_t finish(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 33);
  }

  // -- module-level ------------------------------------------------------------------

  std::vector<const llvm::Comdat *> comdats() {
    std::vector<const llvm::Comdat *> all;
    for (auto &entry : module_.getComdatSymbolTable())
      all.push_back(&entry.second);
    std::sort(all.begin(), all.end(), [](const llvm::Comdat *x, const llvm::Comdat *y) {
      return x->getName() < y->getName();
    });
    return all;
  }

  void header(const llvm::GlobalValue &global) {
    text(global.getName());
    word(global.getLinkage());
    word(global.getVisibility());
    word(global.getDLLStorageClass());
    word(global.getThreadLocalMode());
    word(static_cast<uint64_t>(global.getUnnamedAddr()));
    word(global.isDSOLocal());
    word(global.getAddressSpace());
    type(global.getValueType());
    if (const llvm::Comdat *comdat = global.getComdat())
      text(comdat->getName());
    if (const auto *object = llvm::dyn_cast<llvm::GlobalObject>(&global)) {
      word(object->getAlign() ? object->getAlign()->value() : 0);
      text(object->getSection());
      word(object->hasPartition());
      attachments(*object);
    }
  }

  void attachments(const llvm::GlobalObject &object) {
    llvm::SmallVector<std::pair<unsigned, llvm::MDNode *>, 4> all;
    object.getAllMetadata(all);
    for (auto &[kind, node] : all) {
      kind_name(kind);
      metadata(node);
    }
  }

  void variable(llvm::GlobalVariable &global) {
    header(global);
    word(global.isConstant());
    word(global.isExternallyInitialized());
    word(global.hasInitializer());
    if (global.hasInitializer())
      constant(global.getInitializer());
    attributes(global.getAttributes());
  }

  void function(llvm::Function &function) {
    header(function);
    word(function.getCallingConv());
    word(function.isDeclaration());
    attribute_list(function.getAttributes());
    word(function.hasGC());
    if (function.hasGC())
      text(function.getGC());
    word(function.hasPersonalityFn());
    if (function.hasPersonalityFn())
      constant(function.getPersonalityFn());
    word(function.hasPrefixData());
    if (function.hasPrefixData())
      constant(function.getPrefixData());
    word(function.hasPrologueData());
    if (function.hasPrologueData())
      constant(function.getPrologueData());
    if (function.isDeclaration())
      return;
    locals_.clear();
    unsigned next = 0;
    for (llvm::Argument &argument : function.args()) {
      locals_[&argument] = next++;
      text(argument.getName());
    }
    for (llvm::BasicBlock &block : function) {
      locals_[&block] = next++;
      for (llvm::Instruction &instruction : block)
        locals_[&instruction] = next++;
    }
    for (llvm::BasicBlock &block : function) {
      text(block.getName());
      word(block.size());
      for (llvm::Instruction &instruction : block)
        this->instruction(instruction);
    }
  }

  // -- instructions --------------------------------------------------------------------

  void instruction(llvm::Instruction &instruction) {
    word(instruction.getOpcode());
    type(instruction.getType());
    text(instruction.getName());
    word(instruction.getRawSubclassOptionalData());  // nuw, nsw, exact, fast-math, ...
    for (llvm::Use &operand : instruction.operands())
      value(operand.get());
    details(instruction);
    llvm::SmallVector<std::pair<unsigned, llvm::MDNode *>, 4> attached;
    instruction.getAllMetadata(attached);  // includes !dbg
    for (auto &[kind, node] : attached) {
      kind_name(kind);
      metadata(node);
    }
    for (llvm::DbgRecord &record : instruction.getDbgRecordRange())
      debug_record(record);
  }

  void debug_record(llvm::DbgRecord &record) {
    word(record.getRecordKind());
    metadata(record.getDebugLoc().getAsMDNode());
    if (auto *variable = llvm::dyn_cast<llvm::DbgVariableRecord>(&record)) {
      word(static_cast<uint64_t>(variable->getType()));
      metadata(variable->getRawVariable());
      metadata(variable->getRawExpression());
      metadata(variable->getRawLocation());
      if (variable->isDbgAssign()) {
        metadata(variable->getRawAssignID());
        metadata(variable->getRawAddress());
        metadata(variable->getRawAddressExpression());
      }
    } else if (auto *label = llvm::dyn_cast<llvm::DbgLabelRecord>(&record)) {
      metadata(label->getLabel());
    }
  }

  // What an instruction holds besides its operands and flags.
  void details(llvm::Instruction &instruction) {
    using namespace llvm;
    if (auto *compare = dyn_cast<CmpInst>(&instruction)) {
      word(compare->getPredicate());
    } else if (auto *load = dyn_cast<LoadInst>(&instruction)) {
      word(load->getAlign().value());
      word(load->isVolatile());
      atomic(load->getOrdering(), load->getSyncScopeID());
    } else if (auto *store = dyn_cast<StoreInst>(&instruction)) {
      word(store->getAlign().value());
      word(store->isVolatile());
      atomic(store->getOrdering(), store->getSyncScopeID());
    } else if (auto *alloca = dyn_cast<AllocaInst>(&instruction)) {
      type(alloca->getAllocatedType());
      word(alloca->getAlign().value());
      word(alloca->isUsedWithInAlloca());
      word(alloca->isSwiftError());
    } else if (auto *gep = dyn_cast<GetElementPtrInst>(&instruction)) {
      type(gep->getSourceElementType());
    } else if (auto *call = dyn_cast<CallBase>(&instruction)) {
      word(call->getCallingConv());
      type(call->getFunctionType());
      attribute_list(call->getAttributes());
      if (auto *plain = dyn_cast<CallInst>(call))
        word(plain->getTailCallKind());
      for (unsigned i = 0, n = call->getNumOperandBundles(); i < n; ++i)
        text(call->getOperandBundleAt(i).getTagName());
    } else if (auto *phi = dyn_cast<PHINode>(&instruction)) {
      for (BasicBlock *block : phi->blocks())
        value(block);
    } else if (auto *shuffle = dyn_cast<ShuffleVectorInst>(&instruction)) {
      for (int element : shuffle->getShuffleMask())
        word(static_cast<uint64_t>(static_cast<int64_t>(element)));
    } else if (auto *extract = dyn_cast<ExtractValueInst>(&instruction)) {
      for (unsigned index : extract->indices())
        word(index);
    } else if (auto *insert = dyn_cast<InsertValueInst>(&instruction)) {
      for (unsigned index : insert->indices())
        word(index);
    } else if (auto *rmw = dyn_cast<AtomicRMWInst>(&instruction)) {
      word(rmw->getOperation());
      word(rmw->getAlign().value());
      word(rmw->isVolatile());
      atomic(rmw->getOrdering(), rmw->getSyncScopeID());
    } else if (auto *exchange = dyn_cast<AtomicCmpXchgInst>(&instruction)) {
      word(exchange->getAlign().value());
      word(exchange->isVolatile());
      word(exchange->isWeak());
      atomic(exchange->getSuccessOrdering(), exchange->getSyncScopeID());
      word(static_cast<uint64_t>(exchange->getFailureOrdering()));
    } else if (auto *fence = dyn_cast<FenceInst>(&instruction)) {
      atomic(fence->getOrdering(), fence->getSyncScopeID());
    } else if (auto *pad = dyn_cast<LandingPadInst>(&instruction)) {
      word(pad->isCleanup());
    }
  }

  void atomic(llvm::AtomicOrdering ordering, llvm::SyncScope::ID scope) {
    word(static_cast<uint64_t>(ordering));
    word(scope);
  }

  void kind_name(unsigned kind) {
    text(kind < kinds_.size() ? kinds_[kind] : llvm::StringRef("?"));
  }

  // -- values ----------------------------------------------------------------------------

  void value(llvm::Value *value) {
    if (!value) {
      word(0x6e756c6cULL);
      return;
    }
    auto local = locals_.find(value);
    if (local != locals_.end()) {
      word(1);
      word(local->second);
      return;
    }
    if (auto *constant = llvm::dyn_cast<llvm::Constant>(value)) {
      this->constant(constant);
    } else if (auto *wrapped = llvm::dyn_cast<llvm::MetadataAsValue>(value)) {
      word(3);
      metadata(wrapped->getMetadata());
    } else if (auto *assembly = llvm::dyn_cast<llvm::InlineAsm>(value)) {
      word(4);
      text(assembly->getAsmString());
      text(assembly->getConstraintString());
      word(assembly->hasSideEffects());
      word(assembly->isAlignStack());
      word(assembly->getDialect());
      word(assembly->canThrow());
      type(assembly->getFunctionType());
    } else {
      word(5);  // a value of another function: invalid IR, still hashed stably
      word(value->getValueID());
    }
  }

  void constant(llvm::Constant *constant) {
    word(2);
    word(constant->getValueID());
    type(constant->getType());
    if (auto *global = llvm::dyn_cast<llvm::GlobalValue>(constant)) {
      text(global->getName());  // unnamed globals are rare; their type and kind stand in
      return;
    }
    auto known = constants_.find(constant);
    if (known != constants_.end()) {
      word(known->second);
      return;
    }
    uint64_t before_a = a_, before_b = b_;
    a_ = 0x243f6a8885a308d3ULL;
    b_ = 0x13198a2e03707344ULL;
    constant_body(constant);
    uint64_t own = finish(a_) ^ (finish(b_) << 1);
    a_ = before_a;
    b_ = before_b;
    constants_[constant] = own;
    word(own);
  }

  void constant_body(llvm::Constant *constant) {
    using namespace llvm;
    if (auto *integer = dyn_cast<ConstantInt>(constant)) {
      const APInt &bits = integer->getValue();
      for (unsigned i = 0; i < bits.getNumWords(); ++i)
        word(bits.getRawData()[i]);
    } else if (auto *real = dyn_cast<ConstantFP>(constant)) {
      APInt bits = real->getValueAPF().bitcastToAPInt();
      for (unsigned i = 0; i < bits.getNumWords(); ++i)
        word(bits.getRawData()[i]);
    } else if (auto *data = dyn_cast<ConstantDataSequential>(constant)) {
      text(data->getRawDataValues());
    } else if (auto *address = dyn_cast<BlockAddress>(constant)) {
      text(address->getFunction()->getName());
      unsigned index = 0;
      for (BasicBlock &block : *address->getFunction()) {
        if (&block == address->getBasicBlock())
          break;
        ++index;
      }
      word(index);
    } else if (auto *equivalent = dyn_cast<DSOLocalEquivalent>(constant)) {
      text(equivalent->getGlobalValue()->getName());
    } else if (auto *nocfi = dyn_cast<NoCFIValue>(constant)) {
      text(nocfi->getGlobalValue()->getName());
    } else if (auto *expression = dyn_cast<ConstantExpr>(constant)) {
      word(expression->getOpcode());
      word(expression->getRawSubclassOptionalData());
      if (auto *gep = dyn_cast<GEPOperator>(expression)) {
        type(gep->getSourceElementType());
        if (auto range = gep->getInRange())
          word(range->getLower().getSExtValue() ^ (range->getUpper().getSExtValue() << 7));
      }
      for (Use &operand : expression->operands())
        this->constant(cast<Constant>(operand.get()));
    } else if (auto *ptrauth = dyn_cast<ConstantPtrAuth>(constant)) {
      for (Use &operand : ptrauth->operands())
        this->constant(cast<Constant>(operand.get()));
    } else {
      // Aggregates (array, struct, vector) list their elements as operands;
      // null, zero, undef, poison and token constants are their kind and type.
      for (Use &operand : constant->operands())
        this->constant(cast<Constant>(operand.get()));
    }
  }

  // -- types and attributes --------------------------------------------------------------

  void type(llvm::Type *type) {
    auto known = types_.find(type);
    if (known != types_.end()) {
      word(known->second);
      return;
    }
    uint64_t before_a = a_, before_b = b_;
    a_ = 0xa4093822299f31d0ULL;
    b_ = 0x082efa98ec4e6c89ULL;
    types_[type] = 0x7e7e;  // a recursive struct refers to itself by name: never loops
    type_body(type);
    uint64_t own = finish(a_) ^ (finish(b_) << 1);
    a_ = before_a;
    b_ = before_b;
    types_[type] = own;
    word(own);
  }

  void type_body(llvm::Type *type) {
    word(type->getTypeID());
    if (auto *integer = llvm::dyn_cast<llvm::IntegerType>(type)) {
      word(integer->getBitWidth());
    } else if (auto *pointer = llvm::dyn_cast<llvm::PointerType>(type)) {
      word(pointer->getAddressSpace());
    } else if (auto *structure = llvm::dyn_cast<llvm::StructType>(type)) {
      word(structure->isPacked());
      word(structure->isOpaque());
      if (structure->hasName()) {
        text(structure->getName());
        if (!named_done_.insert(structure).second)
          return;
      }
      for (llvm::Type *element : structure->elements())
        this->type(element);
    } else if (auto *array = llvm::dyn_cast<llvm::ArrayType>(type)) {
      word(array->getNumElements());
      this->type(array->getElementType());
    } else if (auto *vector = llvm::dyn_cast<llvm::VectorType>(type)) {
      word(vector->getElementCount().getKnownMinValue());
      word(vector->getElementCount().isScalable());
      this->type(vector->getElementType());
    } else if (auto *signature = llvm::dyn_cast<llvm::FunctionType>(type)) {
      word(signature->isVarArg());
      this->type(signature->getReturnType());
      for (llvm::Type *parameter : signature->params())
        this->type(parameter);
    } else if (auto *target = llvm::dyn_cast<llvm::TargetExtType>(type)) {
      text(target->getName());
      for (llvm::Type *parameter : target->type_params())
        this->type(parameter);
      for (unsigned parameter : target->int_params())
        word(parameter);
    }
  }

  void attribute_list(const llvm::AttributeList &list) {
    word(list.getNumAttrSets());
    for (unsigned index : list.indexes())
      attributes(list.getAttributes(index));
  }

  void attributes(const llvm::AttributeSet &set) {
    word(set.getNumAttributes());
    for (const llvm::Attribute &attribute : set) {
      if (attribute.isStringAttribute()) {
        text(attribute.getKindAsString());
        text(attribute.getValueAsString());
        continue;
      }
      word(attribute.getKindAsEnum());
      if (attribute.isIntAttribute())
        word(attribute.getValueAsInt());
      else if (attribute.isTypeAttribute())
        type(attribute.getValueAsType());
      else if (attribute.isConstantRangeAttribute()) {
        const llvm::ConstantRange &range = attribute.getValueAsConstantRange();
        word(range.getLower().getZExtValue());
        word(range.getUpper().getZExtValue());
      }
    }
  }

  // -- metadata ----------------------------------------------------------------------------

  void metadata(llvm::Metadata *node) {
    if (!node) {
      word(0x6d64);
      return;
    }
    auto known = metadata_.find(node);
    if (known != metadata_.end()) {  // met before (or a cycle): its number
      word(7);
      word(known->second);
      return;
    }
    metadata_[node] = metadata_.size();
    word(8);
    word(node->getMetadataID());
    if (auto *string = llvm::dyn_cast<llvm::MDString>(node)) {
      text(string->getString());
    } else if (auto *constant = llvm::dyn_cast<llvm::ConstantAsMetadata>(node)) {
      this->constant(constant->getValue());
    } else if (auto *local = llvm::dyn_cast<llvm::LocalAsMetadata>(node)) {
      value(local->getValue());
    } else if (auto *list = llvm::dyn_cast<llvm::DIArgList>(node)) {
      for (llvm::ValueAsMetadata *argument : list->getArgs())
        metadata(argument);
    } else if (auto *tuple = llvm::dyn_cast<llvm::MDNode>(node)) {
      word(tuple->isDistinct());
      if (auto *location = llvm::dyn_cast<llvm::DILocation>(tuple)) {
        word(location->getLine());
        word(location->getColumn());
      } else if (auto *debug = llvm::dyn_cast<llvm::DINode>(tuple)) {
        word(debug->getTag());
      }
      for (const llvm::MDOperand &operand : tuple->operands())
        metadata(operand.get());
    }
  }

  llvm::Module &module_;
  llvm::SmallVector<llvm::StringRef, 32> kinds_;
  llvm::DenseMap<const llvm::Value *, unsigned> locals_;
  llvm::DenseMap<const llvm::Constant *, uint64_t> constants_;
  llvm::DenseMap<const llvm::Type *, uint64_t> types_;
  llvm::DenseSet<const llvm::StructType *> named_done_;
  llvm::DenseMap<const llvm::Metadata *, uint64_t> metadata_;
  uint64_t a_ = 0xcbf29ce484222325ULL;
  uint64_t b_ = 0x84222325cbf29ce4ULL;
};

}  // namespace

extern "C" CENV_API int cenv_ir_hash(LLVMModuleRef m, char *out, int size) {
  llvm::Module *module = llvm::unwrap(m);
  if (!module || !out)
    return CENV_E_NULL;
  if (size < CENV_IR_HASH_SIZE)
    return CENV_E_SIZE;
  Hasher hasher(*module);
  hasher.module();
  uint64_t digest[2];
  hasher.digest(digest);
  std::snprintf(out, size, "%016llx%016llx", static_cast<unsigned long long>(digest[0]),
                static_cast<unsigned long long>(digest[1]));
  return 0;
}
