// The metric history of a run, stored so that snapshots share it instead of copying it: rows
// live in an append-only buffer, the Session appends in place, and a snapshot keeps a pointer to
// the buffer and the row count it saw. Rows below any published count never change, so readers
// on another thread need no lock (the snapshot's publication orders the writes before them).
// Anything that rewrites rows (an edit's replay, a removed or moved sketch) starts a new buffer,
// and so does an append that finds the buffer full (capacity doubles), so appends are amortised
// O(1) and a published snapshot never sees a row change.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "core/types.hpp"
#include "metrics/error_metrics.hpp"

namespace kvscope {

/// One row of the metric history: one sketch instance at one evaluation step.
struct MetricRow {
    int instance = 0;
    std::string sketch;
    std::string label;
    std::string params;
    std::string source_params;  ///< the source instance of a source sweep ("layer=1;head=3"), or ""
    std::uint64_t seed = 0;
    Index tokens_seen = 0;
    Index retained_tokens = 0;
    double memory_floats = 0;
    double memory_bytes = 0;
    double compression = 0;  ///< memory_floats / (tokens_seen (d + d_v))
    ErrorSummary errors;
    double mass_recall = 0;  ///< NaN for sketches that are not a subset of the stream
    double update_us = 0;    ///< mean microseconds per appended token since the last row
    double query_us = 0;     ///< microseconds per probe query of this evaluation
};

/// Storage shared by a MetricHistory and the MetricRows published from it.
struct MetricRowBuffer {
    explicit MetricRowBuffer(std::size_t capacity_rows);
    std::unique_ptr<MetricRow[]> rows;  ///< [capacity], default rows beyond the writer's count
    std::size_t capacity = 0;
    std::uint64_t id = 0;  ///< unique per buffer in the process
};

/// An immutable prefix of a history buffer: what a snapshot holds. Copying it is a pointer copy.
class MetricRows {
  public:
    MetricRows() = default;
    /// Rows in a buffer of their own (tests, tools).
    explicit MetricRows(const std::vector<MetricRow>& rows);
    MetricRows(std::shared_ptr<const MetricRowBuffer> buffer, std::size_t count);

    const MetricRow* begin() const { return buffer_ ? buffer_->rows.get() : nullptr; }
    const MetricRow* end() const { return begin() + count_; }
    std::size_t size() const { return count_; }
    bool empty() const { return count_ == 0; }
    const MetricRow& operator[](std::size_t i) const { return begin()[i]; }
    const MetricRow& front() const { return begin()[0]; }
    const MetricRow& back() const { return begin()[count_ - 1]; }
    std::span<const MetricRow> span() const { return {begin(), count_}; }
    /// The buffer's id (0 when empty): equal ids and counts mean equal rows.
    std::uint64_t buffer_id() const { return buffer_ ? buffer_->id : 0; }

  private:
    std::shared_ptr<const MetricRowBuffer> buffer_;
    std::size_t count_ = 0;
};

/// The Session's history: appends in place, rewrites into a new buffer.
class MetricHistory {
  public:
    void append(MetricRow row);
    /// Replaces every row (a new buffer; published rows stay as they were).
    void assign(std::vector<MetricRow> rows);
    void clear() { assign({}); }
    /// The rows so far, shared (no copy).
    MetricRows rows() const { return {buffer_, count_}; }
    /// A copy of the rows, for edits that rewrite them.
    std::vector<MetricRow> to_vector() const { return {begin(), end()}; }

    const MetricRow* begin() const { return buffer_ ? buffer_->rows.get() : nullptr; }
    const MetricRow* end() const { return begin() + count_; }
    std::size_t size() const { return count_; }
    bool empty() const { return count_ == 0; }
    const MetricRow& operator[](std::size_t i) const { return begin()[i]; }
    const MetricRow& back() const { return begin()[count_ - 1]; }
    std::span<const MetricRow> span() const { return {begin(), count_}; }

  private:
    std::shared_ptr<MetricRowBuffer> buffer_;
    std::size_t count_ = 0;
};

}  // namespace kvscope
