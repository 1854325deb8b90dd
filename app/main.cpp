// kvscope: the explorer and the command line, two clients of the engine library.
#include "cli/cli.hpp"

int main(int argc, char** argv) {
    return kvscope::run_cli(argc, argv);
}
