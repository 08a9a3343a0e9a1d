#version 330 core
// World-space points to clip space; size in pixels.
layout(location = 0) in vec2 position;
uniform vec2 center;     // world point at the canvas centre
uniform vec2 half_size;  // world half extent of the canvas
uniform float point_size;
void main() {
  gl_Position = vec4((position - center) / half_size, 0.0, 1.0);
  gl_PointSize = point_size;
}
