// Run config parsing, Session determinism and the foundation acceptance numbers.
#include "session/session.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <map>

#include "core/random.hpp"
#include "engine/support/sketch_state.hpp"
#include "session/run_output.hpp"

namespace kvscope {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

json small_config() {
    return json::parse(R"({
      "schema_version": 1, "seed": 3, "tokens": 3000, "eval_every": 1000, "probe_queries": 16,
      "source": {"id": "isotropic_ball", "params": {"dim": 6, "radius": 1.5}},
      "sketches": [{"id": "exact"}, {"id": "uniform", "sweep": {"budget": [16, 64]}},
                   {"id": "uniform_halving", "params": {"budget": 40}}]})");
}

std::string parse_error(const json& doc) {
    try {
        parse_run_config(doc, "");
    } catch (const std::invalid_argument& e) {
        return e.what();
    }
    return "(accepted)";
}

TEST(RunConfig, RejectsBadConfigsWithANamedProblem) {
    json c = small_config();
    c["sketches"][0]["id"] = "nope";
    EXPECT_THAT(parse_error(c), HasSubstr("unknown sketch 'nope'"));
    c = small_config();
    c["sketches"][1]["sweep"]["budget"] = json::array({16, 0});
    EXPECT_THAT(parse_error(c), HasSubstr("'budget' = 0 is out of range"));
    c = small_config();
    c["sketches"][2]["params"]["budjet"] = 3;
    EXPECT_THAT(parse_error(c), HasSubstr("unknown parameter 'budjet'"));
    c = small_config();
    c["source"]["params"]["radius"] = "big";
    EXPECT_THAT(parse_error(c), HasSubstr("'radius' expects a number"));
    c = small_config();
    c["tokens"] = 0;
    EXPECT_THAT(parse_error(c), HasSubstr("\"tokens\" = 0 is out of range"));
    c = small_config();
    c["beta"] = -1;
    EXPECT_THAT(parse_error(c), HasSubstr("beta"));
    c = small_config();
    c["schema_version"] = 2;
    EXPECT_THAT(parse_error(c), HasSubstr("schema_version 2 is not supported"));
    c = small_config();
    c["sketchs"] = json::array();
    EXPECT_THAT(parse_error(c), HasSubstr("unknown key \"sketchs\""));
    c = small_config();
    c["source"]["id"] = "nowhere";
    EXPECT_THAT(parse_error(c), HasSubstr("unknown source 'nowhere'"));
    EXPECT_EQ(parse_error(small_config()), "(accepted)");
}

TEST(RunConfig, RoundTripsThroughJsonAndExpandsSweeps) {
    const RunConfig c = parse_run_config(small_config(), "");
    const RunConfig again = parse_run_config(to_json(c), "");
    EXPECT_EQ(to_json(c), to_json(again));
    const auto specs = expand_sketches(c);
    ASSERT_EQ(specs.size(), 4u);
    EXPECT_EQ(specs[1].params_text, "budget=16");
    EXPECT_EQ(specs[2].params_text, "budget=64");
    EXPECT_NE(specs[1].seed, specs[2].seed);
    EXPECT_DOUBLE_EQ(c.beta_for(16), 0.25);
}

TEST(Session, SameConfigGivesByteIdenticalCsv) {
    json doc = small_config();
    doc["timing"] = false;
    const RunConfig c = parse_run_config(doc, "");
    Session a(c), b(c);
    a.run_to_end();
    // Different chunking of advance() must not change any number.
    while (!b.finished())
        b.advance(77);
    b.evaluate_now();
    EXPECT_EQ(metrics_csv(a), metrics_csv(b));
    EXPECT_THAT(metrics_csv(a), HasSubstr("nan"));  // timing columns
    // Evaluated at 1000, 2000, 3000 for 4 instances.
    EXPECT_EQ(a.history().size(), 12u);
    // A different seed changes the numbers.
    doc["seed"] = 4;
    Session d(parse_run_config(doc, ""));
    d.run_to_end();
    EXPECT_NE(metrics_csv(a), metrics_csv(d));
}

