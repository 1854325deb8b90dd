// Malformed input, as a hostile user would try it (issue 15): every case must exit 2 with one
// line naming the problem, and none may hang or crash. Each case runs `kvscope run` in-process
// inside a forked child with a watchdog, so a regression that hangs is killed and reported
// instead of stalling the suite, and a crash is reported as a signal. Fifos, device links,
// directories, oversized files and deep nesting are generated here; inputs are small.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "cli/cli.hpp"
#include "core/registry.hpp"
#include "io/csv.hpp"
#include "io/npy.hpp"
#include "io/npz.hpp"
#include "io/safetensors.hpp"

namespace kvscope {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;
using json = nlohmann::json;

struct Outcome {
    int code = -1;      ///< exit code, or -1 when killed by a signal or the watchdog
    int signal = 0;     ///< the signal that ended the child (0: it exited)
    bool hung = false;  ///< killed by the watchdog
    std::string out, err;
};

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

class Malformed : public ::testing::Test {
  protected:
    void SetUp() override {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        dir_ = fs::temp_directory_path() /
               ("kvscope_malformed_" + std::to_string(::getpid()) + "_" + info->name());
        fs::remove_all(dir_);
        fs::create_directories(dir_);
    }
    void TearDown() override {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    std::string path(const std::string& name) const { return (dir_ / name).string(); }

    void write(const std::string& name, const std::string& text) const {
        std::ofstream(path(name), std::ios::binary) << text;
    }

    // A small valid config; `edit` changes it.
    std::string config(const std::string& name, const std::function<void(json&)>& edit = {}) {
        json c = json::parse(R"({"schema_version": 1, "tokens": 256, "eval_every": 128,
            "probe_queries": 8, "timing": false,
            "source": {"id": "isotropic_ball", "params": {"dim": 4}},
            "sketches": [{"id": "exact"}, {"id": "uniform", "params": {"budget": 16}}]})");
        if (edit) edit(c);
        write(name, c.dump());
        return path(name);
    }

    // A config streaming the `file` source with these parameters.
    std::string file_config(const std::string& name, const json& params) {
        return config(name, [&](json& c) { c["source"] = {{"id", "file"}, {"params", params}}; });
    }

