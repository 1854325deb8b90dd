#include "figure/families.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <set>

#include "core/params.hpp"
#include "core/registry.hpp"

namespace kvscope::figure {

namespace {

constexpr std::size_t kShortName = 48;

bool as_number(const std::string& s, double& out) {
    if (s.empty()) return false;
    const char* b = s.data();
    const auto r = std::from_chars(b + (s[0] == '+'), s.data() + s.size(), out);
    return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

std::string value_of(const ParamList& p, const std::string& key) {
    for (const auto& [k, v] : p)
        if (k == key) return v;
    return {};
}

// The sketch's parameters at their defaults, as "key=value" text (empty for unknown ids).
const ParamList& defaults_of(const std::string& sketch) {
    static std::map<std::string, ParamList> cache;
    auto it = cache.find(sketch);
    if (it != cache.end()) return it->second;
    ParamList d;
    if (const SketchInfo* info = builtin_sketches().find(sketch)) {
        d = parse_params(ParamSet::defaults(info->params).to_compact_string(info->params));
    }
    return cache.emplace(sketch, std::move(d)).first->second;
}

// Keys whose values differ among `members` (indices into all), in parameter order.
std::vector<std::string> differing(const std::vector<InstanceDesc>& all,
                                   const std::vector<std::size_t>& members,
                                   const std::vector<ParamList>& parsed) {
    std::vector<std::string> keys;
    for (std::size_t m : members)
        for (const auto& [k, v] : parsed[m])
            if (std::find(keys.begin(), keys.end(), k) == keys.end()) keys.push_back(k);
    std::vector<std::string> out;
    for (const auto& k : keys) {
        std::set<std::string> values;
        for (std::size_t m : members)
            values.insert(value_of(parsed[m], k));
        if (values.size() > 1) out.push_back(k);
    }
    (void)all;
    return out;
}

// `head` ("uniform budget=256") plus the other parameters of `params` set away from their
// defaults while the whole stays short; keys in `shown` are already in the head.
std::string with_non_defaults(std::string head, const std::string& sketch, const ParamList& params,
                              const std::vector<std::string>& shown) {
    const ParamList& def = defaults_of(sketch);
    bool cut = false;
    for (const auto& [k, v] : params) {
        if (std::find(shown.begin(), shown.end(), k) != shown.end()) continue;
        if (def.empty() || value_of(def, k) == v) continue;
        const std::string part = " " + k + "=" + v;
        if (head.size() + part.size() > kShortName) {
            cut = true;
            continue;
        }
        head += part;
    }
    if (cut) head += " …";
    return head;
}

// `base` plus " k=v" for each of `keys` (never cut), then the non-default rest.
std::string compose(const std::string& base, const std::string& sketch, const ParamList& params,
                    const std::vector<std::string>& keys) {
    std::string name = base;
    for (const auto& k : keys)
        name += " " + k + "=" + value_of(params, k);
    // A label of the author's own says what the instance is: its pinned parameters stay off.
    if (base != sketch) return name;
    return with_non_defaults(name, sketch, params, keys);
}

bool knob(const std::string& key) {
    static const std::set<std::string> knobs = {
        "budget",        "batch",       "degree", "bits", "rounds", "inner_budget",
        "bucket_budget", "compress_at", "t",      "s",    "window"};
    return knobs.count(key) > 0;
}

std::string range_text(double lo, double hi) {
    auto fmt = [](double v) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", v);
        return std::string(buf);
    };
    return lo == hi ? fmt(lo) : fmt(lo) + "…" + fmt(hi);
}

void assign_styles(Families& f) {
    static constexpr MarkerShape kMarkers[] = {MarkerShape::Circle, MarkerShape::Square,
                                               MarkerShape::Diamond, MarkerShape::TriangleUp};
    static constexpr Dash kDashes[] = {Dash::Solid, Dash::Dashed, Dash::Dotted, Dash::DashDot};
    for (std::size_t i = 0; i < f.families.size(); ++i) {
        Family& fam = f.families[i];
        fam.hue = static_cast<int>(i % kHueCount);
        const std::size_t cycle = (i / kHueCount) % 4;
        fam.marker = kMarkers[cycle];
        fam.dash = kDashes[cycle];
        for (std::size_t r = 0; r < fam.members.size(); ++r)
            f.where[fam.members[r]] = {static_cast<int>(i), static_cast<int>(r)};
    }
}

// Splits one (sketch, label) group into families.
void split_group(const std::vector<InstanceDesc>& all, const std::vector<std::size_t>& group,
                 const std::vector<ParamList>& parsed, const std::vector<std::string>& labels,
                 Families& out) {
    const std::vector<std::string> varying = differing(all, group, parsed);
    std::string swept;
    std::size_t best = 1;
    for (const auto& k : varying) {
        std::set<double> distinct;
        bool numeric = true;
        for (std::size_t m : group) {
            double v = 0;
            numeric = numeric && as_number(value_of(parsed[m], k), v);
            distinct.insert(v);
        }
        if (!numeric) continue;
        if (distinct.size() > best || (distinct.size() == best && knob(k) && !knob(swept))) {
            best = distinct.size();
            swept = k;
        }
    }
    // Families: equal values of every varying key but the swept one.
    std::map<std::string, std::vector<std::size_t>> by_fixed;
    std::vector<std::string> order;
    for (std::size_t m : group) {
        std::string fixed;
        for (const auto& k : varying)
            if (k != swept) fixed += k + "=" + value_of(parsed[m], k) + ";";
        if (!by_fixed.count(fixed)) order.push_back(fixed);
        by_fixed[fixed].push_back(m);
    }
    for (const auto& fixed : order) {
        std::vector<std::size_t> members = by_fixed[fixed];
        auto swept_value = [&](std::size_t m) {
            double v = std::numeric_limits<double>::quiet_NaN();
            if (!swept.empty()) as_number(value_of(parsed[m], swept), v);
            return v;
        };
        std::stable_sort(members.begin(), members.end(), [&](std::size_t a, std::size_t b) {
            const double va = swept_value(a), vb = swept_value(b);
            if (va != vb && !std::isnan(va) && !std::isnan(vb)) return va < vb;
            return all[a].id < all[b].id;
        });
        Family fam;
        const InstanceDesc& first = all[members.front()];
        fam.sketch = first.sketch;
        fam.key = first.sketch + "|" + first.label + "|" + fixed;
        for (std::size_t m : members) {
            fam.members.push_back(all[m].id);
            fam.swept_values.push_back(swept_value(m));
        }
        if (members.size() == 1) {
            fam.name = labels[members.front()];
        } else {
            fam.swept = swept;
            std::vector<std::string> keys;
            for (const auto& k : varying)
                if (k != swept) keys.push_back(k);
            const ParamList& p = parsed[members.front()];
            std::string head = first.label;
            for (const auto& k : keys)
                head += " " + k + "=" + value_of(p, k);
            if (!swept.empty()) {
                head += " " + swept + "=" +
                        range_text(fam.swept_values.front(), fam.swept_values.back());
                keys.push_back(swept);
            }
            fam.name =
                first.label != first.sketch ? head : with_non_defaults(head, first.sketch, p, keys);
        }
        out.families.push_back(std::move(fam));
    }
}

}  // namespace

ParamList parse_params(const std::string& text) {
    ParamList out;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t end = std::min(text.find(';', start), text.size());
        const std::string field = text.substr(start, end - start);
        const std::size_t eq = field.find('=');
        if (eq != std::string::npos) out.emplace_back(field.substr(0, eq), field.substr(eq + 1));
        start = end + 1;
    }
    return out;
}