TEST(Session, MassRecallAndCompressionAreConsistent) {
    Session s(parse_run_config(small_config(), ""));
    s.run_to_end();
    for (const auto& r : s.history()) {
        EXPECT_GE(r.mass_recall, 0.0);
        EXPECT_LE(r.mass_recall, 1.0 + 1e-12);
        if (r.sketch == "exact") {
            EXPECT_NEAR(r.mass_recall, 1.0, 1e-12);
            EXPECT_NEAR(r.compression, 1.0, 1e-12);
            EXPECT_LT(r.errors.rel_err_max, 1e-9);
        }
        if (r.sketch == "uniform") {
            // Kept fraction of tokens ~ kept fraction of mass at high temperature.
            const double frac = static_cast<double>(r.retained_tokens) / r.tokens_seen;
            EXPECT_NEAR(r.mass_recall, frac, 0.5 * frac);
        }
    }
}

TEST(Session, ReconfiguringOneSketchReplaysItOnTheSameStream) {
    Session s(parse_run_config(small_config(), ""));
    s.advance(2500);
    s.reconfigure_sketch(1, {{"budget", 64}});
    // Now instance 1 equals instance 2 (same params, but a different seed? no: the seed is kept).
    const EstimateBatch e1 = s.sketches()[1].sketch->estimate_many(s.probes());
    EXPECT_EQ(s.sketches()[1].sketch->stats().seen, 2500);
    EXPECT_EQ(s.sketches()[1].spec.params_text, "budget=64");
    EXPECT_THROW(s.reconfigure_sketch(1, {{"budget", -5}}), std::invalid_argument);
    EXPECT_EQ(s.sketches()[1].spec.params_text, "budget=64");  // unchanged after a bad edit
    EXPECT_EQ(e1.output(), s.sketches()[1].sketch->estimate_many(s.probes()).output());
    s.add_sketch(SketchEntry{"uniform", {{"budget", 8}}, json::object(), std::nullopt, ""});
    EXPECT_EQ(s.sketches().back().sketch->stats().seen, 2500);
    s.remove_sketch(0);
    EXPECT_EQ(s.sketches()[0].spec.id, "uniform");
}

// Rows of one instance, as CSV lines without the instance column (timing off).
std::vector<std::string> rows_of(const Session& s, int instance) {
    std::vector<std::string> out;
    for (const auto& r : s.history()) {
        if (r.instance != instance) continue;
        MetricRow copy = r;
        copy.instance = 0;
        out.push_back(metric_csv_line(copy, false));
    }
    return out;
}

// Every column equal, except mass recall (a replayed sketch's is summed over its kept tokens
// only, so it may differ in the last bits) which must agree to 1e-12.
void expect_same_rows(const Session& a, const Session& b, int instance) {
    std::vector<const MetricRow*> ra, rb;
    for (const auto& r : a.history())
        if (r.instance == instance) ra.push_back(&r);
    for (const auto& r : b.history())
        if (r.instance == instance) rb.push_back(&r);
    ASSERT_EQ(ra.size(), rb.size());
    ASSERT_FALSE(ra.empty());
    for (std::size_t k = 0; k < ra.size(); ++k) {
        MetricRow x = *ra[k], y = *rb[k];
        EXPECT_NEAR(x.mass_recall, y.mass_recall, 1e-12);
        x.mass_recall = y.mass_recall = 0;
        EXPECT_EQ(metric_csv_line(x, false), metric_csv_line(y, false));
    }
}

TEST(Session, AReconfiguredSketchGetsTheHistoryOfABatchRunWithItsNewParams) {
    json doc = small_config();
    doc["timing"] = false;
    Session live(parse_run_config(doc, ""));
    live.advance(2500);  // evaluated at 1000 and 2000
    const auto before = rows_of(live, 3);
    live.reconfigure_sketch(3, {{"budget", 24}});  // uniform_halving
    live.run_to_end();
    // The sweep was expanded into explicit entries (seeds pinned; an edit keeps the sketch's
    // seed), so the config a session saves reproduces what is shown in a batch run.
    ASSERT_EQ(live.config().sketches.size(), 4u);
    EXPECT_EQ(live.config().sketches[3].params["budget"], 24);
    Session batch(live.config());
    batch.run_to_end();
    // Every number of the edited sketch at every evaluation point equals the batch run's: the
    // history before the edit was re-evaluated, not left from the old parameters.
    expect_same_rows(live, batch, 3);
    EXPECT_NE(rows_of(live, 3).front(), before.front());
    EXPECT_EQ(rows_of(live, 0), rows_of(batch, 0));
    EXPECT_EQ(rows_of(live, 2), rows_of(batch, 2));
}

