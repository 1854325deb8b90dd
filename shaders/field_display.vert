#version 330 core
// The field's quad: the plane rectangle the field was rendered for, placed through the same
// transform as the points, so a field a few frames old still lines up with the keys.
uniform mat4 u_mvp;
uniform vec4 u_rect;  // x0, y0, x1, y1 in centred coordinates
out vec2 v_uv;
void main() {
    vec2 uv = vec2(float(gl_VertexID & 1), float((gl_VertexID >> 1) & 1));
    v_uv = uv;
    vec4 p = u_mvp * vec4(mix(u_rect.xy, u_rect.zw, uv), 0.0, 1.0);
    gl_Position = vec4(p.xy, 0.0, 1.0);
}
