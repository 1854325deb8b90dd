#include "sources/large_norm.hpp"

#include "sources/isotropic_ball.hpp"

namespace kvscope {

SourceInfo large_norm_source_info() {
    return sphere_source_info(
        "large_norm", "Large-norm keys",
        "Keys and queries uniform on a sphere of large radius r; B = beta r^2 (16 at the "
        "defaults). Low temperature: peaky attention, Taylor overflow, e^{2B} blow-ups.",
        8.0,
        "Norm of every key and query; the logit bound is B = beta r^2 (r = 8 at d = 16, beta = "
        "1/sqrt(d) gives B = 16). Sweep it to sweep B.");
}

}  // namespace kvscope