// Replay of sketches whose kept sets are not plain caches: balance_kv keeps separate numerator
// and denominator coresets (a token can sit in both), h2o evicts by score, snapkv re-selects.
TEST(Session, ReplayedSubsetSketchesMatchABatchRunIncludingMassRecall) {
    for (const char* id : {"balance_kv", "h2o", "snapkv"}) {
        SCOPED_TRACE(id);
        json doc = small_config();
        doc["timing"] = false;
        doc["sketches"] = json::array({{{"id", "exact"}}, {{"id", id}}});
        Session live(parse_run_config(doc, ""));
        live.advance(2500);
        const SketchInfo& info = builtin_sketches().at(id, "sketch");
        json params = live.sketches()[1].spec.params.to_json(info.params);
        const std::string key = std::string(id) == "balance_kv" ? "batch" : "budget";
        const std::int64_t changed = params[key].get<std::int64_t>() / 2;
        params[key] = changed;
        live.reconfigure_sketch(1, params);
        live.run_to_end();
        for (const MetricRow& r : live.history()) {  // the whole history has the new value
            if (r.instance == 1) {
                EXPECT_THAT(r.params, HasSubstr(key + "=" + std::to_string(changed)));
            }
        }
        Session batch(live.config());
        batch.run_to_end();
        expect_same_rows(live, batch, 1);
    }
}

TEST(Session, AddedSketchIsEvaluatedAtEveryPastPointLikeInABatchRun) {
    json doc = small_config();
    doc["timing"] = false;
    Session live(parse_run_config(doc, ""));
    live.advance(2000);
    live.add_sketch(SketchEntry{"uniform", {{"budget", 32}}, json::object(), std::nullopt, ""});
    live.run_to_end();
    json batch_doc = doc;
    batch_doc["sketches"].push_back({{"id", "uniform"}, {"params", {{"budget", 32}}}});
    Session batch(parse_run_config(batch_doc, ""));
    batch.run_to_end();
    ASSERT_EQ(live.sketches().size(), 5u);
    const auto live_rows = rows_of(live, 4);
    ASSERT_EQ(live_rows.size(), 3u);
    // Mass recall of a replayed sketch is summed over its kept tokens only, so it can differ
    // from the batch run's in the last bits; compare it with a tolerance, the rest exactly.
    for (std::size_t k = 0; k < live_rows.size(); ++k) {
        const MetricRow& a = live.history()[3 * 5 * 0 + 5 * k + 4];
        const MetricRow& b = batch.history()[5 * k + 4];
        ASSERT_EQ(a.instance, 4);
        EXPECT_EQ(a.errors.rel_err_mean, b.errors.rel_err_mean);
        EXPECT_EQ(a.retained_tokens, b.retained_tokens);
        EXPECT_NEAR(a.mass_recall, b.mass_recall, 1e-12);
        EXPECT_GT(a.mass_recall, 0.0);
    }
}

TEST(Session, RemovingAndMovingSketchesKeepsEachHistoryWithItsSketch) {
    json doc = small_config();
    doc["timing"] = false;
    Session s(parse_run_config(doc, ""));
    s.run_to_end();
    const auto exact_rows = rows_of(s, 0);
    const auto halving_rows = rows_of(s, 3);
    s.move_sketch(3, 0);  // uniform_halving first
    EXPECT_EQ(s.sketches()[0].spec.id, "uniform_halving");
    EXPECT_EQ(s.sketches()[1].spec.id, "exact");
    EXPECT_EQ(s.config().sketches[0].id, "uniform_halving");
    EXPECT_EQ(rows_of(s, 0), halving_rows);
    EXPECT_EQ(rows_of(s, 1), exact_rows);
    for (std::size_t i = 1; i < s.history().size(); ++i) {  // batch-run order is kept
        const auto& a = s.history()[i - 1];
        const auto& b = s.history()[i];
        EXPECT_TRUE(a.tokens_seen < b.tokens_seen ||
                    (a.tokens_seen == b.tokens_seen && a.instance < b.instance));
    }
    s.remove_sketch(0);
    EXPECT_EQ(rows_of(s, 0), exact_rows);
    for (const auto& r : s.history())
        EXPECT_LT(r.instance, 3);
    EXPECT_THROW(s.move_sketch(0, 7), std::invalid_argument);
}

