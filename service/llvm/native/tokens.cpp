/*
 * IrTokens (see cenv_features.h, docs/tokens.md): textual IR as token ids.
 *
 * The rules are those of service/llvm/tokens.py, the reference, read line by
 * line: the same line splitting and stripping, the same lexemes (strings,
 * locals, globals, words, comments, spaces, single characters), the same
 * dropped metadata attachments and quoted attributes, the same renaming.  The
 * vocabulary is not known here: the caller passes the reference's table once
 * (cenv_tokenizer_create) and every token is looked up in it.
 *
 * Text is read as UTF-8 with Python's rules for whitespace and line breaks.
 * Word boundaries next to a non-ASCII character need Unicode's letter tables;
 * for such text (and for text that is not UTF-8) the functions answer
 * CENV_TOKENS_REFERENCE and the caller uses the reference.
 */
#include "cenv_features.h"

#include <llvm-c/Core.h>
#include <llvm/IR/Module.h>
#include <llvm/Support/raw_ostream.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

using std::string_view;

struct cenv_tokenizer {
  std::string words;                              // the vocabulary's bytes
  std::unordered_map<string_view, int32_t> ids;   // views into `words`
  int32_t character[128];                         // "c" for printable c
  int32_t glued[256];                             // "##c" printable, "##\XX" otherwise
  int32_t escape[256];                            // "##\XX"
  int32_t newline, colon, quote, c_quote, at, minus;
  int32_t prefix[4];                              // "%v" "%b" "@g" "%t"
  std::vector<int32_t> numbered[4];               // "%v0".. up to the first missing one
};

namespace {

const char *const PREFIXES[4] = {"%v", "%b", "@g", "%t"};
enum Prefix { LOCAL = 0, BLOCK = 1, GLOBAL = 2, TYPE = 3 };

bool is_name_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '$' || c == '.' || c == '_';
}
bool is_word_char(unsigned char c) { return is_name_char(c) || c == '+'; }
bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
bool is_ascii_w(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_';
}

/* The length of the UTF-8 character that starts with lead byte `c`. */
size_t utf8_length(unsigned char c) {
  if (c < 0x80)
    return 1;
  if (c >= 0xF0)
    return 4;
  if (c >= 0xE0)
    return 3;
  return 2;
}

