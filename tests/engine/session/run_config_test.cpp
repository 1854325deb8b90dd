// Run-config limits (issue 15): sweeps are counted before they are expanded, and command-line
// overrides follow the config's rules. Source sweeps (issue 13): expansion order, labels, "all"
// on the shipped keys file, errors, the run's instance limit and the JSON round trip.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "engine/support/io_test_util.hpp"
#include "io/npy.hpp"
#include "session/run_config.hpp"

namespace kvscope {
namespace {

using ::testing::HasSubstr;
using json = nlohmann::json;

const std::filesystem::path kConfigs =
    std::filesystem::path(KVSCOPE_SOURCE_DIR) / "assets" / "configs";

// A config on the shipped real-attention keys (assets/real/ppocr_v4_line: 2 layers, 8 heads)
// with `source` merged into its source entry.
json real_config(const json& source) {
    json doc = {{"schema_version", 1},
                {"tokens", 64},
                {"eval_every", 64},
                {"probe_queries", 8},
                {"source",
                 {{"id", "file"},
                  {"params",
                   {{"keys", "../real/ppocr_v4_line/keys.npy"},
                    {"values", "../real/ppocr_v4_line/values.npy"}}}}},
                {"sketches", {{{"id", "exact"}}}}};
    doc["source"].merge_patch(source);
    return doc;
}

json ball_config(const json& sweep) {
    return {{"schema_version", 1},
            {"source", {{"id", "isotropic_ball"}, {"params", {{"dim", 4}}}, {"sweep", sweep}}},
            {"sketches", {{{"id", "exact"}}}}};
}

std::vector<std::string> labels_of(const RunConfig& c) {
    std::vector<std::string> out;
    for (const auto& s : expand_sources(c))
        out.push_back(s.label);
    return out;
}

template <class F>
std::string message_of(F&& f) {
    return test::error_of(std::forward<F>(f));
}

// Regression (fuzz_run_config, crash-dc07e080): an unknown key holding a newline ("tok\ns") was
// quoted raw, so the error ran over two lines. Every parse error is now escaped to one line.
TEST(RunConfigLimits, KeysWithControlCharactersGiveOneLineErrors) {
    const std::vector<json> docs = {
        json::parse(R"({"schema_version": 1, "tok\ns": 5, "source": {"id": "isotropic_ball"},
                        "sketches": [{"id": "exact"}]})"),
        json::parse(R"({"schema_version": 1, "source": {"id": "isotropic_ball"},
                        "sketches": [{"id": "uniform", "sweep": {"bud\nget": [1, 2]}}]})"),
        json::parse(R"({"schema_version": 1, "source": {"id": "isotropic_ball"},
                        "sketches": [{"id": "uni\rform"}]})")};
    for (const json& doc : docs) {
        const std::string msg = test::error_of([&] { parse_run_config(doc, ""); });
        EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
        EXPECT_EQ(msg.find('\r'), std::string::npos) << msg;
        EXPECT_THAT(msg, ::testing::AnyOf(HasSubstr("\\n"), HasSubstr("\\r"))) << msg;
    }
}

TEST(RunConfigLimits, SweepsAreCountedBeforeTheyAreExpanded) {
    RunConfig c;
    SketchEntry e;
    e.id = "uniform";
    e.sweep = {{"budget", nlohmann::json::array()}};
    for (int i = 1; i <= 100; ++i)
        e.sweep["budget"].push_back(i);
    c.sketches = {e, e, e};
    EXPECT_EQ(sketch_instance_count(c), 300u);
    c.sketches[0].sweep["seed_like"] = e.sweep["budget"];  // 100 x 100
    EXPECT_EQ(sketch_instance_count(c), 10200u);
    EXPECT_THAT(
        message_of([&] { expand_sketches(c); }),
        HasSubstr("expand into 10200 instances (sweeps multiply), above the limit of 1024"));
}

TEST(RunConfigLimits, CommandLineOverridesUseTheConfigRules) {
    RunConfig c;
    override_tokens(c, "1e3", "--tokens");
    EXPECT_EQ(c.tokens, 1000);
    override_seed(c, "18446744073709551615", "--seed");
    EXPECT_EQ(c.seed, 18446744073709551615u);
    EXPECT_THAT(message_of([&] { override_tokens(c, "100000001", "--tokens"); }),
                HasSubstr("--tokens = 100000001 is out of range [1, 100000000]"));
    EXPECT_THAT(message_of([&] { override_tokens(c, "ten", "--tokens"); }),
                HasSubstr("--tokens ten is not a number"));
    EXPECT_THAT(message_of([&] { override_seed(c, "1.5", "--seed"); }),
                HasSubstr("--seed must be a whole number"));
}

