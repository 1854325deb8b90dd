#include "session/run_output.hpp"

#include <fstream>
#include <stdexcept>

#include "session/events.hpp"

namespace kvscope {

std::string metrics_csv(const Session& session) {
    return metrics_csv(session.history().span(), session.config().timing);
}

std::string metrics_csv(std::span<const MetricRow> rows, bool timing) {
    std::string out;
    const auto& cols = metric_columns();
    for (std::size_t i = 0; i < cols.size(); ++i)
        out += (i ? "," : "") + cols[i];
    out += '\n';
    for (const auto& row : rows) {
        out += metric_csv_line(row, timing);
        out += '\n';
    }
    return out;
}

namespace {

using nlohmann::json;

json input_files_json(const Session& session) {
    json files = json::array();
    for (const auto& f : session.source().input_files()) {
        files.push_back({{"path", f.path}, {"sha256", f.sha256}, {"bytes", f.bytes}});
    }
    return files;
}

json sketch_instances_json(const Session& session) {
    json instances = json::array();
    for (std::size_t i = 0; i < session.sketches().size(); ++i) {
        const auto& s = session.sketches()[i];
        json inst = {{"instance", i},
                     {"sketch", s.spec.id},
                     {"label", s.spec.label},
                     {"params", s.spec.params.to_json(s.info->params)},
                     {"seed", s.spec.seed}};
        if (!s.error.empty()) inst["error"] = s.error;
        instances.push_back(inst);
    }
    return instances;
}

// Sketch::warnings() of every instance at the end of the run.
json warnings_json(const Session& session) {
    json warnings = json::array();
    for (std::size_t i = 0; i < session.sketches().size(); ++i) {
        const auto& s = session.sketches()[i];
        for (const std::string& w : s.sketch->warnings())
            warnings.push_back({{"instance", i}, {"label", s.spec.label}, {"message", w}});
    }
    return warnings;
}

// The stream's logit bound B = beta R Q with its inputs (metrics/logit_bound.hpp), so that
// `kvscope plot` can draw the theory curves at the run's own B.
json logit_bound_json(const Session& session) {
    const LogitBoundInputs& b = session.logit_bound();
    return {{"B", b.B()},
            {"beta", b.beta},
            {"key_radius", b.key_radius},
            {"query_norm", b.query_norm},
            {"centre_tokens", b.centre_tokens}};
}

}  // namespace

json run_manifest(const Session& session, bool interrupted) {
    const RunConfig& c = session.config();
    json m;
    m["kvscope_version"] = KVSCOPE_VERSION;
    m["schema_version"] = kSchemaVersion;
    m["seed"] = c.seed;
    m["beta"] = session.beta();
    m["dim"] = session.dim();
    m["value_dim"] = session.value_dim();
    m["tokens_seen"] = session.tokens_seen();
    m["tokens_target"] = session.tokens_target();
    m["probe_count"] = session.probes().rows();  // below probe_queries for a smaller probe set
    m["logit_bound"] = logit_bound_json(session);
    m["interrupted"] = interrupted;
    m["config"] = to_json(c);
    m["source_params_resolved"] = resolved_source_params(c);
    m["input_files"] = input_files_json(session);
    m["sketch_instances"] = sketch_instances_json(session);
    m["warnings"] = warnings_json(session);
    m["columns"] = metric_columns();
    m["events"] = events_json(session_events(session));
    return m;
}

json source_instance_manifest(const Session& session, std::size_t index) {
    json failed = json::array();
    for (std::size_t i = 0; i < session.sketches().size(); ++i) {
        const auto& s = session.sketches()[i];
        if (!s.error.empty())
            failed.push_back({{"instance", i}, {"label", s.spec.label}, {"error", s.error}});
    }
    return {{"index", index},
            {"label", session.config().source_label},
            {"source_params_resolved", resolved_source_params(session.config())},
            {"input_files", input_files_json(session)},
            {"dim", session.dim()},
            {"value_dim", session.value_dim()},
            {"beta", session.beta()},
            {"logit_bound", logit_bound_json(session)},
            {"tokens_seen", session.tokens_seen()},
            {"tokens_target", session.tokens_target()},
            {"warnings", warnings_json(session)},
            {"failed_sketches", failed},
            {"events", events_json(session_events(session))}};
}

json swept_run_manifest(const RunConfig& swept, const json& source_instances,
                        std::size_t source_instance_count, const Session& last, bool interrupted) {
    json m;
    m["kvscope_version"] = KVSCOPE_VERSION;
    m["schema_version"] = kSchemaVersion;
    m["seed"] = swept.seed;
    m["interrupted"] = interrupted;
    m["config"] = to_json(swept);
    m["source_instance_count"] = source_instance_count;
    m["source_instances"] = source_instances;
    // The sketches are the same on every source instance (their seeds too); errors are per
    // source instance, under "failed_sketches".
    json sketches = sketch_instances_json(last);
    for (auto& s : sketches)
        s.erase("error");
    m["sketch_instances"] = sketches;
    m["columns"] = metric_columns();
    return m;
}

namespace {

void write_file(const std::filesystem::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
    if (!out) throw std::runtime_error(path.string() + ": cannot write file");
}

}  // namespace

void write_run_output(const Session& session, const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec)
        throw std::runtime_error(dir.string() + ": cannot create output folder (" + ec.message() +
                                 ")");
    write_file(dir / "metrics.csv", metrics_csv(session));
    write_run_manifest(session, dir, false);
}

void write_run_manifest(const Session& session, const std::filesystem::path& dir,
                        bool interrupted) {
    write_file(dir / "manifest.json", run_manifest(session, interrupted).dump(2) + "\n");
}

MetricsCsvWriter::MetricsCsvWriter(const std::filesystem::path& dir, bool timing)
    : path_(dir / "metrics.csv"), out_(path_, std::ios::binary | std::ios::trunc), timing_(timing) {
    out_ << metrics_csv(std::span<const MetricRow>(), timing_);
    out_.flush();
    if (!out_) throw std::runtime_error(path_.string() + ": cannot write file");
}

MetricsCsvWriter::MetricsCsvWriter(const std::filesystem::path& dir, bool timing,
                                   const std::vector<std::string>& kept)
    : MetricsCsvWriter(dir, timing) {
    std::string text;
    for (const std::string& record : kept)
        text += record + '\n';
    out_.write(text.data(), static_cast<std::streamsize>(text.size()));
    out_.flush();
    if (!out_) throw std::runtime_error(path_.string() + ": cannot write file");
    written_ = kept.size();
}

void MetricsCsvWriter::append_new(const Session& session) {
    const std::span<const MetricRow> rows = session.history().span();
    if (rows.size() <= session_written_) return;
    // Whole lines only, flushed together: a run stopped between two calls leaves no line cut
    // short (a reader polling meanwhile reads up to the last newline).
    std::string text;
    for (std::size_t i = session_written_; i < rows.size(); ++i) {
        if (instances_.empty()) {
            text += metric_csv_line(rows[i], timing_);
        } else {
            MetricRow row = rows[i];
            row.instance = instances_.at(static_cast<std::size_t>(row.instance));
            text += metric_csv_line(row, timing_);
        }
        text += '\n';
    }
    out_.write(text.data(), static_cast<std::streamsize>(text.size()));
    out_.flush();
    if (!out_) throw std::runtime_error(path_.string() + ": cannot write file");
    written_ += rows.size() - session_written_;
    session_written_ = rows.size();
}

}  // namespace kvscope