bool valid_utf8(string_view text) {
  const auto *p = reinterpret_cast<const unsigned char *>(text.data());
  const auto *end = p + text.size();
  while (p < end) {
    unsigned char c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    size_t n;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      n = 2, cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      n = 3, cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      n = 4, cp = c & 0x07;
    } else {
      return false;
    }
    if (static_cast<size_t>(end - p) < n)
      return false;
    for (size_t i = 1; i < n; ++i) {
      if ((p[i] & 0xC0) != 0x80)
        return false;
      cp = (cp << 6) | (p[i] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return false;
    p += n;
  }
  return true;
}

/* The code point of the (valid) UTF-8 character at s[i]. */
uint32_t code_point(string_view s, size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  size_t n = utf8_length(c);
  uint32_t cp = n == 1 ? c : c & (0x7F >> n);
  for (size_t k = 1; k < n; ++k)
    cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  return cp;
}

/* Python's str.isspace (also re's \s). */
bool is_space(uint32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x20) || cp == 0x85 ||
         cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
         cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

/* Python's str.splitlines boundaries ("\r\n" is one, handled by the caller). */
bool is_line_break(uint32_t cp) {
  return (cp >= 0x0A && cp <= 0x0D) || (cp >= 0x1C && cp <= 0x1E) || cp == 0x85 ||
         cp == 0x2028 || cp == 0x2029;
}

/* The length of the whitespace character at s[i], or 0. */
size_t space_at(string_view s, size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  if (c < 0x80)
    return is_space(c) ? 1 : 0;
  return is_space(code_point(s, i)) ? utf8_length(c) : 0;
}

/* The length of the whitespace character that ends at s[end - 1], or 0. */
size_t space_before(string_view s, size_t end) {
  auto last = static_cast<unsigned char>(s[end - 1]);
  if (last < 0x80)
    return is_space(last) ? 1 : 0;
  size_t start = end - 1;
  while (start > 0 && (static_cast<unsigned char>(s[start]) & 0xC0) == 0x80)
    --start;
  return is_space(code_point(s, start)) ? end - start : 0;
}

enum Kind { STRING, LOCAL_NAME, GLOBAL_NAME, WORD, OTHER };

struct Lexeme {
  Kind kind;
  string_view text;
};

/* The length of the name (bare or quoted) at s[i], or 0 when there is none. */
size_t name_length(string_view s, size_t i) {
  size_t k = i;
  while (k < s.size() && is_name_char(static_cast<unsigned char>(s[k])))
    ++k;
  if (k > i || i >= s.size() || s[i] != '"')
    return k - i;
  for (k = i + 1; k < s.size();) {
    if (s[k] == '"')
      return k + 1 - i;
    k += s[k] == '\\' ? 2 : 1;
  }
  return 0;
}

bool starts_with(string_view s, string_view prefix) {
  return s.size() >= prefix.size() && s.compare(0, prefix.size(), prefix) == 0;
}

/* One pass of the tokenizer over one text. */
class Tokenizer {
public:
  Tokenizer(const cenv_tokenizer &vocabulary, std::vector<int32_t> &out)
      : v_(vocabulary), out_(out) {}

  /* Returns false when the text needs the reference. */
  bool run(string_view text);

private:
  const cenv_tokenizer &v_;
  std::vector<int32_t> &out_;
  bool reference_ = false;
  std::unordered_set<string_view> type_names_, defined_, labels_;
  std::unordered_map<string_view, int64_t> types_, globals_, locals_, blocks_;
  std::deque<std::string> entries_;  // implicit entry block names
  std::vector<Lexeme> found_, kept_;

  /* Whether s[i] is a \w character, for a word boundary (i < s.size()). */
  bool word_at(string_view s, size_t i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80)
      reference_ = true;
    return is_ascii_w(c);
  }
  bool boundary_after(string_view s, size_t i) { return i >= s.size() || !word_at(s, i); }

  static std::vector<string_view> lines(string_view text);
  size_t label_length(string_view line) {
    size_t n = name_length(line, 0);
    return n > 0 && n < line.size() && line[n] == ':' ? n : 0;
  }
  void scan_module(const std::vector<string_view> &lines);
  bool external_word(string_view line, size_t from);
  int64_t arguments(string_view define_line);
  void start_function(const std::vector<string_view> &lines, size_t start);

  void lex(string_view line);
  void drop_attachments();
  void drop_quoted_attributes();
  void line_tokens(string_view line);

  int32_t id(string_view word) const {
    auto found = v_.ids.find(word);
    return found == v_.ids.end() ? -1 : found->second;
  }
  void numbered(Prefix prefix, int64_t n);
  void local(string_view name);
  void global(string_view name);
  void string_literal(string_view text);
  void spelled(string_view text);
  void number(string_view text);
  void glued_bytes(string_view text) {
    for (char c : text)
      out_.push_back(v_.glued[static_cast<unsigned char>(c)]);
  }
};

std::vector<string_view> Tokenizer::lines(string_view text) {
  std::vector<string_view> kept;
  size_t start = 0, i = 0;
  auto keep = [&](size_t end) {
    size_t b = start, e = end;
    while (b < e) {
      size_t n = space_at(text, b);
      if (!n)
        break;
      b += n;
    }
    while (e > b) {
      size_t n = space_before(text, e);
      if (!n)
        break;
      e -= n;
    }
    string_view line = text.substr(b, e - b);
    if (line.empty() || line[0] == '!' || line[0] == ';' || starts_with(line, "source_filename") ||
        starts_with(line, "target ") || starts_with(line, "uselistorder"))
      return;
    kept.push_back(line);
  };
  while (i < text.size()) {
    auto c = static_cast<unsigned char>(text[i]);
    size_t n = utf8_length(c);
    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      keep(i);
      start = i += 2;
    } else if ((c < 0x20 || c >= 0x80) && is_line_break(c < 0x80 ? c : code_point(text, i))) {
      keep(i);
      start = i += n;
    } else {
      i += n;
    }
  }
  if (start < text.size())
    keep(text.size());
  return kept;
}

/* Whether line[from:] has the word "external" (re's \bexternal\b). */
bool Tokenizer::external_word(string_view line, size_t from) {
  for (size_t p = line.find("external", from); p != string_view::npos;
       p = line.find("external", p + 1)) {
    bool before = p == 0 || !word_at(line, p - 1);
    if (before && boundary_after(line, p + 8))
      return true;
  }
  return false;
}