    // Runs `body` in a forked child with a watchdog; its streams come back through files.
    Outcome in_child(const std::function<int(std::ostream&, std::ostream&)>& body,
                     int timeout_s = 120) {
        const fs::path out_file = dir_ / ".child_out", err_file = dir_ / ".child_err";
        const pid_t pid = ::fork();
        if (pid == 0) {
            int code = 99;
            std::ostringstream out, err;
            try {
                code = body(out, err);
            } catch (const std::exception& e) {
                err << "uncaught exception: " << e.what() << '\n';
            }
            std::ofstream(out_file, std::ios::binary) << out.str();
            std::ofstream(err_file, std::ios::binary) << err.str();
            ::_exit(code);
        }
        Outcome o;
        int status = 0;
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
        while (::waitpid(pid, &status, WNOHANG) == 0) {
            if (std::chrono::steady_clock::now() > deadline) {
                ::kill(pid, SIGKILL);
                ::waitpid(pid, &status, 0);
                o.hung = true;
                return o;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        if (WIFEXITED(status)) o.code = WEXITSTATUS(status);
        if (WIFSIGNALED(status)) o.signal = WTERMSIG(status);
        o.out = slurp(out_file);
        o.err = slurp(err_file);
        return o;
    }

    // `kvscope run --config CONFIG --out DIR/out ARGS...` in a child.
    Outcome run(const std::string& config_path, std::vector<std::string> extra = {},
                std::string out_dir = "") {
        if (out_dir.empty()) out_dir = path("out");
        std::vector<std::string> args = {"kvscope", "run",   "--config", config_path,
                                         "--out",   out_dir, "--quiet"};
        args.insert(args.end(), extra.begin(), extra.end());
        return in_child([args](std::ostream& out, std::ostream& err) mutable {
            std::vector<char*> argv;
            for (auto& a : args)
                argv.push_back(a.data());
            return run_cli(static_cast<int>(argv.size()), argv.data(), out, err);
        });
    }

    fs::path dir_;
};

// Exit 2, one line starting "kvscope: ", naming the problem; never a hang or a signal.
void expect_bad_input(const Outcome& o, const std::string& needle) {
    ASSERT_FALSE(o.hung) << "hung (killed by the watchdog)";
    ASSERT_EQ(o.signal, 0) << "crashed with signal " << o.signal;
    EXPECT_EQ(o.code, 2) << o.err;
    EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << "not one line: " << o.err;
    EXPECT_EQ(o.err.rfind("kvscope: ", 0), 0u) << o.err;
    EXPECT_THAT(o.err, HasSubstr(needle));
}

std::string nested(int depth, const std::string& inner = "1") {
    return std::string(static_cast<std::size_t>(depth), '[') + inner +
           std::string(static_cast<std::size_t>(depth), ']');
}

// ---- inputs bounded before they are read ----

TEST_F(Malformed, ConfigThatIsAFifoIsRefusedWithoutWaitingForAWriter) {
    ASSERT_EQ(::mkfifo(path("c.json").c_str(), 0600), 0);
    expect_bad_input(run(path("c.json")), "is a fifo");
}

TEST_F(Malformed, ConfigThatIsACharacterDeviceIsRefused) {
    fs::create_symlink("/dev/zero", path("c.json"));
    expect_bad_input(run(path("c.json")), "is a character device");
}

TEST_F(Malformed, ConfigThatIsADirectoryIsRefused) {
    fs::create_directories(path("c.json"));
    expect_bad_input(run(path("c.json")), "is a directory");
}

TEST_F(Malformed, ConfigOverSixteenMebibytesIsRefusedBeforeReading) {
    // A 300 MB "description", as a sparse file: the size alone refuses it.
    const std::string head = R"({"schema_version": 1, "description": ")";
    write("c.json", head);
    ASSERT_EQ(::truncate(path("c.json").c_str(), 300'000'000), 0);
    expect_bad_input(run(path("c.json")), "over the 16 MiB limit");
}

TEST_F(Malformed, DataFilesThatAreFifosOrDevicesAreRefused) {
    ASSERT_EQ(::mkfifo(path("keys.csv").c_str(), 0600), 0);
    expect_bad_input(run(file_config("a.json", {{"keys", "keys.csv"}})), "is a fifo");
    fs::create_symlink("/dev/zero", path("zero.csv"));
    expect_bad_input(run(file_config("b.json", {{"keys", "zero.csv"}})), "is a character device");
    fs::create_symlink("/dev/zero", path("zero.npy"));
    expect_bad_input(run(file_config("c.json", {{"keys", "zero.npy"}})), "is a character device");
}

TEST_F(Malformed, DirectoryGivenAsKeysIsSaidToBeADirectory) {
    fs::create_directories(path("keys.npy"));
    const Outcome o = run(file_config("c.json", {{"keys", "keys.npy"}}));
    expect_bad_input(o, "is a directory");
    EXPECT_THAT(o.err, Not(HasSubstr("file changed or unreadable")));
}

TEST_F(Malformed, NestingSixtyThousandDeepIsRefusedInAValueAnUnknownKeyAndAViewTab) {
    const std::string deep = nested(60000);
    write("value.json", R"({"schema_version": 1, "seed": )" + deep + "}");
    expect_bad_input(run(path("value.json")), "nested deeper than 256 levels");
    write("unknown.json", R"({"schema_version": 1, "whatever": )" + deep + "}");
    expect_bad_input(run(path("unknown.json")), "nested deeper than 256 levels");
    // A session: `kvscope run` reads sessions, view included.
    write("session.json", R"({"schema_version": 1, "view": {"tab": )" + deep + "}}");
    expect_bad_input(run(path("session.json")), "nested deeper than 256 levels");
    // No parameter holds JSON text any more (a nested sketch is part of the config, bounded
    // with it): the former inner_params string is refused, naming what replaced it.
    const std::string inner = config("inner.json", [&](json& c) {
        c["sketches"] = {{{"id", "sinks_window"}, {"params", {{"inner_params", deep}}}}};
    });
    expect_bad_input(run(inner), "'inner_params' was replaced by 'inner'");
}

TEST_F(Malformed, NumbersBeyondTheDoubleRangeGetOurWording) {
    write("c.json", R"({"schema_version": 1, "tokens": 1e400})");
    const Outcome o = run(path("c.json"));
    expect_bad_input(o, "number 1e400 at line 1");
    EXPECT_THAT(o.err, HasSubstr("out of range"));
    EXPECT_THAT(o.err, Not(HasSubstr("json.exception")));
}

TEST_F(Malformed, SweepsOverTheInstanceLimitAreRefusedWithTheCount) {
    const std::string million = config("million.json", [](json& c) {
        json values = json::array();
        for (int i = 1; i <= 1'000'000; ++i)
            values.push_back(i);
        c["sketches"] = {{{"id", "uniform"}, {"sweep", {{"budget", values}}}}};
    });
    expect_bad_input(run(million), "expand into 1000000 instances");
    // 1000 x 1000 instances of h2o plus 1000^3 of snapkv.
    const std::string product = config("product.json", [](json& c) {
        json values = json::array(), fractions = json::array();
        for (int i = 1; i <= 1000; ++i) {
            values.push_back(i);
            fractions.push_back(i / 1000.0);
        }
        c["sketches"] = {
            {{"id", "h2o"}, {"sweep", {{"budget", values}, {"recent_fraction", fractions}}}},
            {{"id", "snapkv"},
             {"sweep", {{"budget", values}, {"window", values}, {"eval_every", values}}}}};
    });
    expect_bad_input(run(product), "expand into 1001000000 instances");
}

TEST_F(Malformed, CommandLineOverridesObeyTheConfigLimits) {
    const std::string c = config("c.json");
    expect_bad_input(run(c, {"--tokens", "1e15"}), "out of range [1, 100000000]");
    expect_bad_input(run(c, {"--tokens", "1000000000000000"}), "out of range [1, 100000000]");
    expect_bad_input(run(c, {"--tokens", "1e400"}), "--tokens 1e400 is not a number");
    expect_bad_input(run(c, {"--tokens", "0"}), "out of range");
    expect_bad_input(run(c, {"--tokens", "12.5"}), "whole number");
    expect_bad_input(run(c, {"--seed", "99999999999999999999999"}), "--seed must be a whole");
    expect_bad_input(run(c, {"--seed", "-1"}), "--seed must be a whole");
}

TEST_F(Malformed, SubgenCountsAreCappedSoATokenCostsBoundedWork) {
    for (const char* key : {"t", "s", "max_clusters"}) {
        const std::string c = config(std::string(key) + ".json", [&](json& cfg) {
            cfg["sketches"] = {{{"id", "subgen"}, {"params", {{key, 1'000'000}}}}};
        });
        expect_bad_input(run(c), std::string("'") + key + "' = 1e+06 is out of range");
    }
}

TEST_F(Malformed, BetaBeyondTheStatedRangeIsRefused) {
    const Outcome o = run(config("c.json", [](json& c) { c["beta"] = 1e308; }));
    expect_bad_input(o, "\"beta\" must be \"inv_sqrt_d\" or a number in (0, 10000]");
}

TEST_F(Malformed, SnapKvEvenKernelIsRefused) {
    const std::string c = config("c.json", [](json& cfg) {
        cfg["sketches"] = {{{"id", "snapkv"}, {"params", {{"kernel", 4}}}}};
    });
    expect_bad_input(run(c), "'kernel' = 4 must be odd");
}

TEST_F(Malformed, TaylorRefusalPrintsTheTrueMonomialCount) {
    const std::string c = config("c.json", [](json& cfg) {
        cfg["source"]["params"]["dim"] = 128;
        cfg["sketches"] = {{{"id", "taylor"}, {"params", {{"degree", 16}}}}};
    });
    const Outcome o = run(c);
    expect_bad_input(o, "C(144, 16) = 687917389635036844569 monomials");
    EXPECT_THAT(o.err, Not(HasSubstr("18446744073709551615")));
}

TEST_F(Malformed, OutputFolderUnderARegularFileIsBadInput) {
    write("file", "x");
    expect_bad_input(run(config("c.json"), {}, path("file") + "/sub"),
                     "cannot create the output folder");
    expect_bad_input(run(config("d.json"), {}, path("file")), "is an existing file");
}

TEST_F(Malformed, NamesWithNewlinesStayOnOneLine) {
    NdArray a{{4, 2}, std::vector<float>(8, 1.0f), ""};
    write_safetensors(path("kv.safetensors"), {{"first\nsecond", a}});
    Outcome o = run(file_config("s.json", {{"keys", "kv.safetensors"}}));
    expect_bad_input(o, "missing tensor 'keys' (available: first\\nsecond)");
    a.dtype = "<f4";
    write_npz(path("kv.npz"), {{"line\nbreak", a}}, false);
    o = run(file_config("z.json", {{"keys", "kv.npz"}}));
    expect_bad_input(o, "line\\nbreak");
    // Names coming from the config are escaped too.
    o = run(file_config("t.json", {{"keys", "kv.npz"}, {"keys_tensor", "a\nb"}}));
    expect_bad_input(o, "missing tensor 'a\\nb'");
    write("bad.csv", "1,2\n3,\x01\n");
    expect_bad_input(run(file_config("c.json", {{"keys", "bad.csv"}})), "'\\x01' is not a number");
}

TEST_F(Malformed, KeyValueAndQueryRowCountsMustAgree) {
    write_csv(path("k.csv"), 2, std::vector<float>(20, 1.0f));
    write_csv(path("v.csv"), 2, std::vector<float>(24, 1.0f));
    expect_bad_input(run(file_config("kv.json", {{"keys", "k.csv"}, {"values", "v.csv"}})),
                     "need the same token count");
    // A queries file of another length is a probe set (issue 13) unless the config says the
    // queries are per token; then the counts must agree.
    expect_bad_input(
        run(file_config("q.json",
                        {{"keys", "k.csv"}, {"queries", "v.csv"}, {"queries_role", "per_token"}})),
        "needs one query per token");
}

// Issue 15: `exact` at d = 1,024 over 10^8 tokens ran until memory was gone; the sketches that
// keep every token are now estimated before anything is allocated.
TEST_F(Malformed, AStateThatWouldOutgrowMemoryIsRefusedWithItsEstimate) {
    const std::string c = config("huge.json", [](json& cfg) {
        cfg["tokens"] = 100000000;
        cfg["eval_every"] = 100000000;
        cfg["source"]["params"]["dim"] = 1024;
    });
    expect_bad_input(run(c), "'exact' alone 765.5 GiB), above the limit of 16 GiB");
}

// ---- a sketch that fails during the run ----

// A sketch that throws after its first block, as a sketch out of memory would.
class FailsAtRuntime final : public Sketch {
  public:
    explicit FailsAtRuntime(const SketchContext& context) : Sketch(context) {}
    SketchStats stats() const override { return {}; }
    SketchView view() const override { return {}; }
    void reset() override {}

