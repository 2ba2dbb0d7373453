// Error-message templates: the part of an error message that says *what* went wrong,
// with the variable parts (ids, numbers, addresses, times, quoted values) replaced by
// placeholders, so that occurrences of one error group together (DESIGN.md section 5).
//
//   MessageTemplate("Case 4711 not found for user bob@example.org")
//     == "Case {n} not found for user {email}"
//
// Placeholders: {uuid} {hex} {email} {ip} {ts} (dates and times) {duration} (12ms,
// 1.5s) {n} (numbers, also inside words: case_17 -> case_{n}) {s} (quoted literals,
// quotes kept) and, in URLs, {id}-templated paths with the query string's values
// dropped. Runs of white space collapse to one space. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace vigil {

std::string MessageTemplate(std::string_view message);

// A stack trace's identity: the exception type and the in-app frames (file and
// function, no line numbers: those move with every deploy), in the order the trace
// lists them, joined by
// " < ". Frames of installed libraries (site-packages, dist-packages, the Python
// standard library) are left out unless no other frame remains. Understands Python
// tracebacks ("Traceback (most recent call last):" ... "File "x.py", line N, in f")
// and "at func (file:line)" / "at pkg.Class.method(File.java:N)" lines. Returns "" when
// `text` holds no recognizable frame.
std::string StackSignature(std::string_view text);

// Whether `text` holds a Python traceback.
bool HasPythonTraceback(std::string_view text);

}  // namespace vigil
