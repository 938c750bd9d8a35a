/*
 * Textual IR (see cenv_features.h): Module::print into a buffered stream.
 *
 * The C API prints into an unbuffered string stream, so the printer's column
 * tracking and the string's growth run once per token; a buffer in between
 * makes them run once per 64 KiB. The text is the same.
 */
#include "cenv_features.h"

#include <llvm-c/Core.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/raw_ostream.h>

#include <cstdlib>
#include <cstring>
#include <string>

extern "C" CENV_API int cenv_print_module(LLVMModuleRef m, char **text, size_t *size) {
  llvm::Module *module = llvm::unwrap(m);
  if (!module || !text || !size)
    return CENV_E_NULL;
  std::string printed;
  printed.reserve(1 << 20);
  {
    llvm::raw_string_ostream stream(printed);
    stream.SetBufferSize(1 << 16);
    module->print(stream, nullptr);
  }
  char *copy = static_cast<char *>(std::malloc(printed.size() + 1));
  if (!copy)
    return CENV_E_NULL;
  std::memcpy(copy, printed.data(), printed.size() + 1);
  *text = copy;
  *size = printed.size();
  return 0;
}

extern "C" CENV_API void cenv_free(void *pointer) { std::free(pointer); }
