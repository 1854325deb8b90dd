#version 330 core
// Round point sprites with a soft one-pixel rim.
in vec4 v_colour;
out vec4 o_colour;
uniform float u_point_scale;
void main() {
    vec2 d = gl_PointCoord - vec2(0.5);
    float r = length(d);
    if (r > 0.5) discard;
    o_colour = vec4(v_colour.rgb * (r > 0.38 ? 0.75 : 1.0), v_colour.a);
}
