// A headless ImGui context for panel tests: no window, no GL. The font atlas is built so text
// is laid out as in the explorer; ImGui's own assertions abort on misuse (unbalanced Begin/End).
#pragma once

#include <gtest/gtest.h>
#include <imgui.h>

namespace kvscope {

class ImGuiTest : public ::testing::Test {
  protected:
    void SetUp() override {
        ImGui::CreateContext();
        ImGuiIO& io = ImGui::GetIO();
        io.IniFilename = nullptr;
        io.DisplaySize = ImVec2(1600, 900);
        io.DeltaTime = 1.0f / 60.0f;
        unsigned char* pixels = nullptr;
        int w = 0, h = 0;
        io.Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
    }
    void TearDown() override { ImGui::DestroyContext(); }
};

}  // namespace kvscope
