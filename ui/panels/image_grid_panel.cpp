#include "panels/image_grid_panel.h"

#include <imgui.h>
#include <torch/torch.h>

#include <algorithm>
#include <string>

#include "common/error.h"
#include "plot/image_grid.h"

namespace scorelab::ui {

namespace {
const Series* last_point(const Snapshot& s, const std::string& name) {
  const Series* m = s.metric(name);
  return m && !m->empty() ? m : nullptr;
}
}  // namespace

void ImageGridPanel::draw(AppContext& ctx) {
  const Snapshot& s = *ctx.snap;
  if (s.image_shape.empty()) {
    ImGui::TextWrapped(
        "Data set \"%s\" is 2D: its samples are in the Samples panel. Image presets "
        "(fmnist-smt-cpu, fmnist-dsm-cpu, ...) show their samples here.",
        s.config.data.name.c_str());
    return;
  }
  ImGui::Checkbox("real images", &show_real_);
  ImGui::SameLine();
  ImGui::SetNextItemWidth(90);
  ImGui::SliderInt("columns", &columns_, 2, 16);
  const torch::Tensor& rows = show_real_ ? s.real_reference : s.preview_images;
  ImGui::SameLine();
  if (show_real_) {
    ImGui::TextUnformatted("training images");
  } else if (!rows.defined()) {
    ImGui::TextUnformatted(s.has_generator ? "no samples yet"
                                           : "samples appear after the first evaluation");
  } else {
    ImGui::Text("%s, step %lld", s.has_generator ? "one-step, fixed z" : "last evaluation",
                static_cast<long long>(s.preview_step));
  }
  if (const Series* fid = last_point(s, s.fid_metric)) {
    const Series* floor = last_point(s, s.fid_floor_metric);
    ImGui::Text("%s: %.2f at step %lld (real-vs-real floor %.2f)",
                s.fid_label.empty() ? "FID (fmnist-classifier features)" : s.fid_label.c_str(),
                fid->last(), static_cast<long long>(fid->steps.back()),
                floor ? floor->last() : 0.0);
  }
  if (!rows.defined() || rows.size(0) == 0) return;

  const ImageShape& sh = s.image_shape;
  if (rows.data_ptr() != shown_data_ || shown_.size(0) == 0 || columns_ != last_columns_) {
    shown_ = rows.reshape({rows.size(0), sh.channels, sh.height, sh.width});
    auto grid = tile_images(shown_, columns_).contiguous();
    texture_.upload_rgb(grid.data_ptr<uint8_t>(), static_cast<int>(grid.size(1)),
                        static_cast<int>(grid.size(0)));
    shown_data_ = rows.data_ptr();
    last_columns_ = columns_;
  }
  // Scale to the panel by whole steps where possible, so pixels stay square and crisp.
  const ImVec2 avail = ImGui::GetContentRegionAvail();
  const float fit = std::min(avail.x / texture_.width(), avail.y / texture_.height());
  const float scale = fit >= 1 ? std::floor(fit) : std::max(fit, 0.1f);
  ImGui::Image(reinterpret_cast<ImTextureID>(static_cast<intptr_t>(texture_.id())),
               ImVec2(texture_.width() * scale, texture_.height() * scale));
  if (ImGui::BeginPopupContextItem("##grid")) {
    if (ImGui::MenuItem("Save grid as PNG")) {
      const std::string path = "scorelab-images-" + std::to_string(s.step) + ".png";
      try {
        write_image_grid_png(path, shown_, columns_);
        ctx.notice = "saved " + path;
      } catch (const std::exception& e) {
        ctx.report_error(error_message(e));
      }
    }
    ImGui::EndPopup();
  }
}

}  // namespace scorelab::ui
