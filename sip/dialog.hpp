#pragma once
// Dialog state (RFC 3261 §12) and construction of requests inside a dialog.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/error.hpp"
#include "sip/message.hpp"

namespace pbxbench::sip {

struct Dialog {
    std::string call_id;
    std::string local_tag;
    std::string remote_tag;
    std::string local_party;   // the From value of our requests, with our tag
    std::string remote_party;  // the To value of our requests, with the peer's tag
    std::uint32_t local_seq = 0;
    std::optional<std::uint32_t> remote_seq;
    std::string remote_target;           // the peer's Contact URI
    std::vector<std::string> route_set;  // Record-Route entries, as name-addr text
    bool secure = false;
};

// What the UAC side needs of its own dialog-creating request.
struct UacRequestInfo {
    std::string_view call_id;
    std::string_view local_party;  // our From value, with our tag
    std::string_view local_tag;
    std::string_view request_uri;
    std::uint32_t cseq = 0;
};

// Creates the UAC side from our request and a 2xx (or a 1xx with a To tag) that answered it:
// route set from Record-Route in reverse, remote target from Contact (§12.1.2).
Result<Dialog> make_uac_dialog(const UacRequestInfo& request, const Message& response);
Result<Dialog> make_uac_dialog(const Message& request, const Message& response);

// Creates the UAS side from a dialog-creating request and the To tag we chose (§12.1.1).
Result<Dialog> make_uas_dialog(const Message& request, std::string_view local_tag);

// Where a request in this dialog is sent first: the first route's URI, else the remote target.
std::string_view next_hop_uri(const Dialog& d);

struct InDialogRequest {
    std::string_view method;       // "BYE", "ACK", "INVITE", ...
    std::string_view via_sent_by;  // "127.0.0.1:5070"
    std::string_view branch;
    std::optional<std::uint32_t> cseq;  // set for ACK (the INVITE's number); else local_seq + 1
    std::string_view contact;           // optional Contact URI (re-INVITE)
    std::string_view body;              // optional SDP
    // Further headers, after Contact: "Name: value" pairs (Proxy-Authorization, Allow, ...).
    std::span<const std::pair<std::string_view, std::string_view>> extra_headers = {};
};

// Builds a request within the dialog (§12.2.1.1), with loose or strict routing as the route
// set requires; advances local_seq unless `cseq` was given. Initial requests (INVITE, CANCEL)
// go through here too, from a dialog made by initial_request_dialog(): one builder for all.
std::string build_in_dialog_request(Dialog& d, const InDialogRequest& r);

// The pseudo-dialog an initial request is built from: no route set, the Request-URI as the
// remote target, our From (with tag) and the peer's To (without tag); local_seq = `cseq`.
Dialog initial_request_dialog(std::string call_id, std::string from, std::string_view to_uri,
                              std::uint32_t cseq);

// Checks an in-dialog request's CSeq against the remote sequence (§12.2.2): false if it is
// lower (the caller answers 500), otherwise records it.
bool accept_remote_cseq(Dialog& d, std::uint32_t cseq);

}  // namespace pbxbench::sip
