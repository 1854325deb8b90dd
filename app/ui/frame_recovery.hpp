// Recovering a frame after a panel threw: closes every table, tab bar, child window and window
// the panel left open so ImGui::Render() can run and the frame still renders. ImGui's own
// ErrorCheckEndFrameRecover (1.86) calls EndTable() while IDs pushed inside a table cell are
// still on the ID stack, which trips EndTable's "Mismatching PushID/PopID" assertion and aborts
// the explorer (a plot that threw inside the side-by-side error plots did); this unwinds a
// table's ID stack to its own ID first.
#pragma once

namespace kvscope::ui {

/// Call inside the frame (between NewFrame and Render) after catching a panel's exception.
void recover_frame_after_exception();

}  // namespace kvscope::ui
