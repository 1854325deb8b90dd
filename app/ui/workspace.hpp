// The explorer's panels and what they share, laid out in the window. The workspace makes one
// instance of every registered panel (ui/panel_list.def), tiles them by place (controls and
// sketches on the left, the embedding view over the error plots in the middle, the sketch
// internals on the right, the status line at the bottom, overlays on top), shows several panels
// of one place as tabs, and moves a tab bar to the panel that fits the selected sketch best
// whenever the selection changes. ImGui only; the frame loop owns the window and GL.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ui/panel.hpp"

namespace kvscope::ui {

class Workspace {
  public:
    explicit Workspace(const std::vector<PanelInfo>& panels = builtin_panels());

    /// Draws every panel for one frame inside an open ImGui frame, in a window of `width` x
    /// `height` pixels. Without UI only the views are drawn (no controls, status or overlays).
    void draw(const Snapshot& snap, float width, float height, bool with_ui);

    /// The state of the panel with this key, when that panel is made of `State` (else null).
    template <class State>
    State* state(const std::string& key) {
        for (auto& e : panels_) {
            if (e.info.key != key) continue;
            if (auto* p = dynamic_cast<PanelOf<State>*>(e.panel.get())) return &p->state;
        }
        return nullptr;
    }

    /// The key of the tab place `place` shows ("" when it has no panel).
    std::string tab(Place place) const;
    /// Shows the panel `key` as the tab of its place; `pin` keeps it on the first frame even
    /// if another tab fits the selected sketch better (a session's saved tab). False when no
    /// panel has that key.
    bool show_tab(const std::string& key, bool pin);
    /// The keys of the panels in `place`, in tab order.
    std::vector<std::string> keys(Place place) const;
    /// The tab of `place` that fits `view` best (the first on ties).
    std::string preferred_tab(Place place, const SketchView& view) const;

    /// Every panel's part of a session's view object, and back (see ui/session_file.hpp).
    void save_panels(nlohmann::json& view) const;
    void load_panels(const nlohmann::json& view, const ViewWarn& warn);

    Selection selection;
    Settings settings;
    Sink sink;
    scene::Scenes scenes;

  private:
    struct Entry {
        PanelInfo info;
        std::unique_ptr<Panel> panel;
        std::string failure;  ///< the last exception its draw threw ("" once it draws again)
    };
    /// Which tab a place shows and which selection it last followed.
    struct Tabs {
        int current = 0;
        int requested = -1;  ///< set by code (selection, session); -1: none
        int followed_sketch = -1;
        std::string followed_id;
        bool pinned = false;
    };

    std::vector<Entry*> in_place(Place place);
    void draw_place(Place place, const char* title, float x, float y, float w, float h,
                    PanelContext& ctx);
    void draw_tabs(Place place, std::vector<Entry*>& entries, PanelContext& ctx);
    /// Draws one panel inside its own containment: an exception is reported on the status line
    /// (and once per new message in sink.log) with the panel's name, what it left open is
    /// closed, and the other panels draw as usual.
    void draw_panel(Entry& entry, PanelContext& ctx);
    void follow_selection(Place place, const std::vector<Entry*>& entries, PanelContext& ctx);

    std::vector<Entry> panels_;
    std::map<Place, Tabs> tabs_;
};

}  // namespace kvscope::ui
