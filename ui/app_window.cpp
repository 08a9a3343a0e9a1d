#include "app_window.h"

// GLFW must not pull in the system GL header: glad provides GL.
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <glad/gl.h>
#include <imgui.h>

#include <cstdio>
#include <cstdlib>

namespace scorelab::ui {

namespace {
void glfw_error(int code, const char* what) {
  std::fprintf(stderr, "scorelab: GLFW error %d: %s\n", code, what);
}
// DejaVu Sans (fonts-dejavu-core) has the Greek letters the panels use (σ, α); without it ImGui's
// built-in ASCII font draws them as '?'.
void load_font(ImGuiIO& io) {
  const char* path = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
  if (FILE* f = std::fopen(path, "rb")) {
    std::fclose(f);
    static const ImWchar ranges[] = {0x0020, 0x00FF,  // Latin-1
                                     0x0370, 0x03FF,  // Greek
                                     0x2010, 0x2044,  // dashes, ellipsis
                                     0x2190, 0x2193,  // arrows
                                     0x2212, 0x2212,  // minus
                                     0};
    if (io.Fonts->AddFontFromFileTTF(path, 14.0f, nullptr, ranges)) return;
  }
  io.Fonts->AddFontDefault();
}

}  // namespace

AppWindow::AppWindow(int width, int height, const std::string& title) {
  glfwSetErrorCallback(glfw_error);
  if (!glfwInit()) {
    throw NoDisplayError(
        "cannot open a window: no display (is DISPLAY set? under SSH use X forwarding, or run "
        "headless with xvfb-run -a scorelab ...). The command-line tool needs no display: "
        "scorelab-cli train --preset swissroll-smt");
  }
  glfw_ready_ = true;
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
  glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
  glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GLFW_TRUE);
  window_ = glfwCreateWindow(width, height, title.c_str(), nullptr, nullptr);
  if (!window_) {
    glfwTerminate();
    glfw_ready_ = false;
    throw NoDisplayError(
        "cannot create an OpenGL 3.3 core window on this display; the "
        "command-line tool needs none: scorelab-cli train --preset swissroll-smt");
  }
  glfwMakeContextCurrent(window_);
  glfwSetWindowUserPointer(window_, this);
  glfwSetDropCallback(window_, [](GLFWwindow* w, int count, const char** paths) {
    auto* self = static_cast<AppWindow*>(glfwGetWindowUserPointer(w));
    for (int i = 0; i < count; ++i) self->dropped_.emplace_back(paths[i]);
  });
  if (!gladLoadGL(glfwGetProcAddress)) {
    glfwDestroyWindow(window_);
    glfwTerminate();
    glfw_ready_ = false;
    throw std::runtime_error("cannot load the OpenGL 3.3 functions (glad)");
  }
  glfwSwapInterval(1);  // vsync
  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;  // the layout follows the window size, not a saved file
  load_font(io);
  ImGui::StyleColorsDark();
  ImGui::GetStyle().WindowRounding = 2;
  ImGui_ImplGlfw_InitForOpenGL(window_, true);
  ImGui_ImplOpenGL3_Init("#version 330 core");
  imgui_ready_ = true;
}

AppWindow::~AppWindow() {
  if (imgui_ready_) {
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
  }
  if (window_) glfwDestroyWindow(window_);
  if (glfw_ready_) glfwTerminate();
}

bool AppWindow::should_close() const {
  return glfwWindowShouldClose(window_);
}

void AppWindow::request_close() {
  glfwSetWindowShouldClose(window_, GLFW_TRUE);
}

bool AppWindow::minimized() const {
  return glfwGetWindowAttrib(window_, GLFW_ICONIFIED) != 0;
}

void AppWindow::begin_frame() {
  if (minimized()) {
    glfwWaitEventsTimeout(0.1);  // sleep while minimised; training goes on in its thread
  } else {
    glfwPollEvents();
  }
  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  ImGui::NewFrame();
}

void AppWindow::render() {
  ImGui::Render();
  int w, h;
  framebuffer_size(w, h);
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
  glViewport(0, 0, w, h);
  // The panels' background: tiled panels draw none of their own (see App::begin_panel).
  const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
  glClearColor(bg.x, bg.y, bg.z, 1);
  glClear(GL_COLOR_BUFFER_BIT);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
}

std::vector<std::string> AppWindow::take_dropped() {
  std::vector<std::string> out;
  out.swap(dropped_);
  return out;
}

void AppWindow::swap() {
  glfwSwapBuffers(window_);
}

void AppWindow::framebuffer_size(int& w, int& h) const {
  glfwGetFramebufferSize(window_, &w, &h);
}

}  // namespace scorelab::ui
