// Shards, merge and resume (issue 17, items 1, 2 and 4): for N in 1, 2, 3 and 7 the merged
// metrics.csv equals the unsharded run's byte for byte (timing off); a missing, duplicated,
// unfinished or foreign shard is refused with exit 2 naming it; --allow-partial lists what is
// missing; --resume after SIGTERM gives the CSV of an uninterrupted run and refuses a folder of
// another config or shard; the progress line is drawn only when asked and never when stderr is
// not a terminal.
#include "cli/child_process.hpp"
#include "cli/cli.hpp"
#include "cli/cli_runner.hpp"
#include "cli/run_support.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <unistd.h>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/support/io_test_util.hpp"

namespace kvscope {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using json = nlohmann::json;
namespace fs = std::filesystem;
using test::cli;
using test::CliResult;

constexpr auto kPatience = std::chrono::seconds(120);

// Two source instances x four sketch instances (a growing one, a sweep, a labelled one), timing
// off, several evaluations each.
json swept_config() {
    return json::parse(R"({"schema_version": 1, "seed": 5, "tokens": 1500, "eval_every": 512,
        "probe_queries": 8, "timing": false,
        "source": {"id": "isotropic_ball", "params": {"dim": 8}, "sweep": {"radius": [0.5, 1]}},
        "sketches": [{"id": "exact"}, {"id": "uniform", "sweep": {"budget": [16, 64]}},
                     {"id": "sliding_window", "label": "win, short", "params": {"budget": 32}}]})");
}

std::string write_config(const test::TempDir& tmp, const std::string& name, const json& doc) {
    const std::string path = tmp.file(name);
    std::ofstream(path) << doc.dump(2);
    return path;
}

// Runs every shard of N and merges them; returns the merge's result.
CliResult shard_and_merge(const test::TempDir& tmp, const std::string& config, int n,
                          const std::string& tag) {
    std::vector<std::string> merge = {"merge", "--out", tmp.file(tag + "_merged"), "-q"};
    for (int i = 1; i <= n; ++i) {
        const std::string dir = tmp.file(tag + "_" + std::to_string(i));
        const CliResult r = cli({"run", "-c", config, "-o", dir, "-q", "--shard",
                                 std::to_string(i) + "/" + std::to_string(n)});
        EXPECT_EQ(r.code, 0) << r.err;
        merge.push_back(dir);
    }
    return cli(merge);
}

TEST(CliShard, MergedShardsEqualTheUnshardedRunByteForByte) {
    const test::TempDir tmp;
    for (const bool swept : {true, false}) {
        json doc = swept_config();
        if (!swept) doc["source"].erase("sweep");
        const std::string tag = swept ? "swept" : "plain";
        const std::string config = write_config(tmp, tag + ".json", doc);
        ASSERT_EQ(cli({"run", "-c", config, "-o", tmp.file(tag + "_full"), "-q"}).code, 0);
        const std::string want = test::read_text(fs::path(tmp.file(tag + "_full")) / "metrics.csv");
        ASSERT_GT(std::count(want.begin(), want.end(), '\n'), 8);
        for (const int n : {1, 2, 3, 7}) {
            const std::string t = tag + std::to_string(n);
            const CliResult merged = shard_and_merge(tmp, config, n, t);
            ASSERT_EQ(merged.code, 0) << merged.err;
            EXPECT_EQ(test::read_text(fs::path(tmp.file(t + "_merged")) / "metrics.csv"), want)
                << tag << ", " << n << " shards";
            const json m =
                json::parse(test::read_text(fs::path(tmp.file(t + "_merged")) / "manifest.json"));
            EXPECT_EQ(m.at("complete"), true);
            EXPECT_EQ(m.at("run_instances").size(), m.at("instance_count").get<std::size_t>());
        }
    }
}

