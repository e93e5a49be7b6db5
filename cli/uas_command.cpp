#include "cli/uas_command.hpp"

#include <fstream>
#include <iostream>
#include <memory>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "cli/config_file.hpp"
#include "uas/uas_args.hpp"
#include "uas/uas_run.hpp"

namespace pbxbench::cli {

namespace {

using uas::UasArgs;

// Prints events as JSON lines on stdout (flushed each, for a supervisor reading a pipe)
// and human progress on stderr.
class JsonEvents final : public uas::UasEvents {
  public:
    void registered(const uas::RegisteredEvent& e) override {
        emit({{"event", "registered"},
              {"endpoint", e.endpoint},
              {"user", e.user},
              {"port", e.port},
              {"status", e.status},
              {"contact", e.contact},
              {"expires", e.expires_s}});
        std::cerr << "pbxbench uas: " << e.user << " registered on port " << e.port << " for "
                  << e.expires_s << " s\n";
    }
    void ready(const uas::ReadyEvent& e) override {
        emit({{"event", "ready"},
              {"endpoints", e.ports.size()},
              {"users", e.users},
              {"ports", e.ports},
              {"registered", e.registered}});
    }
    void stats(const uas::StatsSnapshot& s) override { emit(snapshot_json("stats", s)); }
    void summary(const uas::StatsSnapshot& s, std::string_view outcome) override {
        auto line = snapshot_json("summary", s);
        line["outcome"] = outcome;
        emit(line);
    }
    void progress(std::string_view line) override { std::cerr << "pbxbench uas: " << line << '\n'; }

  private:
    static void emit(const nlohmann::json& line) { std::cout << line.dump() << std::endl; }

    static nlohmann::json snapshot_json(std::string_view event, const uas::StatsSnapshot& s) {
        nlohmann::json line = {{"event", event},           {"elapsed_s", s.elapsed_s},
                               {"endpoints", s.endpoints}, {"active_dialogs", s.active_dialogs},
                               {"ringing", s.ringing},     {"media", s.media}};
        line["messages"] = s.messages;
        for (const uas::CounterInfo& c : uas::uas_counter_table)
            line[std::string(c.id)] = s.counters.*c.field;
        line["calls_per_user"] = {{"users", s.calls_per_user.users},
                                  {"min", s.calls_per_user.min},
                                  {"max", s.calls_per_user.max},
                                  {"without_calls", s.calls_per_user.without_calls}};
        return line;
    }
};

ExitCode run_uas_command(const UasArgs& args) {
    auto o = uas::to_options(args);
    if (!o) throw Fatal(o.error().message, ExitCode::usage);
    JsonEvents events;
    auto result = uas::run_uas(*o, events);
    if (!result) throw Fatal(result.error().message, ExitCode::failed);
    return *result;
}

}  // namespace

void add_uas_command(CLI::App& app, ExitCode& result) {
    auto a = std::make_shared<UasArgs>();
    auto config = std::make_shared<std::string>();
    CLI::App* cmd = app.add_subcommand(
        "uas", "Run registered echo endpoints that answer calls; JSON lines on stdout");
    cmd->add_option("--config", *config,
                    "Read every option from this JSON file first (keys: option names with "
                    "underscores, e.g. {\"endpoints\": 10, \"users\": \"1000,1001\"}); options "
                    "given here override it. Keeps passwords off the command line");
    uas::add_uas_options(*cmd, *a);
    cmd->callback([a, config, cmd, &result] {
        if (!config->empty()) {
            auto merged = merge_config_file(*cmd, *config, uas::to_json(*a));
            auto loaded = uas::uas_args_from_json(merged, "--config " + *config);
            if (!loaded) throw Fatal(loaded.error().message, ExitCode::usage);
            *a = std::move(*loaded);
        }
        result = run_uas_command(*a);
    });
}

}  // namespace pbxbench::cli
