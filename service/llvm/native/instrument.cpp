/*
 * Instrumentation for DynamicInstructionCount (see cenv_features.h).
 *
 * Every basic block with a body gets, at its first insertion point, an
 * increment of a 64-bit counter by the number of instructions the block had
 * before instrumentation. The counter is an external global: the program's
 * probe object (service/runtime.py) defines it and reports it at exit.
 */
#include "cenv_features.h"

#include <llvm-c/Core.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Module.h>

#include <cstdint>
#include <utility>
#include <vector>

extern "C" CENV_API int cenv_instrument_block_counts(LLVMModuleRef m, const char *counter) {
  llvm::Module *module = llvm::unwrap(m);
  if (!module || !counter)
    return CENV_E_NULL;
  if (module->getNamedValue(counter))
    return CENV_E_NAME_TAKEN;
  llvm::LLVMContext &context = module->getContext();
  llvm::Type *i64 = llvm::Type::getInt64Ty(context);
  auto *total = new llvm::GlobalVariable(*module, i64, /*isConstant=*/false,
                                         llvm::GlobalValue::ExternalLinkage, nullptr, counter);
  total->setDSOLocal(true);  // defined in the same executable
  // Sizes first: the increments must not count themselves.
  std::vector<std::pair<llvm::BasicBlock *, uint64_t>> blocks;
  for (llvm::Function &function : *module) {
    if (function.isDeclaration())
      continue;
    for (llvm::BasicBlock &block : function)
      blocks.emplace_back(&block, block.size());
  }
  for (auto &[block, size] : blocks) {
    auto at = block->getFirstInsertionPt();
    if (at == block->end())
      continue;  // a catchswitch block has no place for code; C programs have none
    llvm::IRBuilder<> builder(block, at);
    llvm::Value *before = builder.CreateLoad(i64, total);
    builder.CreateStore(builder.CreateAdd(before, llvm::ConstantInt::get(i64, size)), total);
  }
  return 0;
}
