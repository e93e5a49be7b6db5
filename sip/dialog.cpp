#include "sip/dialog.hpp"

#include <algorithm>

#include "sip/message_builder.hpp"
#include "sip/uri.hpp"

namespace pbxbench::sip {

namespace {

std::vector<std::string> record_routes(const Message& m) {
    std::vector<std::string> routes;
    m.for_each_element(HeaderId::record_route, [&](std::string_view e) { routes.emplace_back(e); });
    return routes;
}

Result<std::string> contact_uri(const Message& m) {
    CommaList contacts(m.header(HeaderId::contact));
    auto first = contacts.next();
    if (!first) return fail("no Contact header to take the remote target from");
    auto na = parse_name_addr(*first);
    if (!na) return fail("Contact: " + na.error().message);
    return std::string(na->uri);
}

std::string_view route_uri(std::string_view route) {
    auto na = parse_name_addr(route);
    return na ? na->uri : route;
}

}  // namespace

Result<Dialog> make_uac_dialog(const UacRequestInfo& request, const Message& response) {
    Dialog d;
    if (response.to().tag().empty()) return fail("response has no To tag, so it creates no dialog");
    auto target = contact_uri(response);
    if (!target) return tl::unexpected(target.error());
    d.call_id = request.call_id;
    d.local_tag = request.local_tag;
    d.remote_tag = response.to().tag();
    d.local_party = request.local_party;
    d.remote_party = response.header(HeaderId::to);
    d.local_seq = request.cseq;
    d.remote_target = std::move(*target);
    d.route_set = record_routes(response);
    std::reverse(d.route_set.begin(), d.route_set.end());
    auto ruri = parse_uri(request.request_uri);
    d.secure = ruri && ruri->is_sips();
    return d;
}

Result<Dialog> make_uac_dialog(const Message& request, const Message& response) {
    return make_uac_dialog(
        UacRequestInfo{request.call_id(), request.header(HeaderId::from), request.from().tag(),
                       request.request_uri(), request.cseq().number},
        response);
}

Result<Dialog> make_uas_dialog(const Message& request, std::string_view local_tag) {
    Dialog d;
    auto target = contact_uri(request);
    if (!target) return tl::unexpected(target.error());
    d.call_id = request.call_id();
    d.local_tag = local_tag;
    d.remote_tag = request.from().tag();
    std::string_view to = request.header(HeaderId::to);
    d.local_party = request.to().tag().empty() ? std::string(to) + ";tag=" + std::string(local_tag)
                                               : std::string(to);
    d.remote_party = request.header(HeaderId::from);
    d.remote_seq = request.cseq().number;
    d.remote_target = std::move(*target);
    d.route_set = record_routes(request);
    auto ruri = parse_uri(request.request_uri());
    d.secure = ruri && ruri->is_sips();
    return d;
}

std::string_view next_hop_uri(const Dialog& d) {
    return d.route_set.empty() ? std::string_view(d.remote_target) : route_uri(d.route_set.front());
}

std::string build_in_dialog_request(Dialog& d, const InDialogRequest& r) {
    std::uint32_t cseq = r.cseq ? *r.cseq : ++d.local_seq;
    bool strict = false;
    if (!d.route_set.empty()) {
        auto first = parse_uri(route_uri(d.route_set.front()));
        strict = first && !first->params.has("lr");
    }
    MessageBuilder b(512 + r.body.size());
    if (strict) {
        // Strict routing (§12.2.1.1): the first route becomes the Request-URI, the remote
        // target joins the end of the Route list.
        std::string_view first = route_uri(d.route_set.front());
        b.request_line(r.method, first.substr(0, first.find('?')));
    } else {
        b.request_line(r.method, d.remote_target);
    }
    b.header("Via", "SIP/2.0/UDP ", r.via_sent_by, ";branch=", r.branch, ";rport");
    b.header("Max-Forwards", 70);
    for (std::size_t i = strict ? 1 : 0; i < d.route_set.size(); ++i)
        b.header("Route", d.route_set[i]);
    if (strict) b.header("Route", "<", d.remote_target, ">");
    b.header("From", d.local_party);
    b.header("To", d.remote_party);
    b.header("Call-ID", d.call_id);
    b.header("CSeq", cseq, ' ', r.method);
    if (!r.contact.empty()) b.header("Contact", "<", r.contact, ">");
    for (const auto& [name, value] : r.extra_headers) b.header(name, value);
    return b.finish(r.body);
}

Dialog initial_request_dialog(std::string call_id, std::string from, std::string_view to_uri,
                              std::uint32_t cseq) {
    Dialog d;
    d.call_id = std::move(call_id);
    d.local_party = std::move(from);
    d.remote_target = std::string(to_uri);
    d.remote_party.reserve(to_uri.size() + 2);
    d.remote_party.append("<").append(to_uri).append(">");
    d.local_seq = cseq;
    return d;
}

bool accept_remote_cseq(Dialog& d, std::uint32_t cseq) {
    if (d.remote_seq && cseq < *d.remote_seq) return false;
    d.remote_seq = cseq;
    return true;
}

}  // namespace pbxbench::sip