// The config is the one record of what runs: after any edit, expanding it gives exactly the
// running sketches (ids, parameters, labels, seeds), so a saved session reproduces the scene.
TEST(Session, ConfigDescribesTheRunningSketchesAfterEveryEdit) {
    Session s(parse_run_config(small_config(), ""));
    s.advance(1500);
    auto expect_config_matches = [&s](const char* after) {
        SCOPED_TRACE(after);
        const auto specs = expand_sketches(s.config());
        ASSERT_EQ(specs.size(), s.sketches().size());
        for (std::size_t i = 0; i < specs.size(); ++i) {
            const SketchInstanceSpec& live = s.sketches()[i].spec;
            EXPECT_EQ(specs[i].id, live.id);
            EXPECT_EQ(specs[i].params_text, live.params_text);
            EXPECT_EQ(specs[i].label, live.label);
            EXPECT_EQ(specs[i].seed, live.seed);
        }
    };
    expect_config_matches("start (a sweep)");
    s.reconfigure_sketch(2, {{"budget", 48}});
    expect_config_matches("reconfigure one instance of the sweep");
    s.add_sketch(
        SketchEntry{"uniform", json::object(), {{"budget", json{8, 9}}}, std::nullopt, "added"});
    expect_config_matches("add a sweep");
    s.move_sketch(4, 0);
    expect_config_matches("move");
    s.remove_sketch(1);
    expect_config_matches("remove");
    EXPECT_THROW(s.reconfigure_sketch(0, {{"budget", 0}}), std::invalid_argument);
    expect_config_matches("a refused edit");
}

// "New seed" keeps the edits; only seeds the config did not fix change.
TEST(Session, ConfigWithANewSeedKeepsEditsAndFixedSeeds) {
    json doc = small_config();
    doc["sketches"][2]["seed"] = 99;  // uniform_halving: fixed by the config
    Session s(parse_run_config(doc, ""));
    s.reconfigure_sketch(1, {{"budget", 20}});  // expands the sweep, pins the seeds
    const RunConfig next = s.config_with_seed(4);
    EXPECT_EQ(next.seed, 4u);
    Session reseeded(next);
    ASSERT_EQ(reseeded.sketches().size(), 4u);
    EXPECT_EQ(reseeded.sketches()[1].spec.params_text, "budget=20");
    EXPECT_EQ(reseeded.sketches()[2].spec.params_text, "budget=64");
    EXPECT_EQ(reseeded.sketches()[3].spec.seed, 99u);
    for (int i : {0, 1, 2})
        EXPECT_NE(reseeded.sketches()[i].spec.seed, s.sketches()[i].spec.seed) << i;
    EXPECT_EQ(reseeded.sketches()[1].spec.seed, derive_seed(4, "uniform|budget=20"));
}

TEST(Session, ResetReplaysTheSameRun) {
    json doc = small_config();
    doc["timing"] = false;
    Session s(parse_run_config(doc, ""));
    s.run_to_end();
    const std::string first = metrics_csv(s);
    s.reset();
    EXPECT_EQ(s.tokens_seen(), 0);
    s.run_to_end();
    EXPECT_EQ(first, metrics_csv(s));
}

// The foundation issue's acceptance run, as shipped in assets/configs/uniform_sweep.json.
TEST(Acceptance, ExactIsExactAndUniformFallsAsInverseSquareRoot) {
    const RunConfig c =
        load_run_config(std::string(KVSCOPE_SOURCE_DIR) + "/assets/configs/uniform_sweep.json");
    Session s(c);
    s.run_to_end();
    std::map<long long, double> uniform_err;
    for (const auto& r : s.history()) {
        if (r.tokens_seen != 32768) continue;
        if (r.sketch == "exact") {
            EXPECT_LT(r.errors.rel_err_max, 1e-6);
        }
        if (r.sketch == "uniform") uniform_err[r.retained_tokens] = r.errors.rel_err_mean;
    }
    ASSERT_EQ(uniform_err.size(), 7u);
    // Least-squares slope over the sweep.
    double sx = 0, sy = 0, sxx = 0, sxy = 0;
    for (const auto& [m, e] : uniform_err) {
        const double x = std::log(static_cast<double>(m)), y = std::log(e);
        sx += x;
        sy += y;
        sxx += x * x;
        sxy += x * y;
    }
    const double n = static_cast<double>(uniform_err.size());
    const double slope = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    EXPECT_GT(slope, -0.7);
    EXPECT_LT(slope, -0.3);
}

