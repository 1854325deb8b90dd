// Helpers for the loader tests: a unique temporary folder per test, and an assertion that a call
// throws std::invalid_argument whose message starts with a path and mentions a problem.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <unistd.h>

namespace kvscope::test {

class TempDir {
  public:
    TempDir() {
        static std::atomic<int> counter{0};
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        std::string name = info ? std::string(info->test_suite_name()) + "_" + info->name() : "x";
        for (char& c : name) {
            if (c == '/') c = '_';
        }
        path_ = std::filesystem::temp_directory_path() /
                ("kvscope_test_" + std::to_string(::getpid()) + "_" +
                 std::to_string(counter.fetch_add(1)) + "_" + name);
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::string file(const std::string& name) const { return (path_ / name).string(); }

  private:
    std::filesystem::path path_;
};

inline std::vector<std::uint8_t> read_all(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), {});
}

/// The whole file as text ("" when it cannot be read).
inline std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

inline void write_all(const std::string& path, const std::vector<std::uint8_t>& bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()),
              static_cast<std::streamsize>(bytes.size()));
}

inline void write_text(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
}

/// The message of the std::invalid_argument thrown by `f`, or "" (and a test failure) if none.
template <class F>
std::string error_of(F&& f) {
    try {
        f();
    } catch (const std::invalid_argument& e) {
        return e.what();
    } catch (const std::exception& e) {
        ADD_FAILURE() << "expected std::invalid_argument, got: " << e.what();
        return {};
    }
    ADD_FAILURE() << "expected std::invalid_argument, nothing was thrown";
    return {};
}

}  // namespace kvscope::test

/// Asserts that `call` throws std::invalid_argument starting with `path` and containing `problem`.
#define EXPECT_LOAD_ERROR(call, path, problem)                                     \
    do {                                                                           \
        const std::string kvscope_msg_ = ::kvscope::test::error_of([&] { call; }); \
        EXPECT_THAT(kvscope_msg_, ::testing::StartsWith(path));                    \
        EXPECT_THAT(kvscope_msg_, ::testing::HasSubstr(problem));                  \
    } while (0)