/* The names the whole module shares: named types and defined globals. */
void Tokenizer::scan_module(const std::vector<string_view> &lines) {
  for (string_view line : lines) {
    if (line[0] == '%') {
      size_t n = name_length(line, 1);
      if (n && starts_with(line.substr(1 + n), " = type") && boundary_after(line, 1 + n + 7))
        type_names_.insert(line.substr(1, n));
    }
    if (starts_with(line, "define") && boundary_after(line, 6)) {
      size_t at = line.find('@', 6);
      if (at != string_view::npos) {
        size_t n = name_length(line, at + 1);
        if (n && at + 1 + n < line.size() && line[at + 1 + n] == '(') {
          defined_.insert(line.substr(at + 1, n));
          continue;
        }
      }
    }
    if (line[0] == '@') {
      size_t n = name_length(line, 1);
      if (n && starts_with(line.substr(1 + n), " = ") && !external_word(line, 1 + n + 3))
        defined_.insert(line.substr(1, n));
    }
  }
}

/* How many %N follow the define line's first "(" (the reference's count of arguments). */
int64_t Tokenizer::arguments(string_view line) {
  size_t open = line.find('(');
  if (open == string_view::npos)
    return 0;
  int64_t count = 0;
  for (size_t p = line.find('%', open + 1); p != string_view::npos; p = line.find('%', p + 1)) {
    size_t k = p + 1;
    while (k < line.size() && is_digit(static_cast<unsigned char>(line[k])))
      ++k;
    if (k > p + 1 && boundary_after(line, k))
      ++count;
  }
  return count;
}

void Tokenizer::start_function(const std::vector<string_view> &lines, size_t start) {
  locals_.clear();
  blocks_.clear();
  labels_.clear();
  for (size_t i = start + 1; i < lines.size() && lines[i] != "}"; ++i) {
    if (size_t n = label_length(lines[i]))
      labels_.insert(lines[i].substr(0, n));
  }
}

void Tokenizer::lex(string_view line) {
  found_.clear();
  size_t i = 0;
  while (i < line.size()) {
    auto c = static_cast<unsigned char>(line[i]);
    if (c == '"' || (c == 'c' && i + 1 < line.size() && line[i + 1] == '"')) {
      size_t open = c == 'c' ? 2 : 1;
      size_t close = line.find('"', i + open);
      if (close != string_view::npos) {
        found_.push_back({STRING, line.substr(i, close + 1 - i)});
        i = close + 1;
        continue;
      }
    }
    if (c == '%' || c == '@') {
      if (size_t n = name_length(line, i + 1)) {
        found_.push_back({c == '%' ? LOCAL_NAME : GLOBAL_NAME, line.substr(i, 1 + n)});
        i += 1 + n;
        continue;
      }
    }
    if (is_word_char(c)) {
      size_t k = i;
      while (k < line.size() && is_word_char(static_cast<unsigned char>(line[k])))
        ++k;
      found_.push_back({WORD, line.substr(i, k - i)});
      i = k;
      continue;
    }
    if (c == ';')
      break;  // a comment runs to the end of the line
    if (size_t n = space_at(line, i)) {
      i += n;
      continue;
    }
    size_t n = utf8_length(c);
    found_.push_back({OTHER, line.substr(i, n)});
    i += n;
  }
}

bool is_metadata_kind(string_view text) {
  if (text.empty() || is_digit(static_cast<unsigned char>(text[0])))
    return false;
  for (char c : text) {
    if (!is_name_char(static_cast<unsigned char>(c)))
      return false;
  }
  return true;
}

/* Drops metadata attachments (", !tbaa !5") from found_ into kept_. */
void Tokenizer::drop_attachments() {
  kept_.clear();
  size_t n = found_.size();
  for (size_t i = 0; i < n;) {
    const Lexeme &lexeme = found_[i];
    if (lexeme.kind == OTHER && lexeme.text == "!" && i + 1 < n &&
        is_metadata_kind(found_[i + 1].text) && i + 3 < n && found_[i + 2].text == "!") {
      if (!kept_.empty() && kept_.back().text == ",")
        kept_.pop_back();
      i += 4;
      continue;
    }
    kept_.push_back(lexeme);
    ++i;
  }
}

/* Drops the strings (and "string" = value pairs) of an attribute group from kept_. */
void Tokenizer::drop_quoted_attributes() {
  size_t out = 0, n = kept_.size();
  for (size_t i = 0; i < n;) {
    if (kept_[i].kind == STRING) {
      i += i + 2 < n && kept_[i + 1].text == "=" ? 3 : 1;
      continue;
    }
    kept_[out++] = kept_[i++];
  }
  kept_.resize(out);
}

