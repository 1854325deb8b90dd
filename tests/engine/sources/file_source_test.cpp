#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/registry.hpp"
#include "engine/support/io_test_util.hpp"
#include "io/csv.hpp"
#include "io/npy.hpp"
#include "io/npz.hpp"
#include "io/safetensors.hpp"
#include "io/sha256.hpp"
#include "sources/file_source.hpp"
#include "sources/source_registry.hpp"

namespace kvscope {
namespace {

using test::TempDir;
using ::testing::HasSubstr;
using json = nlohmann::json;

// Element i of an array gets the value (i mod 97) / 8 - 6: distinct enough to check which slice
// was selected, exact in every float format.
NdArray numbered(std::vector<Index> shape, const std::string& dtype, float offset = 0) {
    NdArray a;
    a.shape = std::move(shape);
    a.dtype = dtype;
    Index n = 1;
    for (Index s : a.shape)
        n *= s;
    for (Index i = 0; i < n; ++i)
        a.data.push_back(static_cast<float>(i % 97) / 8.0f - 6.0f + offset);
    return a;
}

// Row `token` of the [tokens x dim] slice at flat slice offset `slice`.
std::vector<float> slice_row(const NdArray& a, Index slice, Index token) {
    const Index tokens = a.shape[a.shape.size() - 2];
    const Index dim = a.shape.back();
    const auto begin = a.data.begin() + (slice * tokens + token) * dim;
    return std::vector<float>(begin, begin + dim);
}

std::vector<float> row_of(const Matrix& m, Index r) {
    return std::vector<float>(m.row(r).data(), m.row(r).data() + m.cols());
}

std::unique_ptr<TokenSource> make_file_source(const json& params, std::uint64_t seed = 7) {
    return make_source("file", params, seed);
}

TEST(FileSource, IsRegisteredWithItsParameters) {
    const SourceInfo* info = builtin_sources().find("file");
    ASSERT_NE(info, nullptr);
    for (const char* key : {"keys", "values", "queries", "queries_role", "keys_tensor",
                            "values_tensor", "queries_tensor", "layer", "head"}) {
        EXPECT_NE(find_spec(info->params, key), nullptr) << key;
    }
    EXPECT_EQ(find_spec(info->params, "keys")->kind, ParamKind::Path);
}

TEST(FileSource, TwoDimensionalNpyStreamsAndReplays) {
    TempDir dir;
    const NdArray keys = numbered({10, 4}, "<f4");
    const NdArray values = numbered({10, 3}, "<f2", 1);
    write_npy(dir.file("k.npy"), keys.shape, keys.data, keys.dtype);
    write_npy(dir.file("v.npy"), values.shape, values.data, values.dtype);
    auto src = make_file_source({{"keys", dir.file("k.npy")}, {"values", dir.file("v.npy")}});
    EXPECT_EQ(src->dim(), 4);
    EXPECT_EQ(src->value_dim(), 3);
    ASSERT_TRUE(src->length().has_value());
    EXPECT_EQ(*src->length(), 10);

    std::vector<TokenBatch> first;
    for (Index expected : {4, 4, 2, 0}) {
        first.push_back(src->next(4));
        EXPECT_EQ(first.back().size(), expected);
        EXPECT_EQ(first.back().queries.rows(), expected);
        EXPECT_EQ(first.back().values.rows(), expected);
    }
    EXPECT_EQ(first[1].first_position, 4);
    EXPECT_EQ(row_of(first[1].keys, 1), slice_row(keys, 0, 5));
    EXPECT_EQ(row_of(first[2].values, 0), slice_row(values, 0, 8));

    src->reset();
    const TokenBatch all = src->next(100);
    ASSERT_EQ(all.size(), 10);
    EXPECT_EQ(all.keys.middleRows(4, 4), first[1].keys);
    EXPECT_EQ(all.queries.middleRows(8, 2), first[2].queries);
    EXPECT_EQ(all.values.middleRows(0, 4), first[0].values);
}

TEST(FileSource, ThreeDimensionalSelectsTheHead) {
    TempDir dir;
    const NdArray keys = numbered({3, 6, 4}, "<f4");
    const NdArray values = numbered({3, 6, 4}, "<f4", 2);
    write_npz(dir.file("kv.npz"), {{"keys", keys}, {"values", values}}, true);
    auto src = make_file_source({{"keys", dir.file("kv.npz")}, {"head", 2}});
    const TokenBatch b = src->next(6);
    ASSERT_EQ(b.size(), 6);
    for (Index t = 0; t < 6; ++t) {
        EXPECT_EQ(row_of(b.keys, t), slice_row(keys, 2, t));
        EXPECT_EQ(row_of(b.values, t), slice_row(values, 2, t));
    }
}

class FileSourceFourD : public ::testing::TestWithParam<std::string> {};

TEST_P(FileSourceFourD, SelectsLayerAndHeadInEveryDtype) {
    TempDir dir;
    const std::string dtype = GetParam();
    const NdArray k = numbered({3, 2, 5, 4}, dtype);
    const NdArray v = numbered({3, 2, 5, 6}, dtype, 1);
    const std::string path = dir.file("kv.safetensors");
    write_safetensors(path, {{"k", k}, {"v", v}});
    auto src = make_file_source(
        {{"keys", path}, {"keys_tensor", "k"}, {"values_tensor", "v"}, {"layer", 2}, {"head", 1}});
    EXPECT_EQ(src->dim(), 4);
    EXPECT_EQ(src->value_dim(), 6);
    const TokenBatch b = src->next(5);
    for (Index t = 0; t < 5; ++t) {
        EXPECT_EQ(row_of(b.keys, t), slice_row(k, 2 * 2 + 1, t));
        EXPECT_EQ(row_of(b.values, t), slice_row(v, 2 * 2 + 1, t));
    }
}

INSTANTIATE_TEST_SUITE_P(FileSource, FileSourceFourD,
                         ::testing::Values("F16", "BF16", "F32", "F64"));

TEST(FileSource, NpyDtypesAndCsvLoad) {
    TempDir dir;
    for (const std::string dtype : {"<f2", "<f8"}) {
        const NdArray k = numbered({2, 4, 3}, dtype);
        write_npy(dir.file("k.npy"), k.shape, k.data, dtype, 2);
        auto src = make_file_source({{"keys", dir.file("k.npy")}, {"head", 1}});
        EXPECT_EQ(row_of(src->next(4).keys, 3), slice_row(k, 1, 3)) << dtype;
    }
    write_csv(dir.file("k.csv"), 2, {1, 2, 3, 4, 5, 6}, {"a", "b"});
    write_csv(dir.file("v.csv"), 1, {7, 8, 9});
    auto src = make_file_source({{"keys", dir.file("k.csv")}, {"values", dir.file("v.csv")}});
    const TokenBatch b = src->next(3);
    EXPECT_EQ(row_of(b.keys, 2), (std::vector<float>{5, 6}));
    EXPECT_EQ(row_of(b.values, 1), (std::vector<float>{8}));
}

TEST(FileSource, OutOfRangeLayerOrHeadNamesTheShape) {
    TempDir dir;
    const std::string path = dir.file("kv.safetensors");
    write_safetensors(path, {{"keys", numbered({2, 3, 5, 4}, "F32")},
                             {"values", numbered({2, 3, 5, 4}, "F32")},
                             {"k3", numbered({3, 5, 4}, "F32")}});
    auto load = [&](json p) { make_file_source(p); };
    EXPECT_LOAD_ERROR(load({{"keys", path}, {"layer", 2}}), path, "[2, 3, 5, 4]");
    EXPECT_LOAD_ERROR(load({{"keys", path}, {"layer", 2}}), path, "no layer 2");
    EXPECT_LOAD_ERROR(load({{"keys", path}, {"head", 3}}), path, "no head 3");
    EXPECT_LOAD_ERROR(load({{"keys", path}, {"keys_tensor", "k3"}, {"head", 3}}), path,
                      "[3, 5, 4]");
}

TEST(FileSource, WrongRankIsRejected) {
    TempDir dir;
    write_npy(dir.file("k.npy"), {6}, std::vector<float>(6, 1.0f));
    EXPECT_LOAD_ERROR(make_file_source({{"keys", dir.file("k.npy")}}), dir.file("k.npy"), "rank 1");
}

TEST(FileSource, TokenCountMismatchNamesBothShapes) {
    TempDir dir;
    write_npy(dir.file("k.npy"), {5, 4}, numbered({5, 4}, "<f4").data);
    write_npy(dir.file("v.npy"), {6, 4}, numbered({6, 4}, "<f4").data);
    const std::string msg = test::error_of([&] {
        make_file_source({{"keys", dir.file("k.npy")}, {"values", dir.file("v.npy")}});
    });
    EXPECT_THAT(msg, HasSubstr("[5, 4]"));
    EXPECT_THAT(msg, HasSubstr("[6, 4]"));
    EXPECT_THAT(msg, HasSubstr("token count"));
}

TEST(FileSource, QueriesMustMatchTokensAndKeyDim) {
    TempDir dir;
    write_npy(dir.file("k.npy"), {5, 4}, numbered({5, 4}, "<f4").data);
    write_npy(dir.file("q.npy"), {5, 3}, numbered({5, 3}, "<f4").data);
    EXPECT_LOAD_ERROR(
        make_file_source({{"keys", dir.file("k.npy")}, {"queries", dir.file("q.npy")}}),
        dir.file("q.npy"), "[5, 3]");
}

TEST(FileSource, NonFiniteValuesAreCountedAndLocated) {
    TempDir dir;
    NdArray k = numbered({2, 6, 4}, "F32");
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float inf = std::numeric_limits<float>::infinity();
    k.data[(1 * 6 + 3) * 4 + 1] = nan;  // head 1, token 3, column 1
    k.data[(1 * 6 + 5) * 4 + 0] = -inf;
    k.data[(0 * 6 + 0) * 4 + 0] = nan;  // head 0: not selected, not counted
    const std::string path = dir.file("kv.safetensors");
    write_safetensors(path, {{"keys", k}, {"values", numbered({2, 6, 4}, "F32")}});
    const std::string msg = test::error_of([&] {
        make_file_source({{"keys", path}, {"head", 1}});
    });
    EXPECT_THAT(msg, ::testing::StartsWith(path));
    EXPECT_THAT(msg, HasSubstr("keys tensor 'keys'"));
    EXPECT_THAT(msg, HasSubstr("2 non-finite values"));
    EXPECT_THAT(msg, HasSubstr("token 3, column 1"));

    write_csv(dir.file("v.csv"), 2, {1, 2, 3, std::numeric_limits<float>::infinity()});
    write_csv(dir.file("k.csv"), 2, {1, 2, 3, 4});
    EXPECT_LOAD_ERROR(
        make_file_source({{"keys", dir.file("k.csv")}, {"values", dir.file("v.csv")}}),
        dir.file("v.csv"), "1 non-finite value (NaN or inf); first at token 1, column 1");
}

TEST(FileSource, RandomQueriesAndProbesHaveTheMedianKeyNorm) {
    TempDir dir;
    // Key norms 1, 2, 3, 4, 100, 0: the median of an even count averages the middle two, 2.5.
    std::vector<float> k = {1, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 100, 0, 0, 0};
    write_npy(dir.file("k.npy"), {6, 3}, std::vector<float>(k.begin(), k.end()));
    auto src = make_file_source({{"keys", dir.file("k.npy")}});
    const auto* file = dynamic_cast<const FileSource*>(src.get());
    ASSERT_NE(file, nullptr);
    EXPECT_DOUBLE_EQ(file->median_key_norm(), 2.5);
    EXPECT_FALSE(file->has_query_file());
    const Matrix probes = src->probe_queries(50, 11);
    ASSERT_EQ(probes.rows(), 50);
    ASSERT_EQ(probes.cols(), 3);
    for (Index r = 0; r < probes.rows(); ++r)
        EXPECT_NEAR(probes.row(r).norm(), 2.5, 1e-5);
    const TokenBatch b = src->next(6);
    for (Index r = 0; r < b.queries.rows(); ++r)
        EXPECT_NEAR(b.queries.row(r).norm(), 2.5, 1e-5);
}

TEST(FileSource, ProbesAreDeterministicAndSeedDependent) {
    TempDir dir;
    write_npy(dir.file("k.npy"), {20, 4}, numbered({20, 4}, "<f4").data);
    write_npy(dir.file("q.npy"), {20, 4}, numbered({20, 4}, "<f4", 0.5f).data);
    for (bool with_queries : {false, true}) {
        json p = {{"keys", dir.file("k.npy")}};
        if (with_queries) p["queries"] = dir.file("q.npy");
        auto a = make_file_source(p, 1);
        auto b = make_file_source(p, 1);
        EXPECT_EQ(a->probe_queries(8, 3), b->probe_queries(8, 3)) << with_queries;
        EXPECT_NE(a->probe_queries(8, 3), a->probe_queries(8, 4)) << with_queries;
        // Drawing probes does not move the stream.
        const TokenBatch before = a->next(20);
        a->reset();
        (void)a->probe_queries(5, 9);
        EXPECT_EQ(a->next(20).queries, before.queries) << with_queries;
    }
    // Random stream queries depend on the run seed.
    json p = {{"keys", dir.file("k.npy")}};
    EXPECT_EQ(make_file_source(p, 1)->next(5).queries, make_file_source(p, 1)->next(5).queries);
    EXPECT_NE(make_file_source(p, 1)->next(5).queries, make_file_source(p, 2)->next(5).queries);
}

TEST(FileSource, QueryFileRowsFeedTheStreamAndTheProbes) {
    TempDir dir;
    const NdArray q = numbered({12, 3}, "<f4", 0.25f);
    write_npy(dir.file("k.npy"), {12, 3}, numbered({12, 3}, "<f4").data);
    write_npy(dir.file("q.npy"), q.shape, q.data);
    auto src = make_file_source({{"keys", dir.file("k.npy")}, {"queries", dir.file("q.npy")}});
    const TokenBatch b = src->next(12);
    for (Index t = 0; t < 12; ++t)
        EXPECT_EQ(row_of(b.queries, t), slice_row(q, 0, t));

    std::set<std::vector<float>> rows;
    for (Index t = 0; t < 12; ++t)
        rows.insert(slice_row(q, 0, t));
    const Matrix probes = src->probe_queries(12, 5);
    std::set<std::vector<float>> drawn;
    for (Index r = 0; r < probes.rows(); ++r) {
        EXPECT_TRUE(rows.count(row_of(probes, r))) << r;
        drawn.insert(row_of(probes, r));
    }
    EXPECT_EQ(drawn.size(), 12u) << "count <= tokens draws without replacement";
    EXPECT_EQ(src->probe_queries(30, 5).rows(), 30);
}

// Issue 13: a queries file whose row count differs from the keys' is a probe set (published
// benchmark data comes as, say, 256 probe queries), used as the probes exactly.
TEST(FileSource, ProbeSetRowsAreTheProbesInFileOrder) {
    TempDir dir;
    const NdArray q = numbered({5, 3}, "<f4", 0.25f);
    write_npy(dir.file("k.npy"), {12, 3}, numbered({12, 3}, "<f4").data);
    write_npy(dir.file("q.npy"), q.shape, q.data);
    auto src = make_file_source({{"keys", dir.file("k.npy")}, {"queries", dir.file("q.npy")}});
    const auto* file = dynamic_cast<const FileSource*>(src.get());
    ASSERT_NE(file, nullptr);
    EXPECT_TRUE(file->has_probe_set());
    EXPECT_FALSE(file->has_query_file());

    // More probes asked than the set holds: all of them, once each, in file order.
    const Matrix all = src->probe_queries(256, 5);
    ASSERT_EQ(all.rows(), 5);
    for (Index r = 0; r < 5; ++r)
        EXPECT_EQ(row_of(all, r), slice_row(q, 0, r)) << r;
    EXPECT_EQ(src->probe_queries(5, 9), all) << "count == m is the whole set whatever the seed";

    // Fewer: distinct rows of the set, seeded, in file order.
    const Matrix three = src->probe_queries(3, 5);
    ASSERT_EQ(three.rows(), 3);
    std::vector<Index> picked;
    for (Index r = 0; r < 3; ++r) {
        for (Index t = 0; t < 5; ++t) {
            if (row_of(three, r) == slice_row(q, 0, t)) picked.push_back(t);
        }
    }
    ASSERT_EQ(picked.size(), 3u);
    EXPECT_TRUE(std::is_sorted(picked.begin(), picked.end()));
    EXPECT_EQ(std::set<Index>(picked.begin(), picked.end()).size(), 3u);
    EXPECT_EQ(src->probe_queries(3, 5), three);

    // The stream's queries are random directions at the median key norm, never probe rows.
    const TokenBatch b = src->next(12);
    ASSERT_EQ(b.queries.rows(), 12);
    for (Index t = 0; t < 12; ++t) {
        EXPECT_NEAR(b.queries.row(t).norm(), file->median_key_norm(), 1e-4);
        for (Index r = 0; r < 5; ++r)
            EXPECT_NE(row_of(b.queries, t), slice_row(q, 0, r));
    }
}

TEST(FileSource, ProbeSetMayBeLongerThanTheStream) {
    TempDir dir;
    const NdArray q = numbered({2, 40, 3}, "<f4", 0.5f);
    write_npy(dir.file("k.npy"), {2, 6, 3}, numbered({2, 6, 3}, "<f4").data);
    write_npy(dir.file("q.npy"), q.shape, q.data);
    auto src = make_file_source(
        {{"keys", dir.file("k.npy")}, {"queries", dir.file("q.npy")}, {"head", 1}});
    const Matrix probes = src->probe_queries(256, 1);
    ASSERT_EQ(probes.rows(), 40);
    EXPECT_EQ(row_of(probes, 39), slice_row(q, 1, 39)) << "the selected head's probe set";
}

TEST(FileSource, QueriesRoleChoosesBetweenPerTokenAndProbes) {
    TempDir dir;
    const NdArray q = numbered({6, 3}, "<f4", 0.25f);
    write_npy(dir.file("k.npy"), {6, 3}, numbered({6, 3}, "<f4").data);
    write_npy(dir.file("q.npy"), q.shape, q.data);
    write_npy(dir.file("q4.npy"), {4, 3}, numbered({4, 3}, "<f4").data);
    const json base = {{"keys", dir.file("k.npy")}, {"queries", dir.file("q.npy")}};

    // Same row count: per token by default, a probe set when the config says so.
    auto per_token = make_file_source(base);
    EXPECT_TRUE(dynamic_cast<const FileSource&>(*per_token).has_query_file());
    json probes = base;
    probes["queries_role"] = "probes";
    auto as_probes = make_file_source(probes);
    EXPECT_TRUE(dynamic_cast<const FileSource&>(*as_probes).has_probe_set());
    EXPECT_EQ(as_probes->probe_queries(100, 3).rows(), 6);
    EXPECT_EQ(per_token->probe_queries(100, 3).rows(), 100) << "per-token draws with replacement";

    json forced = base;
    forced["queries"] = dir.file("q4.npy");
    forced["queries_role"] = "per_token";
    EXPECT_LOAD_ERROR(make_file_source(forced), dir.file("q4.npy"), "needs one query per token");
    forced["queries_role"] = "sideways";
    EXPECT_THAT(test::error_of([&] { make_file_source(forced); }), HasSubstr("queries_role"));
}

TEST(FileSource, ProbeSetWithNonFiniteRowsOrWrongWidthIsRefused) {
    TempDir dir;
    write_npy(dir.file("k.npy"), {6, 3}, numbered({6, 3}, "<f4").data);
    NdArray q = numbered({4, 3}, "<f4");
    q.data[2 * 3 + 1] = std::numeric_limits<float>::quiet_NaN();
    write_npy(dir.file("q.npy"), q.shape, q.data);
    EXPECT_LOAD_ERROR(
        make_file_source({{"keys", dir.file("k.npy")}, {"queries", dir.file("q.npy")}}),
        dir.file("q.npy"), "non-finite value (NaN or inf); first at token 2, column 1");
    write_npy(dir.file("w.npy"), {4, 5}, numbered({4, 5}, "<f4").data);
    EXPECT_LOAD_ERROR(
        make_file_source({{"keys", dir.file("k.npy")}, {"queries", dir.file("w.npy")}}),
        dir.file("w.npy"), "need the keys' dimension");
}

// Issue 13: `kvscope gui K.npy` with no values file says it uses V = K instead of doing so
// silently, and takes the values and queries files that lie beside the keys.
TEST(OpenDataFile, TakesTheValuesAndQueriesBesideTheKeys) {
    TempDir dir;
    for (const char* name : {"layer0_keys.npy", "layer0_values.npy", "layer0_queries.npy"})
        write_npy(dir.file(name), {4, 2}, numbered({4, 2}, "<f4").data);
    const DataFileOpening both = open_data_file(dir.file("layer0_keys.npy"));
    EXPECT_EQ(both.params["values"], dir.file("layer0_values.npy"));
    EXPECT_EQ(both.params["queries"], dir.file("layer0_queries.npy"));
    EXPECT_THAT(both.note, HasSubstr("values from layer0_values.npy"));
    EXPECT_THAT(both.note, HasSubstr("queries from layer0_queries.npy"));
    EXPECT_NO_THROW(make_file_source(both.params));

    for (const char* name : {"K.npy", "V.npy"})
        write_npy(dir.file(name), {4, 2}, numbered({4, 2}, "<f4").data);
    const DataFileOpening letters = open_data_file(dir.file("K.npy"));
    EXPECT_EQ(letters.params["values"], dir.file("V.npy"));
    EXPECT_FALSE(letters.params.contains("queries"));
    EXPECT_THAT(letters.note, HasSubstr("queries are random directions"));
}

TEST(OpenDataFile, SaysSoWhenTheValuesAreTheKeys) {
    TempDir dir;
    write_npy(dir.file("cache.npy"), {4, 2}, numbered({4, 2}, "<f4").data);
    const DataFileOpening alone = open_data_file(dir.file("cache.npy"));
    EXPECT_EQ(alone.params, json({{"keys", dir.file("cache.npy")}}));
    EXPECT_THAT(alone.note, HasSubstr("the values are the keys (V = K)"));

    write_npz(dir.file("kv.npz"), {{"keys", numbered({4, 2}, "<f4")}}, false);
    const DataFileOpening npz = open_data_file(dir.file("kv.npz"));
    EXPECT_EQ(npz.params, json({{"keys", dir.file("kv.npz")}}));
    EXPECT_THAT(npz.note, HasSubstr("'values' tensor"));
}

TEST(FileSource, InputFilesCarryHashAndSize) {
    TempDir dir;
    const std::string kv = dir.file("kv.npz");
    write_npz(kv, {{"keys", numbered({4, 2}, "<f4")}, {"values", numbered({4, 2}, "<f4")}}, false);
    auto same = make_file_source({{"keys", kv}, {"values", kv}});
    const auto files = same->input_files();
    ASSERT_EQ(files.size(), 1u);
    EXPECT_EQ(files[0].path, kv);
    EXPECT_EQ(files[0].sha256, sha256_file(kv).sha256);
    EXPECT_EQ(files[0].bytes, test::read_all(kv).size());

    write_npy(dir.file("q.npy"), {4, 2}, numbered({4, 2}, "<f4").data);
    auto two = make_file_source({{"keys", kv}, {"queries", dir.file("q.npy")}});
    ASSERT_EQ(two->input_files().size(), 2u);
    EXPECT_EQ(two->input_files()[1].path, dir.file("q.npy"));
}

TEST(FileSource, BadParametersAndFiles) {
    TempDir dir;
    EXPECT_THAT(test::error_of([] { make_file_source(json::object()); }),
                HasSubstr("'keys' is required"));
    test::write_text(dir.file("k.txt"), "1,2\n");
    EXPECT_LOAD_ERROR(make_file_source({{"keys", dir.file("k.txt")}}), dir.file("k.txt"),
                      "unsupported file extension");
    EXPECT_LOAD_ERROR(make_file_source({{"keys", dir.file("absent.npy")}}), dir.file("absent.npy"),
                      "cannot open");
    write_npz(dir.file("kv.npz"), {{"keys", numbered({4, 2}, "<f4")}}, true);
    EXPECT_LOAD_ERROR(make_file_source({{"keys", dir.file("kv.npz")}}), dir.file("kv.npz"),
                      "missing tensor 'values' (available: keys)");
    auto src = make_file_source({{"keys", dir.file("kv.npz")}, {"values_tensor", "keys"}});
    EXPECT_THROW(src->next(-1), std::invalid_argument);
}

}  // namespace
}  // namespace kvscope
