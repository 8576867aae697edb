// A scratch directory for one test, for the suites that write files.
#ifndef SEEALSO_TESTS_SCRATCH_DIR_H_
#define SEEALSO_TESTS_SCRATCH_DIR_H_

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <system_error>

#include "gtest/gtest.h"

namespace seealso::testing {

// A fresh, empty directory <TempDir>/<prefix>.<test name>.<pid>, made when
// constructed and removed when destroyed, unless the test has failed: then
// it is kept and its path printed, since the files it holds explain the
// failure. The test name and the pid keep directories apart when ctest runs
// tests in parallel processes and when two builds test at once.
class ScratchDir {
 public:
  explicit ScratchDir(const std::string& prefix) : path_(PathFor(prefix)) {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    if (::testing::Test::HasFailure()) {
      std::fprintf(stderr, "scratch directory kept: %s\n", path_.c_str());
      return;
    }
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::filesystem::path& p) const { return path_ / p; }

 private:
  static std::filesystem::path PathFor(const std::string& prefix) {
    const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
    return std::filesystem::path(::testing::TempDir()) /
           (prefix + "." + (test != nullptr ? test->name() : "suite") + "." +
            std::to_string(::getpid()));
  }

  std::filesystem::path path_;
};

}  // namespace seealso::testing

#endif  // SEEALSO_TESTS_SCRATCH_DIR_H_
