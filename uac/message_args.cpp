#include "uac/message_args.hpp"

#include "sip/uri.hpp"

namespace pbxbench::uac {

Result<MessageLoadOptions> message_load_options(const UacArgs& a, const BatchOptions& batch) {
    MessageLoadOptions m;
    m.next_hop = batch.next_hop;
    m.total = a.messages;
    m.rate = a.message_rate;
    m.body_bytes = static_cast<std::size_t>(a.message_bytes);
    m.content_type = a.message_content_type;
    if (m.content_type.empty() || m.content_type.find_first_of("\r\n") != std::string::npos)
        return fail("--message-content-type: give a media type such as text/plain");
    // Distinct from the calls' Call-IDs ("<prefix>-<index>"): MessageLoad appends "-m<index>".
    m.id_prefix = batch.call_id_prefix;
    if (!batch.population.empty()) {
        m.population = batch.population;
        return m;
    }
    // The single-target form: one caller (its digest user, else the From user) to the target.
    auto target = sip::parse_uri(batch.target_uri);
    if (!target || target->user.empty())
        return fail("--messages needs a callee: --target sip:USER@HOST:PORT or a population");
    const std::string caller = batch.auth_user.empty() ? batch.from_user : batch.auth_user;
    m.population.callers.push_back({caller, batch.auth_password});
    m.population.callees.push_back(std::string(target->user));
    m.population.domain = std::string(target->host);
    if (target->port) m.population.domain += ":" + std::to_string(*target->port);
    if (auto valid = validate(m.population); !valid)
        return fail("--messages: " + valid.error().message);
    return m;
}

}  // namespace pbxbench::uac
