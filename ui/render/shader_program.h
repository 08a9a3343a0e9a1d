#pragma once
// A linked GLSL program; compile and link errors throw with the program's name and GL's log.
#include <glad/gl.h>

#include <string>

namespace scorelab::ui {

class ShaderProgram {
 public:
  ShaderProgram(const std::string& name, const char* vertex_src, const char* fragment_src);
  ~ShaderProgram();
  ShaderProgram(const ShaderProgram&) = delete;
  ShaderProgram& operator=(const ShaderProgram&) = delete;
  ShaderProgram(ShaderProgram&& other) noexcept;
  ShaderProgram& operator=(ShaderProgram&&) = delete;

  void use() const { glUseProgram(id_); }
  // Setters act on the program in use; unknown names (optimised away) are ignored, as in GL.
  void set(const char* name, float v) const;
  void set(const char* name, float x, float y) const;
  void set(const char* name, const float rgba[4]) const;
  void set_int(const char* name, int v) const;

 private:
  GLuint id_ = 0;
};

}  // namespace scorelab::ui
