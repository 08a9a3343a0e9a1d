#include "widgets/plot_canvas.h"

#include <cstdint>

#include <cctype>
#include <string>

#include "app_context.h"
#include "common/error.h"
#include "render/screenshot.h"

namespace scorelab::ui {

bool PlotCanvas::show(AppContext& ctx, const char* id, ImVec2 size, PlotView& view,
                      uint64_t content, const std::function<void(int, int)>& layers, bool axes,
                      bool pan_zoom, const std::function<void()>& menu) {
  const int w = static_cast<int>(size.x < 8 ? 8 : size.x);
  const int h = static_cast<int>(size.y < 8 ? 8 : size.y);
  const bool same_view = view.cx == rendered_view_.cx && view.cy == rendered_view_.cy &&
                         view.half == rendered_view_.half;
  const bool resized = w != canvas_.width() || h != canvas_.height();
  // A pan, zoom or resize is redrawn at once (the user is watching it); new data can wait a
  // frame or two for the budget.
  const bool stale = content != rendered_content_ && ctx.canvas_renders_left > 0;
  if (stale || !same_view || resized) {
    --ctx.canvas_renders_left;
    canvas_.begin(w, h, colors::background);
    layers(w, h);
    canvas_.end();
    rendered_content_ = content;
    rendered_view_ = view;
  }
  ImGui::PushID(id);
  origin_ = ImGui::GetCursorScreenPos();
  size_ = ImVec2(static_cast<float>(w), static_cast<float>(h));
  // GL textures are stored bottom-up.
  ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(canvas_.texture())), size_,
               ImVec2(0, 1), ImVec2(1, 0));
  hovered_ = ImGui::IsItemHovered();
  const bool changed = pan_zoom && view.handle_input(origin_, size_, ctx.data_view);
  if (ImGui::BeginPopupContextItem("export")) {
    if (ImGui::MenuItem("Save as PNG")) {
      std::string name = id;
      for (char& c : name)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '-';
      const std::string path = "scorelab-" + name + "-" + std::to_string(ctx.snap->step) + ".png";
      try {
        write_png_rgba(path, canvas_.read_rgba(), canvas_.width(), canvas_.height());
        ctx.notice = "saved " + path;
      } catch (const std::exception& e) {
        ctx.report_error(error_message(e));
      }
    }
    if (menu) menu();
    ImGui::EndPopup();
  }
  if (axes) view.draw_axes(ImGui::GetWindowDrawList(), origin_, size_);
  ImGui::PopID();
  return changed;
}

}  // namespace scorelab::ui
