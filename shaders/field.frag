#version 330 core
// Kernel field over the projection plane, written as logarithms to an RG32F target:
//   R = log sum_i c_i exp(beta <p_i + c, x + c>) over the exact cache's binned keys,
//   G = the same over the selected sketch's stored keys with their denominator weights.
// Entries are (p_x, p_y, log weight) texels: p centred projected coordinates, c = B mean, x the
// pixel's centred plane position. Online log-sum-exp, so large logits never overflow.
in vec2 v_uv;
out vec2 o_field;
uniform sampler2D u_exact;   // RGBA32F, 1024 wide; texel i = entry i
uniform sampler2D u_sketch;
uniform int u_exact_count;
uniform int u_sketch_count;
uniform vec4 u_rect;   // x0, y0, x1, y1 of the plane region this target covers (centred)
uniform vec2 u_offset; // c = B mean
uniform float u_beta;

float log_field(sampler2D entries, int count, vec2 x) {
    float m = -1e30;
    float s = 0.0;
    for (int i = 0; i < count; ++i) {
        vec4 e = texelFetch(entries, ivec2(i & 1023, i >> 10), 0);
        float l = u_beta * dot(e.xy + u_offset, x + u_offset) + e.z;
        if (l > m) {
            s = s * exp(m - l) + 1.0;
            m = l;
        } else {
            s += exp(l - m);
        }
    }
    return count > 0 ? m + log(s) : -1e30;
}

void main() {
    vec2 x = mix(u_rect.xy, u_rect.zw, v_uv);
    o_field = vec2(log_field(u_exact, u_exact_count, x), log_field(u_sketch, u_sketch_count, x));
}
