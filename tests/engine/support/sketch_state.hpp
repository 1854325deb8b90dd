// A sketch's observable state as text, so two sketches (a rewound one and one of a fresh run
// stopped at the same point) compare with one EXPECT_EQ that prints where they differ: stats,
// retained positions and weights, scores, merge trees, buckets, walk and Taylor state, scalars,
// every number to 17 significant digits.
#pragma once

#include <cstdio>
#include <sstream>
#include <string>

#include "core/sketch.hpp"

namespace kvscope::test {

inline std::string exact_text(double x) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", x);
    return buf;
}

inline void write_tree(std::ostringstream& o, const MergeTreeView& t) {
    o << "tree " << t.label << " buffer " << t.buffer_size << "\n";
    for (const auto& l : t.levels)
        o << " level " << l.level << " " << l.occupancy << " " << exact_text(l.weight) << "\n";
    for (const auto& c : t.recent_carries)
        o << " carry " << c.at_token << " " << c.from_level << " " << c.items_out << "\n";
    for (Index at : t.level_reached_at)
        o << " reached " << at << "\n";
}

/// stats() and view() of `s` as text (what the explorer's panels draw).
inline std::string state_text(const SketchStats& st, const SketchView& v) {
    std::ostringstream o;
    o << "seen " << st.seen << " retained " << st.retained << " floats "
      << exact_text(st.memory_floats) << " bits " << exact_text(st.memory_bits) << "\n";
    for (const auto& t : v.retained) {
        o << "token " << t.position << " " << exact_text(t.weight_num) << " "
          << exact_text(t.weight_den) << " " << t.tag << "\n";
    }
    for (double x : v.token_scores)
        o << "score " << exact_text(x) << "\n";
    for (Index i = 0; i < v.stored_keys.size(); ++i)
        o << "stored " << exact_text(v.stored_keys.data()[i]) << "\n";
    if (v.merge_tree) write_tree(o, *v.merge_tree);
    for (const auto& t : v.merge_trees)
        write_tree(o, t);
    if (v.walk) {
        for (const auto& w : v.walk->steps)
            o << "walk " << exact_text(w.probability) << " " << w.sign << "\n";
    }
    if (v.buckets) {
        for (std::size_t i = 0; i < v.buckets->ids.size(); ++i)
            o << "bucket " << v.buckets->ids[i] << " " << v.buckets->counts[i] << "\n";
        for (int b : v.buckets->bucket_of_token)
            o << "in " << b << "\n";
        for (const auto& q : v.buckets->recent_contributions)
            for (double x : q)
                o << "share " << exact_text(x) << "\n";
    }
    if (v.taylor) {
        for (double x : v.taylor->degree_norms)
            o << "moment " << exact_text(x) << "\n";
        o << "radius " << exact_text(v.taylor->radius) << " qmax "
          << exact_text(v.taylor->query_norm_max) << "\n";
    }
    for (const auto& [name, x] : v.scalars)
        o << name << " " << exact_text(x) << "\n";
    return o.str();
}

inline std::string state_text(const Sketch& s) {
    return state_text(s.stats(), s.view());
}

/// "" when the texts are equal, else their first differing line of each and the line count
/// (state texts run to thousands of lines: a whole diff would bury the difference).
inline std::string first_difference(const std::string& a, const std::string& b) {
    if (a == b) return "";
    std::istringstream x(a), y(b);
    std::string lx, ly;
    for (int line = 1;; ++line) {
        const bool more_x = static_cast<bool>(std::getline(x, lx));
        const bool more_y = static_cast<bool>(std::getline(y, ly));
        if (!more_x || !more_y || lx != ly) {
            return "line " + std::to_string(line) + ": '" + (more_x ? lx : "(end)") + "' vs '" +
                   (more_y ? ly : "(end)") + "'";
        }
    }
}

}  // namespace kvscope::test