void Tokenizer::numbered(Prefix prefix, int64_t n) {
  const std::vector<int32_t> &known = v_.numbered[prefix];
  if (n < static_cast<int64_t>(known.size())) {
    out_.push_back(known[n]);
    return;
  }
  std::string digits = std::to_string(n);
  int32_t whole = id(std::string(PREFIXES[prefix]) + digits);
  if (whole >= 0) {
    out_.push_back(whole);
    return;
  }
  out_.push_back(v_.prefix[prefix]);
  glued_bytes(digits);
}

template <typename Map> int64_t number_of(Map &map, string_view name) {
  return map.emplace(name, static_cast<int64_t>(map.size())).first->second;
}

void Tokenizer::local(string_view name) {
  if (type_names_.count(name))
    numbered(TYPE, number_of(types_, name));
  else if (labels_.count(name))
    numbered(BLOCK, number_of(blocks_, name));
  else
    numbered(LOCAL, number_of(locals_, name));
}

void Tokenizer::global(string_view text) {
  string_view name = text.substr(1);
  if (defined_.count(name)) {
    numbered(GLOBAL, number_of(globals_, name));
    return;
  }
  int32_t whole = id(text);
  if (whole >= 0) {
    out_.push_back(whole);
    return;
  }
  out_.push_back(v_.at);
  glued_bytes(name);
}

bool is_hex(unsigned char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
int hex_value(unsigned char c) {
  return is_digit(c) ? c - '0' : (c | 0x20) - 'a' + 10;
}

void Tokenizer::string_literal(string_view text) {
  bool c_string = text[0] == 'c';
  out_.push_back(c_string ? v_.c_quote : v_.quote);
  string_view body = text.substr(c_string ? 2 : 1);
  body.remove_suffix(1);
  for (size_t k = 0; k < body.size();) {
    if (body[k] == '\\' && k + 2 < body.size() &&
        is_hex(static_cast<unsigned char>(body[k + 1])) &&
        is_hex(static_cast<unsigned char>(body[k + 2]))) {
      int byte = hex_value(static_cast<unsigned char>(body[k + 1])) * 16 +
                 hex_value(static_cast<unsigned char>(body[k + 2]));
      out_.push_back(v_.escape[byte]);
      k += 3;
      continue;
    }
    out_.push_back(v_.glued[static_cast<unsigned char>(body[k])]);
    ++k;
  }
  out_.push_back(v_.glued['"']);
}

void Tokenizer::spelled(string_view text) {
  auto first = static_cast<unsigned char>(text[0]);
  if (first >= 0x21 && first <= 0x7E) {
    out_.push_back(v_.character[first]);
    glued_bytes(text.substr(1));
  } else {
    glued_bytes(text);
  }
}

/* A word that is an integer (-?[0-9]+) without a token of its own. */
void Tokenizer::number(string_view text) {
  if (text[0] == '-') {
    out_.push_back(v_.minus);
    glued_bytes(text.substr(1));
  } else {
    spelled(text);
  }
}

bool is_integer(string_view text) {
  size_t start = !text.empty() && text[0] == '-' ? 1 : 0;
  if (start == text.size())
    return false;
  for (size_t i = start; i < text.size(); ++i) {
    if (!is_digit(static_cast<unsigned char>(text[i])))
      return false;
  }
  return true;
}

void Tokenizer::line_tokens(string_view line) {
  if (size_t n = label_length(line)) {
    local(line.substr(0, n));
    out_.push_back(v_.colon);
    return;
  }
  lex(line);
  drop_attachments();
  if (starts_with(line, "attributes "))
    drop_quoted_attributes();
  for (const Lexeme &lexeme : kept_) {
    switch (lexeme.kind) {
    case STRING:
      string_literal(lexeme.text);
      break;
    case LOCAL_NAME:
      local(lexeme.text.substr(1));
      break;
    case GLOBAL_NAME:
      global(lexeme.text);
      break;
    case WORD: {
      int32_t whole = id(lexeme.text);
      if (whole >= 0)
        out_.push_back(whole);
      else if (is_integer(lexeme.text))
        number(lexeme.text);
      else
        spelled(lexeme.text);
      break;
    }
    case OTHER:
      spelled(lexeme.text);
      break;
    }
  }
}

bool Tokenizer::run(string_view text) {
  for (char c : text) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      if (!valid_utf8(text))
        return false;
      break;
    }
  }
  std::vector<string_view> all = lines(text);
  scan_module(all);
  for (size_t i = 0; i < all.size() && !reference_; ++i) {
    string_view line = all[i];
    if (starts_with(line, "define ")) {
      start_function(all, i);
      line_tokens(line);
      out_.push_back(v_.newline);
      if (i + 1 < all.size() && !label_length(all[i + 1])) {
        entries_.push_back(std::to_string(arguments(line)));
        labels_.insert(entries_.back());
        local(entries_.back());
        out_.push_back(v_.colon);
        out_.push_back(v_.newline);
      }
      continue;
    }
    line_tokens(line);
    out_.push_back(v_.newline);
  }
  return !reference_;
}