TEST(SourceSweep, ExpandsInTheSourceParameterOrderFirstKeySlowest) {
    // "head" is written first (and sorts first), but the file source lists "layer" before
    // "head", so layer varies slowest and leads the label.
    const RunConfig c = parse_run_config(
        real_config({{"sweep", {{"head", {0, 1, 2}}, {"layer", {0, 1}}}}}), kConfigs);
    EXPECT_EQ(labels_of(c),
              (std::vector<std::string>{"layer=0;head=0", "layer=0;head=1", "layer=0;head=2",
                                        "layer=1;head=0", "layer=1;head=1", "layer=1;head=2"}));
    const auto instances = expand_sources(c);
    EXPECT_EQ(instances[4].params.at("layer"), 1);
    EXPECT_EQ(instances[4].params.at("head"), 1);
    EXPECT_EQ(instances[4].params.at("keys"), "../real/ppocr_v4_line/keys.npy");
}

TEST(SourceSweep, FloatValuesAreLabelledLikeSketchParams) {
    const RunConfig c = parse_run_config(ball_config({{"radius", {0.5, 2}}}), {});
    EXPECT_EQ(labels_of(c), (std::vector<std::string>{"radius=0.5", "radius=2"}));
}

TEST(SourceSweep, NoSweepIsOneInstanceWithAnEmptyLabel) {
    const RunConfig c = parse_run_config(real_config({{"params", {{"head", 3}}}}), kConfigs);
    const auto instances = expand_sources(c);
    ASSERT_EQ(instances.size(), 1u);
    EXPECT_EQ(instances[0].label, "");
    EXPECT_EQ(instances[0].params, c.source_params);
    EXPECT_EQ(config_for_source(c, 0).source_label, "");
}

TEST(SourceSweep, AllExpandsToEveryHeadAndLayerOfTheShippedKeys) {
    const RunConfig heads = parse_run_config(real_config({{"sweep", {{"head", "all"}}}}), kConfigs);
    const auto h = labels_of(heads);
    ASSERT_EQ(h.size(), 8u);
    EXPECT_EQ(h.front(), "head=0");
    EXPECT_EQ(h.back(), "head=7");
    const RunConfig both =
        parse_run_config(real_config({{"sweep", {{"layer", "all"}, {"head", "all"}}}}), kConfigs);
    const auto b = labels_of(both);
    ASSERT_EQ(b.size(), 16u);
    EXPECT_EQ(b[11], "layer=1;head=3");
}

TEST(SourceSweep, ConfigForSourceIsConcreteAndUnswept) {
    const RunConfig c =
        parse_run_config(real_config({{"sweep", {{"layer", {0, 1}}, {"head", "all"}}}}), kConfigs);
    const RunConfig one = config_for_source(c, 11);
    EXPECT_TRUE(one.source_sweep.empty());
    EXPECT_EQ(one.source_label, "layer=1;head=3");
    EXPECT_EQ(one.source_params.at("layer"), 1);
    EXPECT_EQ(one.source_params.at("head"), 3);
    EXPECT_EQ(one.sketches.size(), c.sketches.size());
    EXPECT_THAT(message_of([&] { config_for_source(c, 16); }),
                HasSubstr("no source instance 16 (the source sweep has 16)"));
}

TEST(SourceSweep, ToJsonRoundTripsTheSweepAsGiven) {
    const json doc = real_config({{"sweep", {{"layer", {0, 1}}, {"head", "all"}}}});
    const RunConfig c = parse_run_config(doc, kConfigs);
    const json out = to_json(c);
    EXPECT_EQ(out.at("source").at("sweep"), doc.at("source").at("sweep"));
    EXPECT_EQ(out.at("source").at("sweep").at("head"), "all");
    const RunConfig back = parse_run_config(out, kConfigs);
    EXPECT_EQ(to_json(back), out);
    EXPECT_EQ(labels_of(back), labels_of(c));
    EXPECT_FALSE(to_json(config_for_source(c, 0)).at("source").contains("sweep"));
}