// Source sweeps (issue 13): a session runs one source instance, and its rows say which.
TEST(Session, RefusesAConfigThatStillHasASourceSweep) {
    json doc = small_config();
    doc["source"]["params"].erase("radius");
    doc["source"]["sweep"] = {{"radius", {0.5, 1.5, 2.5}}};
    const RunConfig swept = parse_run_config(doc, "");
    try {
        Session s(swept);
        ADD_FAILURE() << "a swept config was accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_THAT(e.what(), HasSubstr("a session runs one source, but this config's source "
                                        "sweep has 3 instances"));
    }
}

TEST(Session, RowsCarryTheSourceInstanceLabel) {
    json doc = small_config();
    doc["timing"] = false;  // byte-comparable rows
    doc["source"]["params"].erase("radius");
    doc["source"]["sweep"] = {{"radius", {0.5, 1.5}}};
    const RunConfig swept = parse_run_config(doc, "");
    Session second(config_for_source(swept, 1));
    second.run_to_end();
    ASSERT_FALSE(second.history().empty());
    for (const MetricRow& r : second.history())
        EXPECT_EQ(r.source_params, "radius=1.5");
    // The same instance with radius fixed: the same rows but for the label.
    json unswept = small_config();
    unswept["timing"] = false;
    Session fixed(parse_run_config(unswept, ""));
    fixed.run_to_end();
    const std::string a = metrics_csv(second);
    const std::string b = metrics_csv(fixed);
    EXPECT_NE(a, b);
    std::string relabelled = a;
    for (std::size_t at = 0; (at = relabelled.find(",radius=1.5,", at)) != std::string::npos;)
        relabelled.replace(at, 12, ",,");
    EXPECT_EQ(relabelled, b);
}

// Scrubbing: every registered sketch (subsets, merge trees, buckets, walks, moments,
// quantized), on a short stream.
json scrub_config() {
    return json::parse(R"({
      "schema_version": 1, "seed": 11, "tokens": 6000, "eval_every": 1000, "probe_queries": 16,
      "timing": false,
      "source": {"id": "isotropic_ball", "params": {"dim": 6, "radius": 1.5}},
      "sketches": [{"id": "exact"}, {"id": "uniform", "params": {"budget": 64}},
                   {"id": "balance_kv", "params": {"batch": 64}},
                   {"id": "taylor", "params": {"degree": 2, "recenter": "mean"}},
                   {"id": "h2o", "params": {"budget": 64}},
                   {"id": "sliding_window", "params": {"budget": 64}},
                   {"id": "merge_reduce"}, {"id": "hybrid"}, {"id": "subgen"},
                   {"id": "lsh_partition"}, {"id": "kivi"}, {"id": "qjl"}, {"id": "snapkv"},
                   {"id": "streaming_llm"}, {"id": "key_norm"}, {"id": "sinks_window"},
                   {"id": "uniform_halving"}, {"id": "weighted_merge_reduce"},
                   {"id": "balance_kv_reference"}]})");
}

// Every sketch of `a` in the state of the same sketch of `b`, and the same estimates.
void expect_same_sketches(const Session& a, const Session& b) {
    ASSERT_EQ(a.sketches().size(), b.sketches().size());
    for (std::size_t i = 0; i < a.sketches().size(); ++i) {
        const Sketch& x = *a.sketches()[i].sketch;
        const Sketch& y = *b.sketches()[i].sketch;
        EXPECT_EQ(test::first_difference(test::state_text(x), test::state_text(y)), "")
            << a.sketches()[i].spec.label;
        if (x.stats().seen == 0) continue;  // an empty sketch's output is 0 / 0
        EXPECT_EQ(x.estimate_many(a.probes()).output(), y.estimate_many(b.probes()).output())
            << a.sketches()[i].spec.label;
    }
}

// A run of the whole stream in one advance() call: its blocks are the evaluation intervals,
// which are the blocks a seek replays (a Taylor sketch's moments depend on the blocks in the
// last bits; run_to_end() cuts at multiples of 4,096 as well).
void run_whole(Session& s) {
    s.advance(s.tokens_target());
    s.evaluate_now();
}