std::vector<InstanceDesc> table_instances(const RunTable& table) {
    std::vector<InstanceDesc> out;
    std::set<int> seen;
    const int sk = table.text_column("sketch"), lb = table.text_column("label"),
              pa = table.text_column("params"), sp = table.text_column("source_params");
    for (std::size_t r = 0; r < table.rows(); ++r) {
        if (!seen.insert(table.instance[r]).second) continue;
        // A source sweep's instance names its source too ("uniform budget=64 head=3").
        std::string params = table.cell(pa, r);
        if (!table.cell(sp, r).empty()) params += (params.empty() ? "" : ";") + table.cell(sp, r);
        out.push_back({table.instance[r], table.cell(sk, r), table.cell(lb, r), params});
    }
    return out;
}

std::vector<std::vector<std::string>> distinguishing_keys(const std::vector<InstanceDesc>& all) {
    std::vector<ParamList> parsed;
    for (const auto& d : all)
        parsed.push_back(parse_params(d.params));
    std::map<std::string, std::vector<std::size_t>> by_sketch;
    for (std::size_t i = 0; i < all.size(); ++i)
        by_sketch[all[i].sketch].push_back(i);
    std::vector<std::vector<std::string>> out(all.size());
    for (const auto& [sketch, members] : by_sketch) {
        const auto keys = differing(all, members, parsed);
        for (std::size_t m : members)
            out[m] = keys;
    }
    return out;
}

