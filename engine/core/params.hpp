// Parameters as data: every sketch and source declares its parameters as ParamSpecs. The explorer
// builds widgets from them, the CLI validates configs with them, and CSVs name columns after keys.
#pragma once

#include <map>
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
    std::string default_text;          ///< default for Choice, Text, Path

    static ParamSpec integer(std::string key, std::string label, std::string help, double min,
                             double max, double def, bool log_scale = false);
    static ParamSpec real(std::string key, std::string label, std::string help, double min,
                          double max, double def, bool log_scale = false);
    static ParamSpec boolean(std::string key, std::string label, std::string help, bool def);
    static ParamSpec choice(std::string key, std::string label, std::string help,
                            std::vector<std::string> choices, std::string def);
    static ParamSpec text(std::string key, std::string label, std::string help, std::string def);
    static ParamSpec path(std::string key, std::string label, std::string help);

    bool is_numeric() const {
        return kind == ParamKind::Int || kind == ParamKind::Float || kind == ParamKind::Bool;
    }
};

/// Resolved parameter values: every spec's key is present, validated against its spec.
class ParamSet {
  public:
    ParamSet() = default;

    /// Defaults of every spec.
    static ParamSet defaults(const std::vector<ParamSpec>& specs);
    /// Defaults overridden by `values` (a JSON object). Throws std::invalid_argument naming
    /// `owner`, the key and the allowed range for an unknown key, a wrong type or a value out of
    /// range.
    static ParamSet from_json(const std::vector<ParamSpec>& specs, const nlohmann::json& values,
                              const std::string& owner);

    double number(const std::string& key) const;
    long long integer(const std::string& key) const;
    bool flag(const std::string& key) const;
    const std::string& text(const std::string& key) const;
    bool has(const std::string& key) const;

    /// Sets a value after checking it against `spec` (throws std::invalid_argument).
    void set_number(const ParamSpec& spec, double value, const std::string& owner);
    void set_text(const ParamSpec& spec, const std::string& value, const std::string& owner);

    /// Values as JSON (numbers as int where the spec is Int, bools as bool).
    nlohmann::json to_json(const std::vector<ParamSpec>& specs) const;
    /// "key=value;key=value" in spec order, for the CSV `params` column.
    std::string to_compact_string(const std::vector<ParamSpec>& specs) const;

    bool operator==(const ParamSet& other) const = default;

  private:
    std::map<std::string, double> numbers_;
    std::map<std::string, std::string> texts_;
};

/// Finds a spec by key, or nullptr.
const ParamSpec* find_spec(const std::vector<ParamSpec>& specs, const std::string& key);

/// Formats a number the way configs and CSVs print it (shortest round-trip form).
std::string format_number(double value);

}  // namespace kvscope
