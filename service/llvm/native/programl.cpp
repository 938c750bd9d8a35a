/*
 * Programl: the program graph of a module (see cenv_features.h and
 * docs/programl.md), after ProGraML (Cummins et al., ICML 2021).
 *
 * Nodes: node 0 is the external root; then one instruction node per
 * instruction of every function body, in module order; then variable and
 * constant nodes in the order the walk first meets them.  A variable node
 * stands for an argument, an instruction result that has uses, or a global
 * variable; a constant node for each distinct other operand (constants,
 * constant expressions, functions taken as values, inline assembly).
 *
 * Edges: control (instruction -> next in its block; terminator -> first
 * instruction of successor i, position i), data (operand's node -> user,
 * position = operand index; instruction -> its result's variable node,
 * position 0) and call (call -> callee's entry and callee's returns -> call
 * for a defined callee, call <-> root otherwise; root -> every defined
 * function's entry and every return -> root, all position 0).
 *
 * The full text of instructions is what the module's printer writes for them,
 * captured with an annotation writer while the whole module is printed once.
 */
#include "cenv_features.h"

#include <llvm-c/Core.h>
#include <llvm/ADT/DenseMap.h>
#include <llvm/ADT/SmallString.h>
#include <llvm/ADT/StringMap.h>
#include <llvm/IR/AssemblyAnnotationWriter.h>
#include <llvm/IR/BasicBlock.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/GlobalVariable.h>
#include <llvm/IR/InstrTypes.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/Metadata.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/ModuleSlotTracker.h>
#include <llvm/Support/Allocator.h>
#include <llvm/Support/FormattedStream.h>
#include <llvm/Support/StringSaver.h>
#include <llvm/Support/raw_ostream.h>

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

enum NodeType : int32_t { kInstruction = 0, kVariable = 1, kConstant = 2 };
enum Flow : int32_t { kControl = 0, kData = 1, kCall = 2 };

constexpr int32_t kMagic = 0x4c475250; /* "PRGL" */
constexpr int32_t kVersion = 1;
constexpr int32_t kHeaderWords = 8;

/* Records where the printer writes each instruction of the module. */
class Spans : public llvm::AssemblyAnnotationWriter {
public:
  llvm::DenseMap<const llvm::Instruction *, std::pair<uint64_t, uint64_t>> spans;

  void emitInstructionAnnot(const llvm::Instruction *instruction,
                            llvm::formatted_raw_ostream &out) override {
    spans[instruction].first = out.tell();
  }

  void printInfoComment(const llvm::Value &value, llvm::formatted_raw_ostream &out) override {
    if (auto *instruction = llvm::dyn_cast<llvm::Instruction>(&value))
      spans[instruction].second = out.tell();
  }
};

class Builder {
public:
  Builder(llvm::Module &module, bool full_text)
      : module_(module), full_text_(full_text), slots_(&module, false) {}

  void build() {
    if (full_text_)
      print();
    node(kInstruction, text("[external]"), -1, -1, "[external]");
    instructions();
    edges();
  }

  std::vector<int32_t> type, text_id, function, block;
  std::vector<int32_t> source, target, flow, position;
  std::vector<std::string> texts;
  /* Per node, when full_text_: lines of printed_, or texts kept by saver_. */
  std::vector<llvm::StringRef> full;

private:
  llvm::Module &module_;
  bool full_text_;
  std::string printed_;
  Spans spans_;
  llvm::BumpPtrAllocator arena_;
  llvm::StringSaver saver_{arena_};
  /* Numbers the module's unnamed values once for all operand texts (printAsOperand
     without it numbers the whole module again for each value). */
  llvm::ModuleSlotTracker slots_;
  llvm::StringMap<int32_t> text_ids_;
  llvm::DenseMap<llvm::Type *, int32_t> type_texts_;
  llvm::DenseMap<const llvm::Value *, int32_t> nodes_; /* instructions and operands */
  llvm::DenseMap<const llvm::Function *, int32_t> entries_;
  llvm::DenseMap<const llvm::Function *, std::vector<int32_t>> returns_;
  llvm::DenseMap<const llvm::Function *, int32_t> function_index_;
  llvm::DenseMap<const llvm::BasicBlock *, int32_t> block_index_;

