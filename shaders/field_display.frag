#version 330 core
// Maps the log field (field.frag) to colour: viridis for the exact or the sketch's log field over
// [u_lo, u_hi], a diverging blue-white-red map centred on 0 for log(sketch / exact).
in vec2 v_uv;
out vec4 o_colour;
uniform sampler2D u_field;
uniform int u_mode;  // 0 exact, 1 sketch, 2 difference
uniform float u_lo;
uniform float u_hi;
uniform float u_alpha;

vec3 viridis(float t) {
    const vec3 c[9] = vec3[9](vec3(0.267, 0.005, 0.329), vec3(0.279, 0.175, 0.483),
                              vec3(0.230, 0.322, 0.546), vec3(0.173, 0.449, 0.558),
                              vec3(0.128, 0.567, 0.551), vec3(0.157, 0.684, 0.502),
                              vec3(0.369, 0.789, 0.383), vec3(0.678, 0.864, 0.190),
                              vec3(0.993, 0.906, 0.144));
    float x = clamp(t, 0.0, 1.0) * 8.0;
    int i = min(7, int(x));
    return mix(c[i], c[i + 1], x - float(i));
}

vec3 diverging(float t) {  // t in [-1, 1]
    vec3 lo = vec3(0.230, 0.299, 0.754), mid = vec3(0.865, 0.865, 0.865),
         hi = vec3(0.706, 0.016, 0.150);
    t = clamp(t, -1.0, 1.0);
    return t < 0.0 ? mix(mid, lo, -t) : mix(mid, hi, t);
}

void main() {
    vec2 f = texture(u_field, v_uv).rg;
    if (u_mode == 2) {
        if (f.r < -1e29 || f.g < -1e29) discard;
        o_colour = vec4(diverging((f.g - f.r) / max(u_hi, 1e-6)), u_alpha);
    } else {
        float v = u_mode == 0 ? f.r : f.g;
        if (v < -1e29) discard;
        o_colour = vec4(viridis((v - u_lo) / max(u_hi - u_lo, 1e-6)), u_alpha);
    }
}
