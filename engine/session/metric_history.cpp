#include "session/metric_history.hpp"

#include <algorithm>
#include <atomic>

namespace kvscope {

namespace {

constexpr std::size_t kMinCapacity = 256;

std::uint64_t next_buffer_id() {
    static std::atomic<std::uint64_t> next{1};
    return next.fetch_add(1, std::memory_order_relaxed);
}

std::shared_ptr<MetricRowBuffer> buffer_with(const MetricRow* first, std::size_t count,
                                             std::size_t capacity) {
    auto buffer = std::make_shared<MetricRowBuffer>(std::max(capacity, kMinCapacity));
    std::copy(first, first + count, buffer->rows.get());
    return buffer;
}

}  // namespace

MetricRowBuffer::MetricRowBuffer(std::size_t capacity_rows)
    : rows(new MetricRow[capacity_rows]), capacity(capacity_rows), id(next_buffer_id()) {}

MetricRows::MetricRows(const std::vector<MetricRow>& rows)
    : buffer_(buffer_with(rows.data(), rows.size(), rows.size())), count_(rows.size()) {}

MetricRows::MetricRows(std::shared_ptr<const MetricRowBuffer> buffer, std::size_t count)
    : buffer_(std::move(buffer)), count_(buffer_ ? count : 0) {}

void MetricHistory::append(MetricRow row) {
    // A full buffer is never written again: snapshots may still read it.
    if (!buffer_ || count_ == buffer_->capacity) buffer_ = buffer_with(begin(), count_, 2 * count_);
    buffer_->rows[count_] = std::move(row);
    ++count_;
}

void MetricHistory::assign(std::vector<MetricRow> rows) {
    auto buffer = std::make_shared<MetricRowBuffer>(std::max(2 * rows.size(), kMinCapacity));
    std::move(rows.begin(), rows.end(), buffer->rows.get());
    buffer_ = std::move(buffer);
    count_ = rows.size();
}

}  // namespace kvscope
