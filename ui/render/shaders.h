#pragma once
// The three GLSL programs of the app (sources in shaders/, embedded at build time).
#include "render/shader_program.h"

namespace scorelab::ui {

struct Shaders {
  ShaderProgram points;    // round points of one colour
  ShaderProgram lines;     // coloured segments: arrows, trails
  ShaderProgram heatmap;   // scalar grid → colour ramp or iso-lines
  static Shaders build();  // needs a current GL context; throws on a compile error
};

}  // namespace scorelab::ui
