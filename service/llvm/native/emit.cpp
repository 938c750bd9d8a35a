/*
 * Object emission as clang's backend does it (see cenv_features.h).
 */
#include "cenv_features.h"

#include <llvm-c/Core.h>
#include <llvm/ADT/SmallVector.h>
#include <llvm/Analysis/TargetLibraryInfo.h>
#include <llvm/IR/LegacyPassManager.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/raw_ostream.h>
#include <llvm/Target/TargetMachine.h>
#include <llvm/TargetParser/Triple.h>

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
