#include "cli/cli.hpp"

#include <iostream>

namespace kvscope {

int run_cli(int argc, char** argv) {
    return run_cli(argc, argv, std::cout, std::cerr);
}
int run_cli(int, char**, std::ostream&, std::ostream& err) {
    err << "kvscope: not implemented yet\n";
    return 1;
}

}  // namespace kvscope
