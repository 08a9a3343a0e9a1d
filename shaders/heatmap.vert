#version 330 core
// A quad over the world rectangle [lo, hi]; the texture holds one value per grid node.
layout(location = 0) in vec2 corner;  // (0,0) … (1,1)
uniform vec2 lo;
uniform vec2 hi;
uniform vec2 center;
uniform vec2 half_size;
out vec2 uv;
void main() {
  vec2 world = mix(lo, hi, corner);
  gl_Position = vec4((world - center) / half_size, 0.0, 1.0);
  uv = corner;
}
