// A small SVG writer for display lists: polylines, rectangles, markers and clip paths become
// SVG elements and text stays text (<text>, in DejaVu Sans at the em size matching the layout's
// pixel height), so a figure can be edited and searched. Our own writer; no library.
#pragma once

#include <string>

#include "figure/display_list.hpp"
#include "figure/font.hpp"

namespace kvscope::figure {

/// The display list as a standalone SVG document (UTF-8). `font` supplies the ascent and em
/// size of the layout's font; null uses DejaVu Sans' proportions.
std::string to_svg(const DisplayList& list, const TrueTypeFont* font);

/// `text` with &, <, >, " and ' escaped for XML.
std::string xml_escape(const std::string& text);

}  // namespace kvscope::figure
