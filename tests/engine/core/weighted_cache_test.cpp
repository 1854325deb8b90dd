// WeightedCache: the blocked estimate equals the direct weighted sums.
#include "core/weighted_cache.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "test_support.hpp"

namespace kvscope {
namespace {

TEST(WeightedCache, EstimateOverSeveralKeyBlocksMatchesADirectSum) {
    // 5,000 tokens (three key blocks) with uneven weights and logits in the hundreds: N and Z,
    // rescaled by exp(shift), equal the weighted sums computed directly in long double.
    const TokenBatch b = test::random_batch(5000, 6, 3, 4, 10.0);
    WeightedCache cache(6, 3);
    for (Index i = 0; i < b.size(); ++i)
        cache.push(b.keys.row(i).data(), b.values.row(i).data(), 1.0 + (i % 7), 0.5 + (i % 3), i);
    const Matrix q = test::random_batch(4, 6, 3, 5, 10.0).keys;
    const double beta = 1.0;
    const EstimateBatch e = cache.estimate(q, beta);
    for (Index p = 0; p < q.rows(); ++p) {
        long double max_logit = -INFINITY;
        for (Index i = 0; i < b.size(); ++i)
            max_logit = std::max<long double>(
                max_logit, beta * b.keys.row(i).cast<double>().dot(q.row(p).cast<double>()));
        long double den = 0;
        Eigen::VectorXd num = Eigen::VectorXd::Zero(3);
        for (Index i = 0; i < b.size(); ++i) {
            const long double w = std::exp(
                beta * b.keys.row(i).cast<double>().dot(q.row(p).cast<double>()) - max_logit);
            den += w * (0.5 + (i % 3));
            num += static_cast<double>(w * (1.0 + (i % 7))) *
                   b.values.row(i).cast<double>().transpose();
        }
        const double scale = std::exp(e.shift[p] - static_cast<double>(max_logit));
        EXPECT_NEAR(e.den[p] * scale / static_cast<double>(den), 1.0, 1e-10);
        EXPECT_LT((e.num.row(p).transpose() * scale - num).norm(), 1e-10 * num.norm());
    }
}

}  // namespace
}  // namespace kvscope