TEST(CliShard, ShardManifestRecordsHashVersionShardAndInstances) {
    const test::TempDir tmp;
    const std::string config = write_config(tmp, "c.json", swept_config());
    std::size_t total = 0;
    std::string hash;
    for (int i = 1; i <= 3; ++i) {
        const std::string dir = tmp.file("s" + std::to_string(i));
        ASSERT_EQ(
            cli({"run", "-c", config, "-o", dir, "-q", "--shard", std::to_string(i) + "/3"}).code,
            0);
        const json m = json::parse(test::read_text(fs::path(dir) / "manifest.json"));
        EXPECT_EQ(m.at("shard"), (json{{"index", i}, {"count", 3}}));
        EXPECT_EQ(m.at("kvscope_version"), KVSCOPE_VERSION);
        EXPECT_EQ(m.at("instance_count"), 8);
        EXPECT_EQ(m.at("complete"), true);
        EXPECT_EQ(m.at("completed_instances").size(), m.at("run_instances").size());
        for (const json& r : m.at("run_instances")) {
            EXPECT_EQ(r.at("id"),
                      r.at("source").get<int>() * 4 + r.at("sketch_instance").get<int>());
            EXPECT_TRUE(r.contains("label"));
            EXPECT_GT(r.at("cost").get<double>(), 0);
        }
        total += m.at("run_instances").size();
        if (hash.empty()) hash = m.at("config_sha256");
        EXPECT_EQ(m.at("config_sha256"), hash);
    }
    EXPECT_EQ(total, 8u);
    EXPECT_EQ(hash.size(), 64u);
}

// More shards than instances: the empty ones write the header alone and still merge.
TEST(CliShard, AShardWithoutInstancesWritesAHeaderOnlyCsv) {
    const test::TempDir tmp;
    const std::string config = write_config(tmp, "c.json", swept_config());
    const CliResult r = cli({"run", "-c", config, "-o", tmp.file("e"), "-q", "--shard", "11/11"});
    ASSERT_EQ(r.code, 0) << r.err;
    const std::string csv = test::read_text(fs::path(tmp.file("e")) / "metrics.csv");
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), 1) << csv;
    EXPECT_EQ(
        json::parse(test::read_text(fs::path(tmp.file("e")) / "manifest.json")).at("run_instances"),
        json::array());
}

TEST(CliShard, BadShardSpecIsExit2) {
    const test::TempDir tmp;
    const std::string config = write_config(tmp, "c.json", swept_config());
    for (const char* bad : {"0/3", "4/3", "x"}) {
        const CliResult r = cli({"run", "-c", config, "-o", tmp.file("b"), "--shard", bad});
        EXPECT_EQ(r.code, 2) << bad;
        EXPECT_THAT(r.err, HasSubstr(bad));
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    }
}

class CliMerge : public ::testing::Test {
  protected:
    void SetUp() override {
        config_ = write_config(tmp_, "c.json", swept_config());
        for (int i = 1; i <= 3; ++i) {
            ASSERT_EQ(cli({"run", "-c", config_, "-o", shard(i), "-q", "--shard",
                           std::to_string(i) + "/3"})
                          .code,
                      0);
        }
    }
    std::string shard(int i) const { return tmp_.file("s" + std::to_string(i)); }
    static void expect_one_line_exit_2(const CliResult& r, const std::string& names) {
        EXPECT_EQ(r.code, 2) << r.err;
        EXPECT_THAT(r.err, HasSubstr(names));
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    }
    test::TempDir tmp_;
    std::string config_;
};

TEST_F(CliMerge, MissingShardIsExit2NamingIt) {
    expect_one_line_exit_2(cli({"merge", shard(1), shard(2), "-o", tmp_.file("m")}), "3/3");
    EXPECT_FALSE(fs::exists(fs::path(tmp_.file("m")) / "metrics.csv"));
}

TEST_F(CliMerge, DuplicatedShardIsExit2NamingIt) {
    fs::copy(shard(2), tmp_.file("copy"));
    const CliResult r =
        cli({"merge", shard(1), shard(2), shard(3), tmp_.file("copy"), "-o", tmp_.file("m")});
    expect_one_line_exit_2(r, "2/3");
    EXPECT_THAT(r.err, HasSubstr("copy"));
}

TEST_F(CliMerge, ShardOfAnotherConfigIsExit2NamingIt) {
    const std::string other = tmp_.file("foreign");
    ASSERT_EQ(cli({"run", "-c", config_, "-o", other, "-q", "--seed", "6", "--shard", "3/3"}).code,
              0);
    const CliResult r = cli({"merge", shard(1), shard(2), other, "-o", tmp_.file("m")});
    expect_one_line_exit_2(r, "foreign");
    EXPECT_THAT(r.err, HasSubstr("another config"));
}

