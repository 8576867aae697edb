// Runs a shell command from a test and captures its output and exit status.
#ifndef SEEALSO_TESTS_RUN_COMMAND_H_
#define SEEALSO_TESTS_RUN_COMMAND_H_

#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace seealso::testing {

struct CommandOutput {
  // The exit code, or -1 if the command could not run or was killed.
  int status = -1;
  std::string out;
};

// Runs `command` with /bin/sh and returns its stdout (redirect stderr in the
// command to capture it too).
inline CommandOutput RunCommand(const std::string& command) {
  CommandOutput run;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  std::array<char, 4096> buf;
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) run.out.append(buf.data(), n);
  const int raw = pclose(pipe);
  run.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  return run;
}

}  // namespace seealso::testing

#endif  // SEEALSO_TESTS_RUN_COMMAND_H_