  void print() {
    printed_.reserve(1 << 20);
    llvm::raw_string_ostream stream(printed_);
    stream.SetBufferSize(1 << 16);
    module_.print(stream, &spans_);
  }

  int32_t text(llvm::StringRef value) {
    auto [entry, inserted] = text_ids_.try_emplace(value, (int32_t)texts.size());
    if (inserted)
      texts.emplace_back(value.str());
    return entry->second;
  }

  int32_t type_text(llvm::Type *t) {
    auto found = type_texts_.find(t);
    if (found != type_texts_.end())
      return found->second;
    std::string printed;
    llvm::raw_string_ostream stream(printed);
    t->print(stream);
    stream.flush();
    int32_t id = text(printed);
    type_texts_[t] = id;
    return id;
  }

  int32_t node(int32_t kind, int32_t text_id_value, int32_t function_value, int32_t block_value,
               llvm::StringRef full_text) {
    type.push_back(kind);
    text_id.push_back(text_id_value);
    function.push_back(function_value);
    block.push_back(block_value);
    if (full_text_)
      full.push_back(full_text);
    return (int32_t)type.size() - 1;
  }

  void edge(int32_t from, int32_t to, int32_t kind, int32_t at) {
    source.push_back(from);
    target.push_back(to);
    flow.push_back(kind);
    position.push_back(at);
  }

  llvm::StringRef instruction_text(const llvm::Instruction &instruction) {
    if (!full_text_)
      return {};
    auto span = spans_.spans.lookup(&instruction);
    if (span.second <= span.first || span.second > printed_.size())
      return {};
    return llvm::StringRef(printed_.data() + span.first, span.second - span.first).ltrim();
  }

  /* Pass 1: a node per instruction, and each function's entry and returns. */
  void instructions() {
    int32_t functions = 0, blocks = 0;
    for (llvm::Function &f : module_) {
      if (f.isDeclaration())
        continue;
      int32_t fi = functions++;
      function_index_[&f] = fi;
      for (llvm::BasicBlock &bb : f) {
        int32_t bi = blocks++;
        block_index_[&bb] = bi;
        for (llvm::Instruction &instruction : bb) {
          int32_t id = node(kInstruction, text(instruction.getOpcodeName()), fi, bi,
                            instruction_text(instruction));
          nodes_[&instruction] = id;
          if (llvm::isa<llvm::ReturnInst>(instruction))
            returns_[&f].push_back(id);
        }
      }
      entries_[&f] = nodes_[&f.getEntryBlock().front()];
    }
  }

  llvm::StringRef operand_text(const llvm::Value &value) {
    if (!full_text_)
      return {};
    llvm::SmallString<128> printed;
    llvm::raw_svector_ostream stream(printed);
    value.printAsOperand(stream, true, slots_);
    return saver_.save(printed.str());
  }

  /* The full text of an instruction's result: its type and the name before " = ". */
  llvm::StringRef result_text(const llvm::Instruction &instruction, int32_t id) {
    if (!full_text_)
      return {};
    llvm::StringRef name = full[id].split(" = ").first;
    llvm::SmallString<128> printed(texts[type_text(instruction.getType())]);
    printed += ' ';
    printed += name;
    return saver_.save(printed.str());
  }

  /* The node of an operand, made when first met. */
  int32_t value_node(const llvm::Value *value) {
    auto found = nodes_.find(value);
    if (found != nodes_.end() && !llvm::isa<llvm::Instruction>(value))
      return found->second;
    if (auto *instruction = llvm::dyn_cast<llvm::Instruction>(value))
      return result_node(*instruction);
    int32_t id;
    int32_t type_id = type_text(value->getType());
    if (auto *argument = llvm::dyn_cast<llvm::Argument>(value)) {
      id = node(kVariable, type_id, function_index_.lookup(argument->getParent()), -1,
                operand_text(*value));
    } else if (llvm::isa<llvm::GlobalVariable>(value)) {
      id = node(kVariable, type_id, -1, -1, operand_text(*value));
    } else {
      id = node(kConstant, type_id, -1, -1, operand_text(*value));
    }
    nodes_[value] = id;
    return id;
  }

  llvm::DenseMap<const llvm::Instruction *, int32_t> results_;

