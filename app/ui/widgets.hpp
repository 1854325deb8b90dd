// Small pieces several panels share: a sketch's short name, its colour swatch, the selected
// sketch, the sketch picker, plot headings with a definition on hover, the CSV button.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "session/runner.hpp"
#include "ui/panel.hpp"

namespace kvscope::ui {

/// A short name for a sketch instance: its label and the parameters that differ from their
/// defaults, e.g. "balance_kv batch=128".
std::string short_name(const SketchInstanceSpec& spec);
/// The names of the scene's sketches, in order, as the error plots' legends give them: each
/// label followed by every parameter that differs between instances of the same sketch,
/// defaults included ("uniform budget=256" beside "uniform budget=512"), never cut.
std::vector<std::string> scene_names(const Snapshot& snap);
/// scene_names() for one of `snap`'s sketches (short_name() for a sketch not in `snap`).
std::string scene_name(const Snapshot& snap, const SketchSnapshot& sketch);
/// The selected sketch (Selection::sketch clamped to the running ones), or nullptr with a
/// "no sketch running" note drawn when there is none.
const SketchSnapshot* selected_sketch(const Snapshot& snap, Selection& selection);
/// For a sketch that is not a subset of the stream (SketchView::subset_of_stream false): what it
/// keeps instead of tokens, e.g. "taylor keeps no tokens (moments only)" (empty for a subset
/// sketch, whose unlisted tokens are evicted).
std::string summary_note(const Snapshot& snap, const SketchSnapshot& sketch);
/// What a sketch keeps, for the Sketches panel: "kept 64 of 1000", or for a sketch that keeps
/// no tokens "keeps no tokens (moments only), 1000 seen".
std::string kept_text(const SketchSnapshot& sketch);
/// Buttons selecting each running sketch whose view passes `has` (or a note when none does).
void draw_sketch_picker(const Snapshot& snap, Selection& selection, bool (*has)(const SketchView&),
                        const char* what);
/// A square in sketch `index`'s category colour, followed by SameLine (panel headers, pickers).
void sketch_swatch(const Snapshot& snap, int index);
/// A square of `colour`, followed by SameLine.
void colour_swatch(std::uint32_t colour);
/// The scene's sketch colours, in order, as the error plots draw their lines: each sketch's
/// sweep family hue at its rank on the family's ramp (app/figure/families.hpp), grey for the
/// exact reference, with alpha `alpha`. One grouping for the whole list.
std::vector<std::uint32_t> scene_colours(const Snapshot& snap, float alpha = 1.0f);
/// scene_colours() for sketch `index` (the category colour for an index outside the scene).
std::uint32_t sketch_colour(const Snapshot& snap, int index, float alpha = 1.0f);
/// A marker on a time axis (the error plot against tokens, the coreset timeline).
struct TimelineMarker {
    Index at = 0;
    std::string label;
    bool strong = false;  ///< an open lesson step points at it
};
/// The markers every time axis shows: the source's events and the selected sketch's (weak),
/// the open lesson step's marks (strong; an event they repeat is not listed twice), and the
/// timeline's cursor while the scene is scrubbed back (strong).
std::vector<TimelineMarker> timeline_markers(const Snapshot& snap, const Selection& selection);

/// `text` as the tooltip of the last item while it is hovered.
void tip(const char* text);
/// A plot title whose definition is one hover away (on the title and on a "(?)" after it).
void heading(const std::string& title, const std::string& tooltip);
/// A small "CSV" button: on click writes `text()` to kvscope_<panel>_NNNN.csv in the working
/// directory and reports the path (or the error) on the status line; `tip` shows on hover.
void csv_button(Sink& sink, const char* panel, const std::function<std::string()>& text,
                const char* tip);

}  // namespace kvscope::ui
