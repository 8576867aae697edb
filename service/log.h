// Structured log lines in logfmt: `ts=... level=info event=ready key=value ...`,
// one per event, so log pipelines can parse them without a schema.
#ifndef SEEALSO_SERVICE_LOG_H_
#define SEEALSO_SERVICE_LOG_H_

#include <functional>
#include <initializer_list>
#include <string>
#include <utility>

#include "absl/strings/string_view.h"

namespace seealso {

// Receives each finished line, without the newline.
using LogSink = std::function<void(const std::string& line)>;

// Writes the line and a newline to stderr, flushed.
void LogToStderr(const std::string& line);

// "ts=<RFC 3339 UTC> level=<level> event=<event> k=v ...". Values holding a
// space, quote, '=' or nothing are quoted, with " and \ escaped.
std::string LogLine(absl::string_view level, absl::string_view event,
                    std::initializer_list<std::pair<absl::string_view, std::string>> fields);

}  // namespace seealso

#endif  // SEEALSO_SERVICE_LOG_H_
