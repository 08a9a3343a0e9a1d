#version 330 core
// Round, softly edged points of one colour.
uniform vec4 color;
out vec4 frag;
void main() {
  vec2 d = gl_PointCoord * 2.0 - 1.0;
  float r2 = dot(d, d);
  if (r2 > 1.0) discard;
  frag = vec4(color.rgb, color.a * (1.0 - smoothstep(0.6, 1.0, r2)));
}