  int32_t result_node(const llvm::Instruction &instruction) {
    auto found = results_.find(&instruction);
    if (found != results_.end())
      return found->second;
    int32_t producer = nodes_.lookup(&instruction);
    int32_t id = node(kVariable, type_text(instruction.getType()), function[producer],
                      block[producer], result_text(instruction, producer));
    results_[&instruction] = id;
    edge(producer, id, kData, 0);
    return id;
  }

  static bool skipped(const llvm::Instruction &instruction, unsigned index,
                      const llvm::Value *operand) {
    if (llvm::isa<llvm::BasicBlock>(operand) || llvm::isa<llvm::MetadataAsValue>(operand))
      return true;
    auto *call = llvm::dyn_cast<llvm::CallBase>(&instruction);
    return call && index == call->getNumOperands() - 1 && llvm::isa<llvm::Function>(operand);
  }

  void calls(const llvm::CallBase &call, int32_t id) {
    auto *callee = llvm::dyn_cast<llvm::Function>(call.getCalledOperand());
    if (callee && !callee->isDeclaration()) {
      edge(id, entries_.lookup(callee), kCall, 0);
      auto found = returns_.find(callee);
      if (found != returns_.end())
        for (int32_t ret : found->second)
          edge(ret, id, kCall, 0);
    } else {
      edge(id, 0, kCall, 0);
      edge(0, id, kCall, 0);
    }
  }

  /* Pass 2: control, data and call edges; variable and constant nodes. */
  void edges() {
    for (llvm::Function &f : module_) {
      if (f.isDeclaration())
        continue;
      if (full_text_)
        slots_.incorporateFunction(f);
      edge(0, entries_.lookup(&f), kCall, 0);
      for (llvm::BasicBlock &bb : f) {
        int32_t previous = -1;
        for (llvm::Instruction &instruction : bb) {
          int32_t id = nodes_.lookup(&instruction);
          if (previous >= 0)
            edge(previous, id, kControl, 0);
          previous = id;
          for (unsigned i = 0, n = instruction.getNumOperands(); i < n; ++i) {
            const llvm::Value *operand = instruction.getOperand(i);
            if (!skipped(instruction, i, operand))
              edge(value_node(operand), id, kData, (int32_t)i);
          }
          if (!instruction.getType()->isVoidTy() && !instruction.use_empty())
            result_node(instruction);
          if (auto *call = llvm::dyn_cast<llvm::CallBase>(&instruction))
            calls(*call, id);
          if (llvm::isa<llvm::ReturnInst>(instruction))
            edge(id, 0, kCall, 0);
        }
        if (const llvm::Instruction *terminator = bb.getTerminator())
          for (unsigned i = 0, n = terminator->getNumSuccessors(); i < n; ++i)
            edge(nodes_.lookup(terminator), nodes_.lookup(&terminator->getSuccessor(i)->front()),
                 kControl, (int32_t)i);
      }
    }
  }
};

/* The words of strings laid out as Buffer::strings writes them. */
template <typename Strings> size_t string_words(const Strings &values) {
  size_t total = 0;
  for (const auto &value : values)
    total += value.size();
  return values.size() + 1 + (total + 3) / 4;
}

/* A malloc'd byte buffer of a size known beforehand, handed over to the caller
   (who frees it with cenv_free); each section padded to 4 bytes. */
class Buffer {
public:
  explicit Buffer(size_t words) : data_(static_cast<char *>(std::malloc(words * 4 + 1))) {}
  ~Buffer() { std::free(data_); }

  bool ok() const { return data_ != nullptr; }

  void words(const int32_t *values, size_t count) {
    std::memcpy(data_ + size_, values, count * sizeof(int32_t));
    size_ += count * sizeof(int32_t);
  }

  void words(const std::vector<int32_t> &values) { words(values.data(), values.size()); }

  template <typename Strings> void strings(const Strings &values) {
    int32_t offset = 0;
    words(&offset, 1);
    for (const auto &value : values) {
      offset += (int32_t)value.size();
      words(&offset, 1);
    }
    for (const auto &value : values) {
      std::memcpy(data_ + size_, value.data(), value.size());
      size_ += value.size();
    }
    while (size_ % 4)
      data_[size_++] = '\0';
  }

  void hand_over(char **data, size_t *size) {
    data_[size_] = '\0';
    *data = data_;
    *size = size_;
    data_ = nullptr;
  }

private:
  char *data_;
  size_t size_ = 0;
};

