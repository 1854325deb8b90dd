// `kvscope ARGS...` run in-process for the CLI tests: exit code, stdout and stderr.
#pragma once

#include <sstream>
#include <string>
#include <vector>

#include "cli/cli.hpp"

namespace kvscope::test {

struct CliResult {
    int code;
    std::string out;
    std::string err;
};

/// run_cli with argv = {"kvscope", args...}.
inline CliResult cli(std::vector<std::string> args) {
    args.insert(args.begin(), "kvscope");
    std::vector<char*> argv;
    for (auto& a : args)
        argv.push_back(a.data());
    std::ostringstream out, err;
    const int code = run_cli(static_cast<int>(argv.size()), argv.data(), out, err);
    return {code, out.str(), err.str()};
}

}  // namespace kvscope::test
