#include "session/source_sweep_run.hpp"

#include <map>
#include <stdexcept>

#include "session/session.hpp"

namespace kvscope {

SourceSweepRun::SourceSweepRun(const RunConfig& swept) : swept_(swept) {
    if (swept_.source_sweep.empty())
        throw std::invalid_argument("source sweep: the config sweeps no source parameter");
    for (const auto& spec : expand_sources(swept_))
        progress_.labels.push_back(spec.label);
    progress_.total = progress_.labels.size();
    numeric_ = numeric_sweep_values(swept_);
    key_ = single_sweep_key(swept_);
    worker_ = std::thread([this] { work(); });
}

SourceSweepRun::~SourceSweepRun() {
    stop_ = true;
    if (worker_.joinable()) worker_.join();
}

SourceSweepProgress SourceSweepRun::progress() const {
    const std::lock_guard lock(mutex_);
    return progress_;
}

void SourceSweepRun::work() {
    for (std::size_t i = 0; i < progress_.total && !stop_; ++i) {
        try {
            Session session(config_for_source(swept_, i), builtin_sketches(),
                            StreamStorage::Discard);
            while (!session.finished() && !stop_)
                session.advance(4096);
            if (stop_) return;
            session.evaluate_now();
            // The last row of every sketch instance (the history is in evaluation order).
            std::map<int, MetricRow> last;
            for (const MetricRow& r : session.history())
                last[r.instance] = r;
            const std::lock_guard lock(mutex_);
            for (auto& [inst, row] : last)
                progress_.final_rows.push_back(row);
            ++progress_.done;
        } catch (const std::exception& e) {
            const std::lock_guard lock(mutex_);
            progress_.error = "source instance " + progress_.labels[i] + ": " + e.what();
            return;
        }
    }
}

std::string single_sweep_key(const RunConfig& swept) {
    return swept.source_sweep.is_object() && swept.source_sweep.size() == 1
               ? swept.source_sweep.begin().key()
               : std::string();
}

std::vector<double> numeric_sweep_values(const RunConfig& swept) {
    const std::string key = single_sweep_key(swept);
    if (key.empty()) return {};
    std::vector<double> values;
    for (const auto& spec : expand_sources(swept)) {
        const auto it = spec.params.find(key);
        if (it == spec.params.end() || !it->is_number()) return {};
        values.push_back(it->get<double>());
    }
    return values;
}

}  // namespace kvscope