  protected:
    void do_append(const TokenBlock& block) override {
        if (block.first_position > 0) throw std::runtime_error("out of memory\nat token 128");
    }
    EstimateBatch do_estimate(ConstMatrixRef q) const override {
        return EstimateBatch::zeros(q.rows(), value_dim());
    }
};

TEST_F(Malformed, ASketchThatFailsDuringTheRunMakesTheRunFailWithItsOneLineError) {
    const std::string c = config("c.json", [](json& cfg) {
        cfg["sketches"] = {{{"id", "exact"}}, {{"id", "test_fails_at_runtime"}}};
    });
    const std::string out_dir = path("out");
    const Outcome o = in_child([&](std::ostream& out, std::ostream& err) {
        // Only in this child: the registry is a plain static, and the child exits after the run.
        SketchInfo info;
        info.id = "test_fails_at_runtime";
        info.subset_of_stream = false;
        info.make = [](const SketchContext& ctx) { return std::make_unique<FailsAtRuntime>(ctx); };
        const_cast<SketchRegistry&>(builtin_sketches()).add(info);
        std::vector<std::string> args = {"kvscope", "run", "--config", c, "--out", out_dir};
        std::vector<char*> argv;
        for (auto& a : args)
            argv.push_back(a.data());
        return run_cli(static_cast<int>(argv.size()), argv.data(), out, err);
    });
    ASSERT_FALSE(o.hung);
    ASSERT_EQ(o.signal, 0);
    EXPECT_EQ(o.code, 1);
    EXPECT_EQ(std::count(o.err.begin(), o.err.end(), '\n'), 1) << o.err;
    EXPECT_THAT(o.err, HasSubstr("sketch 'test_fails_at_runtime' (instance 1) failed during the "
                                 "run: out of memory\\nat token 128"));
    // The table keeps its columns: the failed row is marked, no "error:" line breaks it.
    EXPECT_THAT(o.out, HasSubstr("failed"));
    EXPECT_THAT(o.out, Not(HasSubstr("error:")));
    // What was evaluated is written.
    EXPECT_TRUE(fs::exists(dir_ / "out" / "metrics.csv"));
}

}  // namespace
}  // namespace kvscope
