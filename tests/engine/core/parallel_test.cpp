// parallel_for: every index exactly once on any thread count, and the lowest failing index's
// exception after every task ran.
#include "core/parallel.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

namespace kvscope {
namespace {

TEST(ParallelFor, EveryIndexRunsOnceOnAnyThreadCount) {
    for (int threads : {1, 2, 3, 16}) {
        std::vector<std::atomic<int>> hits(37);
        parallel_for(hits.size(), threads, [&](std::size_t i) { ++hits[i]; });
        for (std::size_t i = 0; i < hits.size(); ++i)
            EXPECT_EQ(hits[i].load(), 1) << "index " << i << " on " << threads << " threads";
    }
    int calls = 0;
    parallel_for(0, 4, [&](std::size_t) { ++calls; });
    EXPECT_EQ(calls, 0);
    EXPECT_GE(default_thread_count(), 1);
}

TEST(ParallelFor, TheLowestFailingIndexIsRethrownAfterEveryTaskRan) {
    for (int threads : {1, 3}) {
        std::atomic<int> ran{0};
        try {
            parallel_for(10, threads, [&](std::size_t i) {
                ++ran;
                if (i == 7 || i == 4) throw std::runtime_error("task " + std::to_string(i));
            });
            ADD_FAILURE() << "no exception";
        } catch (const std::runtime_error& e) {
            EXPECT_STREQ(e.what(), "task 4");
        }
        EXPECT_EQ(ran.load(), 10);
    }
}

}  // namespace
}  // namespace kvscope