TEST_F(CliMerge, AllowPartialMergesWhatExistsAndListsTheMissing) {
    const CliResult r =
        cli({"merge", shard(1), shard(3), "-o", tmp_.file("m"), "-q", "--allow-partial"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_THAT(r.err, HasSubstr("2/3"));
    const json m = json::parse(test::read_text(fs::path(tmp_.file("m")) / "manifest.json"));
    EXPECT_EQ(m.at("missing_shards"), json::array({"2/3"}));
    EXPECT_EQ(m.at("complete"), false);
    const json two = json::parse(test::read_text(fs::path(shard(2)) / "manifest.json"));
    json missing = json::array();
    for (const json& inst : two.at("run_instances"))
        missing.push_back(inst.at("id"));
    EXPECT_EQ(m.at("missing_instances"), missing);
    const std::string csv = test::read_text(fs::path(tmp_.file("m")) / "metrics.csv");
    const std::string one = test::read_text(fs::path(shard(1)) / "metrics.csv");
    const std::string three = test::read_text(fs::path(shard(3)) / "metrics.csv");
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'),
              std::count(one.begin(), one.end(), '\n') +
                  std::count(three.begin(), three.end(), '\n') - 1);
}

TEST_F(CliMerge, ResumeRefusesAFolderOfAnotherConfigOrShard) {
    const CliResult seed =
        cli({"run", "-c", config_, "-o", shard(1), "--seed", "9", "--shard", "1/3", "--resume"});
    expect_one_line_exit_2(seed, "manifest.json");
    EXPECT_THAT(seed.err, HasSubstr("config"));
    const CliResult other =
        cli({"run", "-c", config_, "-o", shard(1), "--shard", "2/3", "--resume"});
    expect_one_line_exit_2(other, "shard");
    // The refused runs left the shard as it was: it still merges.
    EXPECT_EQ(cli({"merge", shard(1), shard(2), shard(3), "-o", tmp_.file("m"), "-q"}).code, 0);
}

TEST_F(CliMerge, ResumingAFinishedShardRepeatsNothingAndKeepsItsCsv) {
    const std::string before = test::read_text(fs::path(shard(2)) / "metrics.csv");
    const CliResult r = cli({"run", "-c", config_, "-o", shard(2), "--shard", "2/3", "--resume"});
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("resuming"));
    EXPECT_THAT(r.out, Not(HasSubstr("1/1 source instance")));
    EXPECT_EQ(test::read_text(fs::path(shard(2)) / "metrics.csv"), before);
}

// ---- Resume after SIGTERM: the binary as a child process ---------------------------------------

// Eight source instances of 100,000 tokens: long enough that a signal after the first finished
// group finds the run mid-way, short enough to resume in seconds.
json long_config() {
    return json::parse(R"({"schema_version": 1, "seed": 5, "tokens": 100000, "eval_every": 2048,
        "probe_queries": 8, "timing": false,
        "source": {"id": "isotropic_ball", "params": {"dim": 8},
                   "sweep": {"radius": [0.5, 0.75, 1, 1.25, 1.5, 1.75, 2, 2.25]}},
        "sketches": [{"id": "uniform", "sweep": {"budget": [16, 32]}},
                     {"id": "sliding_window", "params": {"budget": 16}}]})");
}

// Finished groups the manifest lists now (0 while there is none or it is being replaced).
std::size_t finished_groups(const fs::path& dir) {
    try {
        return json::parse(test::read_text(dir / "manifest.json")).at("groups").size();
    } catch (const std::exception&) {
        return 0;
    }
}

std::size_t data_rows(const fs::path& csv) {
    const std::string text = test::read_text(csv);
    const auto lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
    return lines > 0 ? lines - 1 : 0;
}

