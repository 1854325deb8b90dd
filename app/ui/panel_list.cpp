// The registry of the explorer's panels, built from panel_list.def (one line per panel).
#include "ui/panel.hpp"

namespace kvscope::ui {

#define KVSCOPE_PANEL(make) PanelInfo make();
#include "ui/panel_list.def"
#undef KVSCOPE_PANEL

const std::vector<PanelInfo>& builtin_panels() {
    static const std::vector<PanelInfo> panels = {
#define KVSCOPE_PANEL(make) make(),
#include "ui/panel_list.def"
#undef KVSCOPE_PANEL
    };
    return panels;
}

}  // namespace kvscope::ui