TEST(SourceSweep, BadSweepsAreRefusedWithTheProblemNamed) {
    const auto error = [](const json& doc) {
        return message_of([&] { parse_run_config(doc, kConfigs); });
    };
    EXPECT_THAT(error(real_config({{"sweep", {{"heads", {0, 1}}}}})),
                HasSubstr("source sweep: \"heads\" is not a parameter of source 'file'"));
    EXPECT_THAT(error(real_config({{"params", {{"head", 1}}}, {"sweep", {{"head", {0, 1}}}}})),
                HasSubstr("\"head\" is both swept and fixed in \"params\""));
    EXPECT_THAT(error(ball_config({{"radius", "all"}})),
                HasSubstr("\"radius\": \"all\" is only for the file source's \"layer\" and "
                          "\"head\", not for source 'isotropic_ball'"));
    EXPECT_THAT(error(real_config({{"sweep", {{"queries_tensor", "all"}}}})),
                HasSubstr("\"queries_tensor\": \"all\" is only for"));
    EXPECT_THAT(error(real_config({{"sweep", {{"head", json::array()}}}})),
                HasSubstr("\"head\" must be a non-empty list of values or \"all\""));
    EXPECT_THAT(error(real_config({{"sweep", {{"head", {0, -1}}}}})),
                HasSubstr("source 'file' sweep"));
    EXPECT_THAT(error(ball_config({{"radius", {1, "big"}}})), HasSubstr("radius"));
    EXPECT_THAT(error(ball_config(json::array())), HasSubstr("source sweep must map"));
}

TEST(SourceSweep, AllNeedsOneKeysFileWithThatAxis) {
    test::TempDir dir;
    const std::vector<float> data(3 * 5 * 4, 0.5f);
    write_npy(dir.file("heads.npy"), {3, 5, 4}, data);  // [heads, tokens, dim]
    write_npy(dir.file("flat.npy"), {15, 4}, data);     // [tokens, dim]
    const auto config = [&](const std::string& keys, const json& sweep) {
        return json{{"schema_version", 1},
                    {"source", {{"id", "file"}, {"params", {{"keys", keys}}}, {"sweep", sweep}}},
                    {"sketches", {{{"id", "exact"}}}}};
    };
    EXPECT_EQ(labels_of(parse_run_config(config(dir.file("heads.npy"), {{"head", "all"}}), {})),
              (std::vector<std::string>{"head=0", "head=1", "head=2"}));
    EXPECT_THAT(message_of([&] {
                    parse_run_config(config(dir.file("heads.npy"), {{"layer", "all"}}), {});
                }),
                HasSubstr("has shape [3, 5, 4], which has no layer axis"));
    EXPECT_THAT(message_of([&] {
                    parse_run_config(config(dir.file("flat.npy"), {{"head", "all"}}), {});
                }),
                HasSubstr("has shape [15, 4], which has no head axis"));
    json keys_swept = config(dir.file("heads.npy"), {{"head", "all"}});
    keys_swept["source"]["params"].erase("keys");
    keys_swept["source"]["sweep"]["keys"] = {dir.file("heads.npy")};
    EXPECT_THAT(message_of([&] { parse_run_config(keys_swept, {}); }),
                HasSubstr("needs one keys file"));
}

TEST(SourceSweep, TheRunLimitCountsSourcesTimesSketches) {
    json doc = ball_config({{"radius", json::array()}});
    for (int i = 1; i <= 200; ++i)
        doc["source"]["sweep"]["radius"].push_back(0.01 * i);
    doc["sketches"] = {{{"id", "uniform"}, {"sweep", {{"budget", json::array()}}}}};
    for (int b = 1; b <= 100; ++b)
        doc["sketches"][0]["sweep"]["budget"].push_back(b);
    EXPECT_THAT(message_of([&] { parse_run_config(doc, {}); }),
                HasSubstr("200 source instances x 100 sketch instances = 20000, above the limit "
                          "of 16384"));
    doc["sketches"][0]["sweep"]["budget"] = json::array();
    for (int b = 1; b <= 80; ++b)  // 200 x 80 = 16,000: allowed
        doc["sketches"][0]["sweep"]["budget"].push_back(b);
    EXPECT_EQ(expand_sources(parse_run_config(doc, {})).size(), 200u);
}

}  // namespace
}  // namespace kvscope
