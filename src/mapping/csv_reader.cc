#include "mapping/csv_reader.h"

namespace mlw::mapping {

Result<bool> CsvReader::Next(std::vector<std::string>* fields) {
  int c = in_->get();
  if (c == std::char_traits<char>::eof()) return false;
  fields->clear();
  record_line_ = line_;
  std::string field;
  bool quoted = false;       // inside a quoted field
  bool was_quoted = false;   // the current field started with a quote
  while (true) {
    if (c == std::char_traits<char>::eof()) {
      if (quoted) {
        return InvalidArgument("line " + std::to_string(record_line_) +
                               ": quoted field not terminated before end of file");
      }
      fields->push_back(std::move(field));
      return true;
    }
    ++bytes_read_;
    char ch = static_cast<char>(c);
    if (quoted) {
      if (ch == '"') {
        if (in_->peek() == '"') {
          in_->get();
          ++bytes_read_;
          field.push_back('"');
        } else {
          quoted = false;
        }
      } else {
        if (ch == '\n') ++line_;
        field.push_back(ch);
      }
    } else if (ch == ',') {
      fields->push_back(std::move(field));
      field.clear();
      was_quoted = false;
    } else if (ch == '\n' || ch == '\r') {
      if (ch == '\r' && in_->peek() == '\n') {
        in_->get();
        ++bytes_read_;
      }
      ++line_;
      fields->push_back(std::move(field));
      return true;
    } else if (ch == '"' && field.empty() && !was_quoted) {
      quoted = true;
      was_quoted = true;
    } else if (was_quoted) {
      return InvalidArgument("line " + std::to_string(line_) +
                             ": unexpected text after a closing quote");
    } else {
      field.push_back(ch);
    }
    c = in_->get();
  }
}

int ColumnIndex(const std::vector<std::string>& header, const std::string& name) {
  for (size_t i = 0; i < header.size(); ++i) {
    std::string h = header[i];
    // Tolerate a UTF-8 byte order mark on the first column and surrounding spaces.
    if (i == 0 && h.rfind("\xEF\xBB\xBF", 0) == 0) h = h.substr(3);
    while (!h.empty() && h.back() == ' ') h.pop_back();
    while (!h.empty() && h.front() == ' ') h.erase(h.begin());
    if (h == name) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace mlw::mapping
