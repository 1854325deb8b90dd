// Interruption (issue 15, item 7): SIGINT or SIGTERM during `kvscope run` stops at the next safe
// point, keeps the rows evaluated so far as complete lines, writes the manifest with
// "interrupted": true and exits 130 or 143. The binary runs as a child process; the test waits
// for rows to appear before it signals (with an overall limit that only fails the test, never a
// timing assertion).
#include "cli/interrupt.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/child_process.hpp"
#include "engine/support/io_test_util.hpp"
#include "figure/run_table.hpp"
#include "session/session.hpp"

namespace kvscope {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

constexpr auto kPatience = std::chrono::seconds(60);

fs::path temp_dir(const std::string& name) {
    const fs::path dir = fs::temp_directory_path() /
                         ("kvscope_interrupt_" + name + "_" + std::to_string(::getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    return dir;
}

// Many tokens, an evaluation every 128 of them, and a sweep (several instances), so the run is
// far from its end when the signal comes.
std::string long_config() {
    return R"({"schema_version": 1, "seed": 5, "tokens": 100000000, "eval_every": 128,
               "probe_queries": 8, "timing": false,
               "source": {"id": "isotropic_ball", "params": {"dim": 8}},
               "sketches": [{"id": "uniform", "sweep": {"budget": [16, 32]}},
                            {"id": "sliding_window", "params": {"budget": 16}}]})";
}

// Data rows (complete lines after the header) in the CSV as it is now.
int complete_data_rows(const fs::path& csv) {
    const std::string text = test::read_text(csv);
    const auto lines = std::count(text.begin(), text.end(), '\n');
    return lines > 0 ? static_cast<int>(lines) - 1 : 0;
}

// Signals a run once its CSV has two data rows; checks the exit code and what was written.
void interrupt_run(int signal, int expected_code, const std::string& name) {
    const fs::path dir = temp_dir(name);
    const fs::path config = dir / "long.json";
    std::ofstream(config) << long_config();
    const fs::path out = dir / "out";
    const fs::path log = dir / "stderr.txt";
    const pid_t pid =
        test::spawn_kvscope({"run", "--config", config.string(), "--out", out.string()}, log);
    ASSERT_GT(pid, 0) << "cannot start " << KVSCOPE_BINARY;
    const fs::path csv = out / "metrics.csv";
    const auto give_up = std::chrono::steady_clock::now() + kPatience;
    while (complete_data_rows(csv) < 2 && std::chrono::steady_clock::now() < give_up)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const int rows_before = complete_data_rows(csv);
    ::kill(pid, signal);
    const int code = test::wait_exit_code(pid, kPatience);
    ASSERT_GE(rows_before, 2) << "no rows within 60 s; stderr: " << test::read_text(log);
    ASSERT_EQ(code, expected_code) << "stderr: " << test::read_text(log);

    const std::string text = test::read_text(csv);
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(text.back(), '\n') << "the last line is cut short";
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    ASSERT_GE(lines.size(), 3u);
    const std::size_t columns = metric_columns().size();
    for (std::size_t i = 0; i < lines.size(); ++i)
        ASSERT_EQ(figure::split_csv_line(lines[i]).size(), columns) << "line " << i + 1;
    // Every row parses as kvscope plot reads it (numbers where numbers belong), is at an
    // evaluation point, and every instance of the sweep has its rows up to the same point.
    figure::RunTable table;
    ASSERT_NO_THROW(table = figure::table_from_csv(text, csv.string(), "run", 0));
    ASSERT_EQ(table.rows(), lines.size() - 1);
    EXPECT_GE(static_cast<int>(table.rows()), rows_before);
    const int tokens = table.numeric_column("tokens_seen");
    ASSERT_GE(tokens, 0);
    double last_tokens = 0;
    for (std::size_t r = 0; r < table.rows(); ++r) {
        last_tokens = table.number(tokens, r);
        EXPECT_EQ(std::fmod(last_tokens, 128.0), 0.0) << "row " << r + 1;
        EXPECT_FALSE(std::isnan(table.number(table.numeric_column("eps_fro"), r)));
    }
    EXPECT_EQ(table.rows() % 3, 0u) << "a sweep instance is missing rows of an evaluation";

    const auto manifest = nlohmann::json::parse(test::read_text(out / "manifest.json"));
    EXPECT_EQ(manifest.at("interrupted"), true);
    EXPECT_GE(manifest.at("tokens_seen").get<double>(), last_tokens);
    EXPECT_LT(manifest.at("tokens_seen").get<long long>(), 100000000);
    EXPECT_EQ(manifest.at("sketch_instances").size(), 3u);
    const std::string err = test::read_text(log);
    EXPECT_THAT(err, HasSubstr("interrupted by " + name));
    EXPECT_THAT(err, HasSubstr("exit " + std::to_string(expected_code)));
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
    fs::remove_all(dir);
}

TEST(CliInterrupt, SigintStopsTheRunKeepsCompleteRowsAndExits130) {
    interrupt_run(SIGINT, 130, "SIGINT");
}

TEST(CliInterrupt, SigtermStopsTheRunKeepsCompleteRowsAndExits143) {
    interrupt_run(SIGTERM, 143, "SIGTERM");
}

// A source sweep (issue 13) stopped in its first source instance: the rows so far, and a
// manifest that lists that instance only, interrupted, out of the two.
TEST(CliInterrupt, SweptRunKeepsItsRowsAndListsTheInstanceReached) {
    const fs::path dir = temp_dir("swept");
    const fs::path config = dir / "swept.json";
    auto doc = nlohmann::json::parse(long_config());
    doc["source"]["sweep"] = {{"radius", {0.5, 1}}};
    std::ofstream(config) << doc.dump();
    const fs::path out = dir / "out";
    const fs::path log = dir / "stderr.txt";
    const pid_t pid =
        test::spawn_kvscope({"run", "--config", config.string(), "--out", out.string()}, log);
    ASSERT_GT(pid, 0) << "cannot start " << KVSCOPE_BINARY;
    const auto give_up = std::chrono::steady_clock::now() + kPatience;
    while (complete_data_rows(out / "metrics.csv") < 2 &&
           std::chrono::steady_clock::now() < give_up)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ::kill(pid, SIGTERM);
    ASSERT_EQ(test::wait_exit_code(pid, kPatience), 143) << "stderr: " << test::read_text(log);
    const figure::RunTable table =
        figure::table_from_csv(test::read_text(out / "metrics.csv"), "metrics.csv", "run", 0);
    ASSERT_GE(table.rows(), 2u);
    const int sp = table.text_column("source_params");
    for (std::size_t r = 0; r < table.rows(); ++r)
        EXPECT_EQ(table.cell(sp, r), "radius=0.5");
    const auto manifest = nlohmann::json::parse(test::read_text(out / "manifest.json"));
    EXPECT_EQ(manifest.at("interrupted"), true);
    EXPECT_EQ(manifest.at("source_instance_count"), 2);
    ASSERT_EQ(manifest.at("source_instances").size(), 1u);
    EXPECT_LT(manifest.at("source_instances")[0].at("tokens_seen").get<long long>(), 100000000);
    EXPECT_THAT(test::read_text(log), HasSubstr("in source instance 1 of 2 (radius=0.5)"));
    fs::remove_all(dir);
}

TEST(CliInterrupt, FinishedRunSaysNotInterrupted) {
    const fs::path dir = temp_dir("finished");
    const fs::path config = dir / "short.json";
    std::ofstream(config) << R"({"schema_version": 1, "seed": 5, "tokens": 1000,
        "eval_every": 250, "probe_queries": 8, "timing": false,
        "source": {"id": "isotropic_ball", "params": {"dim": 8}},
        "sketches": [{"id": "uniform", "params": {"budget": 16}}]})";
    const pid_t pid = test::spawn_kvscope(
        {"run", "--config", config.string(), "--out", (dir / "out").string()}, dir / "stderr.txt");
    ASSERT_GT(pid, 0);
    ASSERT_EQ(test::wait_exit_code(pid, kPatience), 0) << test::read_text(dir / "stderr.txt");
    const auto manifest = nlohmann::json::parse(test::read_text(dir / "out" / "manifest.json"));
    EXPECT_EQ(manifest.at("interrupted"), false);
    EXPECT_EQ(manifest.at("tokens_seen"), 1000);
    // The CSV written row by row is the one the session would write at the end: header + 4 rows.
    EXPECT_EQ(complete_data_rows(dir / "out" / "metrics.csv"), 4);
    fs::remove_all(dir);
}

