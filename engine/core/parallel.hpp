// Work spread over threads with results that do not depend on the thread count: each index is
// one independent task (a sketch instance appending a block, an instance's evaluation), and
// whatever a task writes belongs to that index alone, so the outcome is the same on 1 thread or
// many. Used by the Session to run its sketch instances side by side.
#pragma once

#include <cstddef>
#include <functional>

namespace kvscope {

/// The threads `kvscope run` uses by default: the machine's hardware threads (at least 1).
int default_thread_count();

/// Calls task(i) for every i in [0, count) on up to `threads` threads (the caller's among them)
/// and returns when all are done. Tasks are handed out in index order. If tasks throw, every
/// task still runs and the exception of the lowest index is rethrown.
void parallel_for(std::size_t count, int threads, const std::function<void(std::size_t)>& task);

}  // namespace kvscope
