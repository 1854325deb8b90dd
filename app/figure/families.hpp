// Which sketch instances belong together, and what to call them (docs/algorithms.md §3.3).
//
// Labels: an instance is named by its label followed by every parameter whose value differs
// between the instances of the same sketch in the scene, defaults included ("uniform
// budget=256" beside "uniform budget=512"), then, unless the instance has a label of its own
// (the author's name for it), the parameters it sets away from their defaults while the name
// stays short. Distinguishing parameters are never cut.
//
// Families: instances of one sketch and label that differ only in one swept numeric parameter
// form a family: "uniform budget=256…2048". The swept parameter is the numeric one with the
// most distinct values among the instances (a size knob such as budget, batch or degree wins a
// tie); the other differing parameters split the instances into families, and instances that
// differ only in a text parameter (a compressor, a mode) are families of their own. Each family
// gets one qualitative hue and a sequential ramp over its members in swept order; families past
// the eighth hue repeat hues with their own marker and dash.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "figure/colour.hpp"
#include "figure/display_list.hpp"
#include "figure/run_table.hpp"

namespace kvscope::figure {

/// One sketch instance as the figures see it.
struct InstanceDesc {
    int id = 0;
    std::string sketch;
    std::string label;
    std::string params;  ///< "key=value;..." as in metrics.csv
};

using ParamList = std::vector<std::pair<std::string, std::string>>;
/// "a=1;b=x" as ordered pairs (a field without '=' is skipped).
ParamList parse_params(const std::string& text);

/// The instances of a table, in order of first appearance.
std::vector<InstanceDesc> table_instances(const RunTable& table);

/// For each instance (same order): the parameter keys whose values differ between the
/// instances of the same sketch id.
std::vector<std::vector<std::string>> distinguishing_keys(const std::vector<InstanceDesc>& all);

/// For each instance (same order): its name in the scene (see the header comment).
std::vector<std::string> instance_labels(const std::vector<InstanceDesc>& all);

struct Family {
    std::string key;  ///< stable: sketch, label and the fixed distinguishing parameters
    std::string sketch;
    std::string name;          ///< "uniform budget=256…2048", or a single member's instance label
    std::string swept;         ///< the swept parameter, "" when nothing is swept
    std::vector<int> members;  ///< instance ids, in swept order (then by id)
    std::vector<double> swept_values;  ///< aligned with members (NaN when not swept)
    int hue = 0;
    MarkerShape marker = MarkerShape::Circle;  ///< point shape (differs once hues repeat)
    Dash dash = Dash::Solid;                   ///< line dash (differs once hues repeat)
};

struct Families {
    std::vector<Family> families;
    /// instance id -> (family index, rank in the family)
    std::map<int, std::pair<int, int>> where;
    /// instance id -> its name in the scene
    std::map<int, std::string> labels;

    /// Colour of an instance against `ground` (its family's ramp), grey when unknown.
    Rgba colour(int instance, Rgba ground) const;
    /// The family of an instance, or nullptr.
    const Family* family_of(int instance) const;
    /// The instance's label ("instance N" when unknown).
    std::string label(int instance) const;
};

/// Groups instances into families (see the header comment).
Families group_families(const std::vector<InstanceDesc>& all);
/// One family per distinct value of the text column `column` of `table` (members by id; the
/// caller orders them), or one per instance when `column` is "instance".
Families group_by_column(const std::vector<InstanceDesc>& all, const RunTable& table,
                         const std::string& column);

}  // namespace kvscope::figure
