// A streaming RFC 4180 CSV reader: quoted fields with doubled quotes and embedded newlines, CRLF
// or LF line ends, and physical line numbers for error messages.
#pragma once

#include <istream>
#include <string>
#include <vector>

#include "core/status.h"

namespace mlw::mapping {

class CsvReader {
 public:
  explicit CsvReader(std::istream* in) : in_(in) {}

  // Reads the next record into `fields`. Returns false at end of input (fields untouched) and an
  // InvalidArgument error for an unterminated quoted field or text after a closing quote.
  Result<bool> Next(std::vector<std::string>* fields);
  // Physical line (1-based) on which the last record returned by Next() started.
  size_t record_line() const { return record_line_; }
  // Bytes consumed so far (for progress reporting).
  size_t bytes_read() const { return bytes_read_; }

 private:
  std::istream* in_;
  size_t line_ = 1;
  size_t record_line_ = 0;
  size_t bytes_read_ = 0;
};

// Index of `name` in `header`, or -1.
int ColumnIndex(const std::vector<std::string>& header, const std::string& name);

}  // namespace mlw::mapping
