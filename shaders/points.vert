#version 330 core
// Embedding points: one sprite per key. a_style.x = diameter in pixels, a_style.y = draw layer
// in [0, 1] (2-D: retained tokens above evicted ones); in 3-D the depth comes from u_mvp.
layout(location = 0) in vec3 a_pos;
layout(location = 1) in vec4 a_colour;
layout(location = 2) in vec2 a_style;
uniform mat4 u_mvp;
uniform float u_point_scale;
uniform int u_use_layer;
out vec4 v_colour;
void main() {
    vec4 p = u_mvp * vec4(a_pos, 1.0);
    if (u_use_layer != 0) p.z = 0.9 - 1.8 * a_style.y;
    gl_Position = p;
    gl_PointSize = max(1.0, a_style.x * u_point_scale);
    v_colour = a_colour;
}
