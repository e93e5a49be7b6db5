// Test helper for process_test: launches `sleep 30` through the real launcher, prints the
// sleeper's PID and waits to be killed. Killing this helper with SIGKILL must take the
// sleeper with it (PR_SET_PDEATHSIG), which nothing else in the launcher would do.
// With --worker it launches a shell that forks the sleeper itself (as Kamailio forks its
// workers): the sleeper then has no PDEATHSIG and only the launcher's guard can kill it.
#include <unistd.h>

#include <cstdio>
#include <cstring>

#include "harness/process.hpp"

int main(int argc, char** argv) {
    using namespace std::chrono_literals;
    const bool worker = argc > 1 && std::strcmp(argv[1], "--worker") == 0;
    auto launcher = pbxbench::harness::make_real_launcher();
    pbxbench::harness::LaunchSpec spec;
    spec.name = "grandchild";
    spec.argv = {"sleep", "30"};
    if (worker) {
        spec.argv = {"sh", "-c", "sleep 30 & echo $!; wait"};
        spec.stdout_to = pbxbench::harness::StdoutTo::pipe;
    }
    auto child = launcher->launch(spec);
    if (!child) {
        std::fprintf(stderr, "%s\n", child.error().message.c_str());
        return 1;
    }
    if (worker) {
        auto line = (*child)->read_line(5s);
        if (line.status != pbxbench::harness::LineRead::Status::line) return 1;
        std::printf("%s\n", line.text.c_str());
    } else {
        std::printf("%d\n", static_cast<int>((*child)->pid()));
    }
    std::fflush(stdout);
    ::alarm(30);  // bounded even if the test forgets us
    for (;;) ::pause();
}