// Starts `kvscope run ARGS`, sends SIGTERM once `ready` holds, expects exit 143, then resumes in
// process and compares the CSV with an uninterrupted run's.
template <class Ready>
void resume_after_sigterm(const std::vector<std::string>& shard_args, Ready ready,
                          bool expect_kept_groups) {
    const test::TempDir tmp;
    const std::string config = write_config(tmp, "long.json", long_config());
    const fs::path out = tmp.file("out");
    const fs::path log = tmp.file("stderr.txt");
    std::vector<std::string> args = {"run", "--config", config, "--out", out.string()};
    args.insert(args.end(), shard_args.begin(), shard_args.end());
    const pid_t pid = test::spawn_kvscope(args, log);
    ASSERT_GT(pid, 0);
    const auto give_up = std::chrono::steady_clock::now() + kPatience;
    while (!ready(out) && std::chrono::steady_clock::now() < give_up)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    ::kill(pid, SIGTERM);
    ASSERT_EQ(test::wait_exit_code(pid, kPatience), 143) << test::read_text(log);
    const json stopped = json::parse(test::read_text(out / "manifest.json"));
    EXPECT_EQ(stopped.at("interrupted"), true);
    EXPECT_EQ(stopped.at("complete"), false);
    const std::size_t kept = stopped.at("groups").size();
    if (expect_kept_groups) {
        EXPECT_GE(kept, 1u);
    }
    EXPECT_LT(kept, 8u);

    std::vector<std::string> resume = {"run", "-c", config, "-o", out.string(), "--resume"};
    resume.insert(resume.end(), shard_args.begin(), shard_args.end());
    const CliResult r = cli(resume);
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_THAT(r.out, HasSubstr("resuming: " + std::to_string(kept * 3) + " instances"));
    // Only the groups not finished ran again.
    EXPECT_THAT(r.out, HasSubstr("8/8 source instance 7 "));
    if (kept >= 1) {
        EXPECT_THAT(r.out, Not(HasSubstr("1/8 source instance 0 ")));
    }
    ASSERT_EQ(cli({"run", "-c", config, "-o", tmp.file("whole"), "-q"}).code, 0);
    EXPECT_EQ(test::read_text(out / "metrics.csv"),
              test::read_text(fs::path(tmp.file("whole")) / "metrics.csv"));
    const json done = json::parse(test::read_text(out / "manifest.json"));
    EXPECT_EQ(done.at("complete"), true);
    EXPECT_EQ(done.at("completed_instances").size(), 24u);
}

TEST(CliResume, ShardResumedAfterSigtermEqualsAnUninterruptedRun) {
    resume_after_sigterm(
        {"--shard", "1/1"}, [](const fs::path& out) { return finished_groups(out) >= 1; }, true);
}

TEST(CliResume, WholeRunResumedAfterSigtermEqualsAnUninterruptedRun) {
    resume_after_sigterm(
        {}, [](const fs::path& out) { return data_rows(out / "metrics.csv") >= 2; }, false);
}

// ---- Progress ----------------------------------------------------------------------------------

TEST(CliProgress, LineShowsInstancesTokensElapsedAndEta) {
    EXPECT_EQ(progress_line(3, 12, 40960, 131072, 12.2),
              "kvscope run: 3/12 instances, 40960/131072 tokens, 0:12 elapsed, ETA 0:27");
    EXPECT_EQ(progress_line(0, 4, 0, 1000, 0.0),
              "kvscope run: 0/4 instances, 0/1000 tokens, 0:00 elapsed, ETA ?");
    EXPECT_EQ(progress_line(4, 4, 1000, 1000, 3725),
              "kvscope run: 4/4 instances, 1000/1000 tokens, 1:02:05 elapsed, ETA 0:00");
}

TEST(CliProgress, MeterDrawsInPlaceOnlyWhenEnabledAndClearsItsLine) {
    std::ostringstream on, off;
    ProgressMeter shown(on, true, 2, 100);
    shown.start_session(2, 100, 100);
    shown.update(50);
    shown.clear();
    const std::string drawn = on.str();
    EXPECT_EQ(drawn.rfind("\rkvscope run: 0/2 instances, 50/100 tokens, ", 0), 0u) << drawn;
    EXPECT_THAT(drawn, HasSubstr(" elapsed, ETA "));
    EXPECT_EQ(std::count(drawn.begin(), drawn.end(), '\n'), 0);
    EXPECT_EQ(drawn.substr(drawn.size() - 7), "\x1b[K\r\x1b[K") << "drawn, then erased";
    ProgressMeter hidden(off, false, 2, 100);
    hidden.start_session(2, 100, 100);
    hidden.update(50);
    hidden.clear();
    EXPECT_EQ(off.str(), "");
    EXPECT_FALSE(progress_wanted(false, on)) << "a stream other than std::cerr is no terminal";
}

// Output to a file (not a terminal) is as before: no progress, no carriage return, and stderr
// empty for a run that went well.
TEST(CliProgress, NonTerminalOutputHasNoProgressLine) {
    const test::TempDir tmp;
    const std::string config = write_config(tmp, "c.json", swept_config());
    const fs::path log = tmp.file("stderr.txt");
    const pid_t pid = test::spawn_kvscope({"run", "-c", config, "-o", tmp.file("o")}, log);
    ASSERT_GT(pid, 0);
    ASSERT_EQ(test::wait_exit_code(pid, kPatience), 0) << test::read_text(log);
    EXPECT_EQ(test::read_text(log), "");
    const std::string out = test::read_text(log.string() + ".out");
    EXPECT_THAT(out, HasSubstr("wrote "));
    EXPECT_EQ(out.find('\r'), std::string::npos);
}

}  // namespace
}  // namespace kvscope
