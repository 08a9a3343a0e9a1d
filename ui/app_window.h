#pragma once
// The GLFW window with an OpenGL 3.3 core context and Dear ImGui on top. Creation fails with a
// clear message when there is no display, pointing to the CLI.
#include <stdexcept>
#include <string>
#include <vector>

struct GLFWwindow;

namespace scorelab::ui {

struct NoDisplayError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class AppWindow {
 public:
  // Throws NoDisplayError without a display, std::runtime_error for other GL failures.
  AppWindow(int width, int height, const std::string& title);
  ~AppWindow();
  AppWindow(const AppWindow&) = delete;
  AppWindow& operator=(const AppWindow&) = delete;

  bool should_close() const;
  void request_close();
  bool minimized() const;
  // Polls events (or waits a little while minimised) and starts an ImGui frame.
  void begin_frame();
  // Renders ImGui into the back buffer; the back buffer can then be read for screenshots.
  void render();
  void swap();
  void framebuffer_size(int& w, int& h) const;
  bool vsync() const { return vsync_; }
  // The paths dropped on the window since the last call.
  std::vector<std::string> take_dropped();

 private:
  GLFWwindow* window_ = nullptr;
  bool glfw_ready_ = false, imgui_ready_ = false, vsync_ = true;
  std::vector<std::string> dropped_;
};

}  // namespace scorelab::ui
