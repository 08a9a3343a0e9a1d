#version 330 core
// Line segments (arrows, trails, contours) with a colour per vertex.
layout(location = 0) in vec2 position;
layout(location = 1) in vec4 vertex_color;
uniform vec2 center;
uniform vec2 half_size;
out vec4 color;
void main() {
  gl_Position = vec4((position - center) / half_size, 0.0, 1.0);
  color = vertex_color;
}
