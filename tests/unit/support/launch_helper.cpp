// Test helper for process_test: launches `sleep 30` through the real launcher, prints the
// sleeper's PID and waits to be killed. Killing this helper with SIGKILL must take the
// sleeper with it (PR_SET_PDEATHSIG), which nothing else in the launcher would do.
#include <unistd.h>

#include <cstdio>

#include "harness/process.hpp"

int main() {
    auto launcher = pbxbench::harness::make_real_launcher();
    pbxbench::harness::LaunchSpec spec;
    spec.name = "grandchild";
    spec.argv = {"sleep", "30"};
    auto child = launcher->launch(spec);
    if (!child) {
        std::fprintf(stderr, "%s\n", child.error().message.c_str());
        return 1;
    }
    std::printf("%d\n", static_cast<int>((*child)->pid()));
    std::fflush(stdout);
    ::alarm(30);  // bounded even if the test forgets us
    for (;;) ::pause();
}
