#include "render/shader_program.h"

#include <stdexcept>
#include <utility>
#include <vector>

namespace scorelab::ui {

namespace {

std::string info_log(GLuint id, bool program) {
  GLint len = 0;
  program ? glGetProgramiv(id, GL_INFO_LOG_LENGTH, &len)
          : glGetShaderiv(id, GL_INFO_LOG_LENGTH, &len);
  std::vector<char> log(static_cast<size_t>(len > 1 ? len : 1), '\0');
  program ? glGetProgramInfoLog(id, len, nullptr, log.data())
          : glGetShaderInfoLog(id, len, nullptr, log.data());
  return log.data();
}

GLuint compile(const std::string& name, GLenum kind, const char* src) {
  GLuint s = glCreateShader(kind);
  glShaderSource(s, 1, &src, nullptr);
  glCompileShader(s);
  GLint ok = 0;
  glGetShaderiv(s, GL_COMPILE_STATUS, &ok);
  if (!ok) {
    const std::string log = info_log(s, false);
    glDeleteShader(s);
    throw std::runtime_error("shader " + name + (kind == GL_VERTEX_SHADER ? ".vert" : ".frag") +
                             " does not compile: " + log);
  }
  return s;
}

}  // namespace

ShaderProgram::ShaderProgram(const std::string& name, const char* vertex_src,
                             const char* fragment_src) {
  GLuint vs = compile(name, GL_VERTEX_SHADER, vertex_src);
  GLuint fs = 0;
  try {
    fs = compile(name, GL_FRAGMENT_SHADER, fragment_src);
  } catch (...) {
    glDeleteShader(vs);
    throw;
  }
  id_ = glCreateProgram();
  glAttachShader(id_, vs);
  glAttachShader(id_, fs);
  glLinkProgram(id_);
  glDeleteShader(vs);
  glDeleteShader(fs);
  GLint ok = 0;
  glGetProgramiv(id_, GL_LINK_STATUS, &ok);
  if (!ok) {
    const std::string log = info_log(id_, true);
    glDeleteProgram(id_);
    id_ = 0;
    throw std::runtime_error("shader program " + name + " does not link: " + log);
  }
}

ShaderProgram::~ShaderProgram() {
  if (id_) glDeleteProgram(id_);
}

ShaderProgram::ShaderProgram(ShaderProgram&& other) noexcept : id_(std::exchange(other.id_, 0)) {}

void ShaderProgram::set(const char* name, float v) const {
  glUniform1f(glGetUniformLocation(id_, name), v);
}
void ShaderProgram::set(const char* name, float x, float y) const {
  glUniform2f(glGetUniformLocation(id_, name), x, y);
}
void ShaderProgram::set(const char* name, const float rgba[4]) const {
  glUniform4f(glGetUniformLocation(id_, name), rgba[0], rgba[1], rgba[2], rgba[3]);
}
void ShaderProgram::set_int(const char* name, int v) const {
  glUniform1i(glGetUniformLocation(id_, name), v);
}

}  // namespace scorelab::ui