int finish(const cenv_tokenizer *vocabulary, string_view text, int32_t **ids, size_t *count) {
  std::vector<int32_t> out;
  out.reserve(text.size() / 4 + 16);
  Tokenizer tokenizer(*vocabulary, out);
  if (!tokenizer.run(text))
    return CENV_TOKENS_REFERENCE;
  auto *copy = static_cast<int32_t *>(std::malloc(out.size() * sizeof(int32_t) + 1));
  if (!copy)
    return CENV_E_NULL;
  if (!out.empty())
    std::memcpy(copy, out.data(), out.size() * sizeof(int32_t));
  *ids = copy;
  *count = out.size();
  return 0;
}

}  // namespace

extern "C" CENV_API int cenv_tokenizer_create(const char *words, const int64_t *offsets,
                                              int count, cenv_tokenizer **out) {
  if (!words || !offsets || !out || count < 0)
    return CENV_E_NULL;
  auto *v = new cenv_tokenizer();
  v->words.assign(words, static_cast<size_t>(offsets[count]));
  string_view all(v->words);
  bool ok = true;
  for (int i = 0; i < count && ok; ++i) {
    string_view word = all.substr(offsets[i], offsets[i + 1] - offsets[i]);
    ok = v->ids.emplace(word, i).second;  // a repeated word is a broken table
  }
  auto need = [&](const std::string &word) {
    auto found = v->ids.find(word);
    if (found == v->ids.end()) {
      ok = false;
      return int32_t{-1};
    }
    return found->second;
  };
  static const char HEX[] = "0123456789ABCDEF";
  for (int b = 0; b < 256 && ok; ++b) {
    std::string escape = std::string("##\\") + HEX[b >> 4] + HEX[b & 15];
    v->escape[b] = need(escape);
    bool printable = b >= 0x20 && b <= 0x7E;
    v->glued[b] = printable ? need(std::string("##") + static_cast<char>(b)) : v->escape[b];
    if (b < 128)
      v->character[b] = b >= 0x21 && b <= 0x7E ? need(std::string(1, static_cast<char>(b))) : -1;
  }
  v->newline = need("\n");
  v->colon = need("##:");
  v->quote = need("\"");
  v->c_quote = need("c\"");
  v->at = need("@");
  v->minus = need("-");
  for (int p = 0; p < 4 && ok; ++p) {
    v->prefix[p] = need(PREFIXES[p]);
    for (int64_t n = 0;; ++n) {
      auto found = v->ids.find(std::string(PREFIXES[p]) + std::to_string(n));
      if (found == v->ids.end())
        break;
      v->numbered[p].push_back(found->second);
    }
  }
  if (!ok) {
    delete v;
    return CENV_E_VOCABULARY;
  }
  *out = v;
  return 0;
}

extern "C" CENV_API void cenv_tokenizer_dispose(cenv_tokenizer *tokenizer) { delete tokenizer; }

extern "C" CENV_API int cenv_tokenizer_size(const cenv_tokenizer *tokenizer) {
  return tokenizer ? static_cast<int>(tokenizer->ids.size()) : CENV_E_NULL;
}

extern "C" CENV_API int cenv_tokens_text(const cenv_tokenizer *tokenizer, const char *text,
                                         size_t size, int32_t **ids, size_t *count) {
  if (!tokenizer || (!text && size) || !ids || !count)
    return CENV_E_NULL;
  return finish(tokenizer, string_view(text ? text : "", size), ids, count);
}

extern "C" CENV_API int cenv_tokens_module(const cenv_tokenizer *tokenizer, LLVMModuleRef m,
                                           int32_t **ids, size_t *count) {
  llvm::Module *module = llvm::unwrap(m);
  if (!tokenizer || !module || !ids || !count)
    return CENV_E_NULL;
  std::string printed;
  printed.reserve(1 << 20);
  {
    llvm::raw_string_ostream stream(printed);
    stream.SetBufferSize(1 << 16);
    module->print(stream, nullptr);
  }
  return finish(tokenizer, printed, ids, count);
}