std::vector<std::string> instance_labels(const std::vector<InstanceDesc>& all) {
    const auto keys = distinguishing_keys(all);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < all.size(); ++i) {
        const std::string base = all[i].label.empty() ? all[i].sketch : all[i].label;
        out.push_back(compose(base, all[i].sketch, parse_params(all[i].params), keys[i]));
    }
    return out;
}

Families group_families(const std::vector<InstanceDesc>& all) {
    Families out;
    const std::vector<std::string> labels = instance_labels(all);
    std::vector<ParamList> parsed;
    for (const auto& d : all)
        parsed.push_back(parse_params(d.params));
    std::vector<std::pair<std::string, std::string>> order;
    std::map<std::pair<std::string, std::string>, std::vector<std::size_t>> groups;
    for (std::size_t i = 0; i < all.size(); ++i) {
        out.labels[all[i].id] = labels[i];
        if (all[i].sketch == "exact") continue;  // the reference: no family, no hue
        const auto key = std::make_pair(all[i].sketch, all[i].label);
        if (!groups.count(key)) order.push_back(key);
        groups[key].push_back(i);
    }
    for (const auto& key : order)
        split_group(all, groups[key], parsed, labels, out);
    assign_styles(out);
    return out;
}

Families group_by_column(const std::vector<InstanceDesc>& all, const RunTable& table,
                         const std::string& column) {
    Families out;
    const std::vector<std::string> labels = instance_labels(all);
    std::map<int, std::string> value;
    const int col = table.text_column(column);
    const int ncol = table.numeric_column(column);
    for (std::size_t r = 0; r < table.rows(); ++r) {
        if (col >= 0) value[table.instance[r]] = table.cell(col, r);
        if (ncol >= 0) {
            char buf[32];
            std::snprintf(buf, sizeof buf, "%g", table.number(ncol, r));
            value[table.instance[r]] = buf;
        }
    }
    std::map<std::string, std::size_t> index;
    for (std::size_t i = 0; i < all.size(); ++i) {
        out.labels[all[i].id] = labels[i];
        if (all[i].sketch == "exact") continue;
        const std::string v =
            column == "instance" ? labels[i] + "#" + std::to_string(all[i].id) : value[all[i].id];
        if (!index.count(v)) {
            index[v] = out.families.size();
            Family f;
            f.key = column + "=" + v;
            f.sketch = all[i].sketch;
            f.name = column == "instance" ? labels[i] : column + "=" + v;
            out.families.push_back(std::move(f));
        }
        Family& f = out.families[index[v]];
        f.members.push_back(all[i].id);
        f.swept_values.push_back(std::numeric_limits<double>::quiet_NaN());
    }
    assign_styles(out);
    return out;
}

Rgba Families::colour(int instance, Rgba ground) const {
    const auto it = where.find(instance);
    if (it == where.end()) return rgba(150, 150, 150);
    const Family& f = families[static_cast<std::size_t>(it->second.first)];
    return ramp_colour(f.hue, it->second.second, static_cast<int>(f.members.size()), ground);
}

const Family* Families::family_of(int instance) const {
    const auto it = where.find(instance);
    return it == where.end() ? nullptr : &families[static_cast<std::size_t>(it->second.first)];
}

std::string Families::label(int instance) const {
    const auto it = labels.find(instance);
    return it == labels.end() ? "instance " + std::to_string(instance) : it->second;
}

}  // namespace kvscope::figure
