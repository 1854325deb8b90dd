// What every panel of the explorer is and what it may touch. A panel is a state struct of its
// own plus free functions over it (draw, and optionally its part of a session's "view"), in one
// file; app/ui/panel_list.def lists the panels, one line each. Besides its state, a panel sees
// only a PanelContext: the snapshot, the selection every panel shares, the settings the frame
// loop applies, the sink for everything it asks of the rest of the program, and the GL views'
// plain-data scenes. Panels draw with ImGui only: no GL, no files.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "scene/embedding_scene.hpp"
#include "session/runner.hpp"

namespace kvscope::ui {

enum class Theme { Dark, Light, HighContrast };

/// Settings the frame loop applies and several panels edit (saved in the session's view).
struct Settings {
    Index speed = 64;  ///< tokens per tick while playing, and per Step
    Theme theme = Theme::Dark;
    float ui_scale = 1.0f;
    int screenshot_scale = 1;        ///< 1 or 2: 2 renders offscreen at twice the window size
    bool screenshot_with_ui = true;  ///< false: only the views (no controls, no status line)
    bool show_help = false;
    bool show_file_browser = false;
    bool show_lesson_picker = false;
    bool lesson_open = false;  ///< a lesson's narration takes the top of the left column
    /// The opened config when its source sweeps a parameter (the live scene runs its first
    /// instance; the Source sweep tab runs them all), else null.
    std::shared_ptr<const RunConfig> source_sweep;
};

/// A position a lesson step points at: drawn emphasised, with its label, on the time plots and
/// the coreset timeline.
struct Mark {
    Index at = 0;
    std::string label;
};

/// The sketch every panel shows and the token under the mouse in any panel (-1: none).
struct Selection {
    int sketch = 0;
    Index hovered_token = -1;
    std::vector<Mark> marks;  ///< the open lesson step's markers (empty without a lesson)
};

/// Something only the frame loop may do (files, GL): carried out after the frame.
struct Request {
    enum class Kind { Screenshot, SaveSession, RestoreLastSession, ExportCsv, Open, LessonStep };
    Kind kind = Kind::Screenshot;
    std::string path;  ///< Open: a session (.json) or a data file
};

/// Everything panels ask of the rest of the program: engine commands, requests and the status
/// line's message. Commands and requests are drained after every frame; the message stays.
struct Sink {
    std::vector<Command> commands;
    std::vector<Request> requests;
    std::string status;
    /// Lines for the log (stderr): a panel that threw while drawing, once per new message. The
    /// frame loop takes them.
    std::vector<std::string> log;
    /// A refusal (a file, config or lesson that could not be opened) for the error dialog,
    /// which takes it when it opens; the status line keeps showing it.
    std::string alert;

    void send(Command c) { commands.push_back(std::move(c)); }
    void request(Request r) { requests.push_back(std::move(r)); }
    void say(std::string message) { status = std::move(message); }
    /// Says `message` on the status line and in the error dialog.
    void refuse(std::string message) {
        alert = message;
        status = std::move(message);
    }
};

/// What a panel may use besides its own state.
struct PanelContext {
    const Snapshot& snap;
    Selection& selection;
    Settings& settings;
    Sink& sink;
    scene::Scenes& scenes;
};

/// Where the explorer tiles a panel. Several panels in one place become tabs.
enum class Place {
    /// Left, top, while a lesson is open ("Lesson"; hidden in views-only screenshots). While none
    /// is open the panel is still drawn every frame, outside any tile, so it can show its picker.
    Lesson,
    ControlsColumn,  ///< left, top ("Controls"; hidden in views-only screenshots)
    SketchesColumn,  ///< left, bottom ("Sketches"; hidden in views-only screenshots)
    ViewTop,         ///< middle, top ("Embedding")
    ViewBottom,      ///< middle, bottom ("Attention error")
    Internals,       ///< right column ("Sketch internals"), tabs that follow the selection
    StatusLine,      ///< the bottom line (hidden in views-only screenshots)
    Overlay          ///< floating windows that open and close themselves (help, file browser)
};

/// Warnings collected while a session's view is read (nothing throws).
using ViewWarn = std::function<void(const std::string&)>;

/// One live panel: its state and its functions, behind one interface for the workspace.
class Panel {
  public:
    virtual ~Panel() = default;
    virtual void draw(PanelContext& ctx) = 0;
    /// Writes this panel's fields into a session's "view" object (the keys it always used).
    virtual void save_view(nlohmann::json& view) const = 0;
    virtual void load_view(const nlohmann::json& view, const ViewWarn& warn) = 0;
};

/// A panel made of a state struct and free functions over it.
template <class State>
class PanelOf final : public Panel {
  public:
    using Draw = void (*)(State&, PanelContext&);
    using Save = void (*)(const State&, nlohmann::json&);
    using Load = void (*)(const nlohmann::json&, State&, const ViewWarn&);
    PanelOf(Draw draw, Save save, Load load) : draw_(draw), save_(save), load_(load) {}
    void draw(PanelContext& ctx) override { draw_(state, ctx); }
    void save_view(nlohmann::json& view) const override {
        if (save_) save_(state, view);
    }
    void load_view(const nlohmann::json& view, const ViewWarn& warn) override {
        if (load_) load_(view, state, warn);
    }
    State state;

  private:
    Draw draw_;
    Save save_;
    Load load_;
};

/// A registered panel: what the explorer needs to place, title, make and save it.
struct PanelInfo {
    std::string key;    ///< stable id: the session view's "tab" value, tests
    std::string title;  ///< tab title (the place names the window)
    std::string help;   ///< tab tooltip
    Place place = Place::Internals;
    std::function<std::unique_ptr<Panel>()> make;
    /// How well the panel shows a sketch's view (tabs follow the selection to the best; 0: as
    /// well as any other). Null: it does not depend on the sketch.
    int (*fits)(const SketchView&) = nullptr;
};

/// A PanelInfo for a panel made of `State` and its functions (save and load may be null).
template <class State>
PanelInfo panel_info(std::string key, std::string title, std::string help, Place place,
                     typename PanelOf<State>::Draw draw,
                     typename PanelOf<State>::Save save = nullptr,
                     typename PanelOf<State>::Load load = nullptr) {
    PanelInfo info;
    info.key = std::move(key);
    info.title = std::move(title);
    info.help = std::move(help);
    info.place = place;
    info.make = [draw, save, load] { return std::make_unique<PanelOf<State>>(draw, save, load); };
    return info;
}

/// Every panel of the explorer, in the order of app/ui/panel_list.def.
const std::vector<PanelInfo>& builtin_panels();

}  // namespace kvscope::ui
