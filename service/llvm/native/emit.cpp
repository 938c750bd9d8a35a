/*
 * Object emission as clang's backend does it, and bitcode as opt writes it
 * (see cenv_features.h).
 */
#include "cenv_features.h"

#include <llvm-c/Core.h>
#include <llvm/ADT/SmallVector.h>
#include <llvm/Bitcode/BitcodeWriter.h>
#include <llvm/Analysis/TargetLibraryInfo.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/TargetParser/Triple.h>

#include <cstdlib>
#include <cstring>

extern "C" CENV_API int cenv_emit_object(LLVMModuleRef m, LLVMTargetMachineRef tm,
                                         LLVMMemoryBufferRef *object, char **error) {
  llvm::Module *module = llvm::unwrap(m);
  auto *machine = reinterpret_cast<llvm::TargetMachine *>(tm);
  module->setDataLayout(machine->createDataLayout());
  llvm::legacy::PassManager passes;
  llvm::TargetLibraryInfoImpl library(llvm::Triple(module->getTargetTriple()));
  passes.add(new llvm::TargetLibraryInfoWrapperPass(library));
  llvm::SmallVector<char, 0> code;
  llvm::raw_svector_ostream stream(code);
  if (machine->addPassesToEmitFile(passes, stream, nullptr, llvm::CodeGenFileType::ObjectFile)) {
    *error = LLVMCreateMessage("the target machine cannot emit object files");
    return 1;
  }
  passes.run(*module);
  *object = LLVMCreateMemoryBufferWithMemoryRangeCopy(code.data(), code.size(), "object");
  return 0;
}

/*
 * Bitcode as opt writes it: with the module's use-list order, which the C
 * API's writer leaves out. Reading it back gives the same order of each
 * value's uses, so that passes run on the reloaded module as on the original
 * (some, e.g. those that visit a block's predecessors, follow that order).
 */
extern "C" CENV_API int cenv_write_bitcode(LLVMModuleRef m, char **data, size_t *size) {
  llvm::Module *module = llvm::unwrap(m);
  if (!module || !data || !size)
    return CENV_E_NULL;
  llvm::SmallVector<char, 0> bitcode;
  {
    llvm::raw_svector_ostream stream(bitcode);
    llvm::WriteBitcodeToFile(*module, stream, /*ShouldPreserveUseListOrder=*/true);
  }
  char *copy = static_cast<char *>(std::malloc(bitcode.size()));
  if (!copy)
    return CENV_E_NULL;
  std::memcpy(copy, bitcode.data(), bitcode.size());
  *data = copy;
  *size = bitcode.size();
  return 0;
}
