#version 330 core
// Kernel field over the projection plane, written as logarithms to an RG32F target:
//   R = log sum_i c_i exp(beta <p_i + c, x + c>) over the exact cache's binned keys,
//   G = the same over the selected sketch's stored keys with their denominator weights.
// p are centred projected coordinates, c = B mean, x the pixel's centred plane position. Each
// entry arrives pre-scaled as (beta (p + c), log weight) in a uniform block (uniform loads are
// cheap under llvmpipe, unlike texel fetches). Online log-sum-exp: large logits never overflow.
in vec2 v_uv;
out vec2 o_field;
layout(std140) uniform ExactEntries { vec4 u_exact[1024]; };
layout(std140) uniform SketchEntries { vec4 u_sketch[1024]; };
uniform int u_exact_count;
uniform int u_sketch_count;
uniform vec4 u_rect;   // x0, y0, x1, y1 of the plane region this target covers (centred)
uniform vec2 u_offset; // c = B mean

void main() {
    vec2 x = mix(u_rect.xy, u_rect.zw, v_uv) + u_offset;
    float m = -1e30, s = 0.0;
    for (int i = 0; i < u_exact_count; ++i) {
        vec4 e = u_exact[i];
        float l = dot(e.xy, x) + e.z;
        float t = exp(-abs(l - m));  // one exp per entry, no divergent branch
        s = l > m ? s * t + 1.0 : s + t;
        m = max(m, l);
    }
    float exact = u_exact_count > 0 ? m + log(s) : -1e30;
    m = -1e30;
    s = 0.0;
    for (int i = 0; i < u_sketch_count; ++i) {
        vec4 e = u_sketch[i];
        float l = dot(e.xy, x) + e.z;
        float t = exp(-abs(l - m));  // one exp per entry, no divergent branch
        s = l > m ? s * t + 1.0 : s + t;
        m = max(m, l);
    }
    o_field = vec2(exact, u_sketch_count > 0 ? m + log(s) : -1e30);
}
