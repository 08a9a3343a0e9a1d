#version 330 core
// Maps a scalar field to colour: palette 0 = blue-to-yellow ramp (densities), 1 = black-to-orange
// (errors), 2 = iso-lines only (density contours, `levels` of them between vmin and vmax).
// Values are normalised by [vmin, vmax] and faded by opacity.
in vec2 uv;
uniform sampler2D values;
uniform float vmin;
uniform float vmax;
uniform int palette;
uniform float opacity;
uniform float levels;
uniform vec4 line_color;
out vec4 frag;

// Five stops of a dark-blue → teal → yellow ramp, linearly interpolated.
vec3 ramp(float t) {
  vec3 stops[5] = vec3[5](vec3(0.27, 0.00, 0.33), vec3(0.23, 0.32, 0.55), vec3(0.13, 0.57, 0.55),
                          vec3(0.37, 0.79, 0.38), vec3(0.99, 0.91, 0.14));
  float x = t * 4.0;
  int i = int(min(floor(x), 3.0));
  return mix(stops[i], stops[i + 1], x - float(i));
}

vec3 heat(float t) {
  return vec3(smoothstep(0.0, 0.5, t), smoothstep(0.3, 1.0, t) * 0.75, smoothstep(0.7, 1.0, t) * 0.3);
}

void main() {
  float v = texture(values, uv).r;
  float t = clamp((v - vmin) / max(vmax - vmin, 1e-12), 0.0, 1.0);
  if (palette == 2) {
    // Distance to the nearest level in pixels, from the screen-space derivative.
    float x = t * levels;
    float d = abs(fract(x + 0.5) - 0.5) / max(fwidth(x), 1e-6);
    float a = (1.0 - smoothstep(0.5, 1.5, d)) * step(0.5 / levels, t);
    frag = vec4(line_color.rgb, line_color.a * a * opacity);
    return;
  }
  vec3 c = palette == 0 ? ramp(t) : heat(t);
  frag = vec4(c, opacity);
}
