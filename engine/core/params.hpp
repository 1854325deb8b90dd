// Parameters as data: every sketch and source declares its parameters as ParamSpecs. The explorer
// builds widgets from them, the CLI validates configs with them, and CSVs name columns after keys.
// A parameter may itself be a sketch (ParamKind::Sketch: an id plus that sketch's own typed
// parameters): composite sketches (sinks_window's middle, lsh_partition's bucket summaries,
// hybrid's moments) build their parts from such a value through make_child_sketch
// (core/registry.hpp), never from JSON strings.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace kvscope {

enum class ParamKind {
    Int,     ///< whole number in [min, max]
    Float,   ///< real number in [min, max]
    Bool,    ///< true / false
    Choice,  ///< one of `choices`
    Text,    ///< free text (a tensor name)
    Path,    ///< a file path; relative paths in a config resolve against the config's folder
    Sketch,  ///< a nested sketch: one of `choices` (registered ids) plus its own parameters
};

const char* to_string(ParamKind kind);

struct ParamSpec {
    std::string key;    ///< stable snake_case id used in configs and CSVs
    std::string label;  ///< short human label for widgets
    std::string help;   ///< one or two sentences shown as a tooltip and by `kvscope list`
    ParamKind kind = ParamKind::Float;
    double min = 0;
    double max = 0;
    double default_number = 0;         ///< default for Int, Float, Bool (0/1)
    bool log_scale = false;            ///< widgets use a logarithmic slider
    std::vector<std::string> choices;  ///< for Choice
    std::string default_text;          ///< default for Choice, Text, Path; default id for Sketch
    /// For Sketch: the parameter specs of a registered sketch id (throws std::invalid_argument
    /// for an unknown id). Set by sketch_param (core/registry.hpp).
    std::function<const std::vector<ParamSpec>&(const std::string& id)> child_specs;
    /// Keys this parameter replaced; a config that still uses one gets an error naming this key.
    std::vector<std::string> replaces;

    static ParamSpec integer(std::string key, std::string label, std::string help, double min,
                             double max, double def, bool log_scale = false);
    static ParamSpec real(std::string key, std::string label, std::string help, double min,
                          double max, double def, bool log_scale = false);
    static ParamSpec boolean(std::string key, std::string label, std::string help, bool def);
    static ParamSpec choice(std::string key, std::string label, std::string help,
                            std::vector<std::string> choices, std::string def);
    static ParamSpec text(std::string key, std::string label, std::string help, std::string def);
    static ParamSpec path(std::string key, std::string label, std::string help);

    /// Nested sketch parameter; `ids` are the allowed sketch ids, `lookup` gives their specs.
    static ParamSpec sketch(
        std::string key, std::string label, std::string help, std::vector<std::string> ids,
        std::string def, std::function<const std::vector<ParamSpec>&(const std::string&)> lookup);

    bool is_numeric() const {
        return kind == ParamKind::Int || kind == ParamKind::Float || kind == ParamKind::Bool;
    }
};

struct NestedSketch;

/// Resolved parameter values: every spec's key is present, validated against its spec.
class ParamSet {
  public:
    ParamSet() = default;

    /// Defaults of every spec.
    static ParamSet defaults(const std::vector<ParamSpec>& specs);
    /// Defaults overridden by `values` (a JSON object). Throws std::invalid_argument naming
    /// `owner`, the key and the allowed range for an unknown key, a wrong type or a value out of
    /// range.
    /// A Sketch parameter's value is {"id": ..., "params": {...}} or just the id (its defaults).
    static ParamSet from_json(const std::vector<ParamSpec>& specs, const nlohmann::json& values,
                              const std::string& owner);

    double number(const std::string& key) const;
    long long integer(const std::string& key) const;
    bool flag(const std::string& key) const;
    /// Text of a Choice, Text or Path parameter; the id of a Sketch parameter.
    const std::string& text(const std::string& key) const;
    /// The value of a Sketch parameter (throws std::logic_error for another key).
    const NestedSketch& nested(const std::string& key) const;
    bool has(const std::string& key) const;

    /// Sets a value after checking it against `spec` (throws std::invalid_argument).
    void set_number(const ParamSpec& spec, double value, const std::string& owner);
    /// For a Sketch spec, `value` is the id and its parameters take their defaults.
    void set_text(const ParamSpec& spec, const std::string& value, const std::string& owner);
    /// Sets a Sketch parameter to `value` (its id must be one of the spec's choices).
    void set_nested(const ParamSpec& spec, NestedSketch value, const std::string& owner);

    /// Values as JSON (numbers as int where the spec is Int, bools as bool).
    nlohmann::json to_json(const std::vector<ParamSpec>& specs) const;
    /// "key=value;key=value" in spec order, for the CSV `params` column; a nested sketch prints
    /// as id{key=value;...}.
    std::string to_compact_string(const std::vector<ParamSpec>& specs) const;

    bool operator==(const ParamSet& other) const;

  private:
    std::map<std::string, double> numbers_;
    std::map<std::string, std::string> texts_;
    // Immutable once set, so copies of a ParamSet share them.
    std::map<std::string, std::shared_ptr<const NestedSketch>> nested_;
};

/// The value of a ParamKind::Sketch parameter: which sketch, its specs and its resolved values.
struct NestedSketch {
    std::string id;
    std::vector<ParamSpec> specs;
    ParamSet params;

    /// `id` with every parameter at its default.
    static NestedSketch defaults(std::string id, std::vector<ParamSpec> specs);
    /// Sets one parameter by key (checked against its spec; throws std::invalid_argument).
    NestedSketch& set(const std::string& key, double value);
    NestedSketch& set(const std::string& key, const std::string& value);
    bool operator==(const NestedSketch& other) const {
        return id == other.id && params == other.params;
    }
};

/// Finds a spec by key, or nullptr.
const ParamSpec* find_spec(const std::vector<ParamSpec>& specs, const std::string& key);

/// Formats a number the way configs and CSVs print it (shortest round-trip form).
std::string format_number(double value);

}  // namespace kvscope