void json_string(std::string &out, llvm::StringRef value) {
  static const char hex[] = "0123456789abcdef";
  out += '"';
  size_t clean = 0; /* the start of the characters not yet written */
  for (size_t i = 0; i < value.size(); ++i) {
    unsigned char c = value[i];
    if (c != '"' && c != '\\' && c >= 0x20)
      continue;
    out.append(value.data() + clean, i - clean);
    clean = i + 1;
    if (c < 0x20) {
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += '\\';
      out += (char)c;
    }
  }
  out.append(value.data() + clean, value.size() - clean);
  out += '"';
}

void json_int(std::string &out, int64_t value) {
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, value).ptr;
  out.append(digits, end);
}

std::string json(const Builder &graph) {
  std::string out;
  out.reserve(graph.type.size() * 96 + graph.source.size() * 64);
  out += "{\"directed\": true, \"multigraph\": true, \"graph\": {}, \"nodes\": [";
  for (size_t i = 0; i < graph.type.size(); ++i) {
    out += i ? ", {\"id\": " : "{\"id\": ";
    json_int(out, (int64_t)i);
    out += ", \"type\": ";
    json_int(out, graph.type[i]);
    out += ", \"text\": ";
    json_string(out, graph.texts[graph.text_id[i]]);
    out += ", \"full_text\": ";
    json_string(out, graph.full[i]);
    out += ", \"function\": ";
    json_int(out, graph.function[i]);
    out += ", \"block\": ";
    json_int(out, graph.block[i]);
    out += '}';
  }
  out += "], \"links\": [";
  /* The key of an edge: how many edges between the same two nodes came before it. */
  llvm::DenseMap<uint64_t, int32_t> keys;
  keys.reserve(graph.source.size());
  for (size_t i = 0; i < graph.source.size(); ++i) {
    uint64_t pair = ((uint64_t)(uint32_t)graph.source[i] << 32) | (uint32_t)graph.target[i];
    out += i ? ", {\"source\": " : "{\"source\": ";
    json_int(out, graph.source[i]);
    out += ", \"target\": ";
    json_int(out, graph.target[i]);
    out += ", \"key\": ";
    json_int(out, keys[pair]++);
    out += ", \"flow\": ";
    json_int(out, graph.flow[i]);
    out += ", \"position\": ";
    json_int(out, graph.position[i]);
    out += '}';
  }
  out += "]}";
  return out;
}

int hand_over(const std::string &bytes, char **data, size_t *size) {
  char *copy = static_cast<char *>(std::malloc(bytes.size() + 1));
  if (!copy)
    return CENV_E_NULL;
  std::memcpy(copy, bytes.data(), bytes.size());
  copy[bytes.size()] = '\0';
  *data = copy;
  *size = bytes.size();
  return 0;
}

} // namespace

extern "C" CENV_API int cenv_programl(LLVMModuleRef m, int full_text, char **data, size_t *size) {
  llvm::Module *module = llvm::unwrap(m);
  if (!module || !data || !size)
    return CENV_E_NULL;
  Builder graph(*module, full_text != 0);
  graph.build();
  size_t words = kHeaderWords + 4 * graph.type.size() + 4 * graph.source.size() +
                 string_words(graph.texts) + (full_text ? string_words(graph.full) : 0);
  Buffer out(words);
  if (!out.ok())
    return CENV_E_NULL;
  const int32_t header[] = {kMagic, kVersion, (int32_t)graph.type.size(),
                            (int32_t)graph.source.size(), (int32_t)graph.texts.size(),
                            full_text != 0, 0, 0};
  static_assert(sizeof header / sizeof *header == kHeaderWords, "the header has 8 words");
  out.words(header, kHeaderWords);
  for (const std::vector<int32_t> *column :
       {&graph.type, &graph.text_id, &graph.function, &graph.block, &graph.source, &graph.target,
        &graph.flow, &graph.position})
    out.words(*column);
  out.strings(graph.texts);
  if (full_text)
    out.strings(graph.full);
  out.hand_over(data, size);
  return 0;
}

extern "C" CENV_API int cenv_programl_json(LLVMModuleRef m, char **text, size_t *size) {
  llvm::Module *module = llvm::unwrap(m);
  if (!module || !text || !size)
    return CENV_E_NULL;
  Builder graph(*module, true);
  graph.build();
  return hand_over(json(graph), text, size);
}