TEST(Session, SeekBackGivesEverySketchTheStateOfARunStoppedThere) {
    const RunConfig c = parse_run_config(scrub_config(), "");
    Session live(c);
    run_whole(live);
    const std::string history = metrics_csv(live);
    EXPECT_EQ(live.seek_points(), (std::vector<Index>{0, 1000, 2000, 3000, 4000, 5000, 6000}));
    for (Index at : {Index{5000}, Index{2000}, Index{3000}, Index{1000}}) {
        live.seek(at);
        EXPECT_EQ(live.tokens_seen(), at);
        EXPECT_EQ(live.tokens_recorded(), 6000);
        EXPECT_TRUE(live.rewound());
        EXPECT_FALSE(live.finished());
        Session fresh(c);
        fresh.advance(at);
        ASSERT_EQ(fresh.tokens_seen(), at);
        expect_same_sketches(live, fresh);
        EXPECT_EQ(live.queries().rows(), at);   // the embedding's current query is the one at `at`
        EXPECT_EQ(metrics_csv(live), history);  // the history stays whole
    }
    EXPECT_THROW(live.seek(1500), std::invalid_argument);
    EXPECT_THROW(live.seek(7000), std::invalid_argument);
    EXPECT_EQ(live.tokens_seen(), 1000);  // a refused seek leaves the sketches where they were
}

TEST(Session, SeekForwardAndAdvancingFromARewoundPointEqualTheUninterruptedRun) {
    const RunConfig c = parse_run_config(scrub_config(), "");
    Session whole(c);
    run_whole(whole);
    Session s(c);
    s.advance(4000);
    s.seek(2000);
    s.seek(3000);  // forward from a rewound point, without a reset
    Session stopped(c);
    stopped.advance(3000);
    expect_same_sketches(s, stopped);
    s.seek(4000);  // back at the live end
    EXPECT_FALSE(s.rewound());
    s.seek(1000);
    // Advancing replays the recorded stream from point to point and adds no row: a step within
    // an interval goes to the next point, a longer one to the last point it reaches.
    EXPECT_EQ(s.advance(10), 1000);
    EXPECT_EQ(s.tokens_seen(), 2000);
    EXPECT_EQ(s.advance(1500), 1000);
    EXPECT_EQ(s.tokens_seen(), 3000);
    expect_same_sketches(s, stopped);
    EXPECT_EQ(s.history().size(), 4 * s.sketches().size());
    // Then on past the live end, in the blocks of the uninterrupted run.
    s.advance(3000);
    EXPECT_EQ(s.tokens_seen(), 6000);
    EXPECT_TRUE(s.finished());
    s.evaluate_now();
    EXPECT_EQ(metrics_csv(s), metrics_csv(whole));
    expect_same_sketches(s, whole);
}

TEST(Session, SeekToZeroEmptiesEverySketchAndKeepsTheHistory) {
    const RunConfig c = parse_run_config(scrub_config(), "");
    Session s(c);
    run_whole(s);
    const std::size_t rows = s.history().size();
    s.seek(0);
    EXPECT_EQ(s.tokens_seen(), 0);
    EXPECT_EQ(s.history().size(), rows);
    for (const auto& slot : s.sketches())
        EXPECT_EQ(slot.sketch->stats().seen, 0) << slot.spec.label;
    expect_same_sketches(s, Session(c));
    run_whole(s);
    Session whole(c);
    run_whole(whole);
    expect_same_sketches(s, whole);
}

TEST(Session, AnEditWhileRewoundKeepsTheEditedSketchAtTheScrubPoint) {
    Session s(parse_run_config(scrub_config(), ""));
    run_whole(s);
    s.seek(2000);
    s.reconfigure_sketch(1, {{"budget", 32}});
    s.add_sketch(SketchEntry{"uniform", {{"budget", 8}}, json::object(), std::nullopt, ""});
    // Both evaluated at every point of the run (as a batch run of the edited config), and
    // both back where the others are.
    Session batch(s.config());
    run_whole(batch);
    expect_same_rows(s, batch, 1);
    const int added = static_cast<int>(s.sketches().size()) - 1;
    EXPECT_EQ(rows_of(s, added).size(), 6u);
    EXPECT_EQ(s.sketches()[1].sketch->stats().seen, 2000);
    EXPECT_EQ(s.sketches().back().sketch->stats().seen, 2000);
    s.seek(6000);
    EXPECT_EQ(test::first_difference(test::state_text(*s.sketches()[1].sketch),
                                     test::state_text(*batch.sketches()[1].sketch)),
              "");
}

TEST(Session, SeekNeedsTheStoredStream) {
    Session s(parse_run_config(scrub_config(), ""), builtin_sketches(), StreamStorage::Discard);
    s.advance(2000);
    EXPECT_THROW(s.seek(1000), std::logic_error);
}

}  // namespace
}  // namespace kvscope