// The handler records the first signal for the loop to see; a second one ends the process at
// once with 128 + its number. Run in a forked child so the test binary keeps its handlers.
TEST(CliInterrupt, FirstSignalIsRecordedSecondExitsAtOnce) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        const InterruptGuard guard;
        if (interrupt_signal() != 0) ::_exit(10);
        std::raise(SIGINT);
        if (interrupt_signal() != SIGINT) ::_exit(11);
        std::raise(SIGINT);  // must not return
        ::_exit(12);
    }
    EXPECT_EQ(test::wait_exit_code(pid, kPatience), 130);
}

TEST(CliInterrupt, GuardRestoresThePreviousHandlers) {
    struct sigaction before {};
    sigaction(SIGTERM, nullptr, &before);
    {
        const InterruptGuard guard;
        struct sigaction during {};
        sigaction(SIGTERM, nullptr, &during);
        EXPECT_NE(during.sa_handler, before.sa_handler);
    }
    struct sigaction after {};
    sigaction(SIGTERM, nullptr, &after);
    EXPECT_EQ(after.sa_handler, before.sa_handler);
    EXPECT_EQ(interrupt_exit_code(SIGTERM), 143);
    EXPECT_EQ(interrupt_exit_code(SIGINT), 130);
}

}  // namespace
}  // namespace kvscope
