// Recovering a frame after a panel threw: closes every table, tab bar, child window and window
// the panel left open so ImGui::Render() can run and the frame still renders. ImGui's own
// ErrorCheckEndFrameRecover (1.86) calls EndTable() while IDs pushed inside a table cell are
// still on the ID stack, which trips EndTable's "Mismatching PushID/PopID" assertion and aborts
// the explorer (a plot that threw inside the side-by-side error plots did); this unwinds a
// table's ID stack to its own ID first.
//
// A panel is contained on its own: the workspace marks ImGui's state before each panel draws
// (mark_draw) and, when the panel throws, closes only what that panel opened (recover_draw), so
// the panels after it in the frame still draw.
#pragma once

namespace kvscope::ui {

/// Call inside the frame (between NewFrame and Render) after catching a panel's exception.
void recover_frame_after_exception();

/// ImGui's state where a panel starts drawing: the window stack, the current window's ID stack
/// and the colour, style, font, group, focus-scope, item-flag, item-width, text-wrap and
/// disabled stacks.
struct DrawMark {
    int windows = 0;
    int ids = 0;
    int colors = 0;
    int style_vars = 0;
    int fonts = 0;
    int groups = 0;
    int focus_scopes = 0;
    int item_flags = 0;
    int item_widths = 0;
    int text_wraps = 0;
    int disabled = 0;
};

/// The state now (inside a frame).
DrawMark mark_draw();
/// After a panel drawn from `mark` threw: ends the windows, child windows, tables, tab bars,
/// tree nodes and pushes it left open, back to `mark`, so drawing goes on where it was.
void recover_draw(const DrawMark& mark);

}  // namespace kvscope::ui
