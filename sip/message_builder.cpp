#include "sip/message_builder.hpp"

namespace pbxbench::sip {

MessageBuilder& MessageBuilder::request_line(std::string_view method, std::string_view uri) {
    out_.append(method);
    out_.push_back(' ');
    out_.append(uri);
    out_.append(" SIP/2.0\r\n");
    return *this;
}

MessageBuilder& MessageBuilder::status_line(int status, std::string_view reason) {
    out_.append("SIP/2.0 ");
    detail::append_part(out_, status);
    out_.push_back(' ');
    out_.append(reason.empty() ? reason_phrase(status) : reason);
    out_.append("\r\n");
    return *this;
}

std::string MessageBuilder::finish(std::string_view body, std::string_view content_type) {
    if (!body.empty()) header("Content-Type", content_type);
    header("Content-Length", body.size());
    out_.append("\r\n");
    out_.append(body);
    return std::move(out_);
}

std::string_view reason_phrase(int status) {
    switch (status) {
        case 100:
            return "Trying";
        case 180:
            return "Ringing";
        case 181:
            return "Call Is Being Forwarded";
        case 182:
            return "Queued";
        case 183:
            return "Session Progress";
        case 200:
            return "OK";
        case 202:
            return "Accepted";
        case 301:
            return "Moved Permanently";
        case 302:
            return "Moved Temporarily";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 407:
            return "Proxy Authentication Required";
        case 408:
            return "Request Timeout";
        case 415:
            return "Unsupported Media Type";
        case 420:
            return "Bad Extension";
        case 423:
            return "Interval Too Brief";
        case 480:
            return "Temporarily Unavailable";
        case 481:
            return "Call/Transaction Does Not Exist";
        case 482:
            return "Loop Detected";
        case 483:
            return "Too Many Hops";
        case 486:
            return "Busy Here";
        case 487:
            return "Request Terminated";
        case 488:
            return "Not Acceptable Here";
        case 491:
            return "Request Pending";
        case 500:
            return "Server Internal Error";
        case 501:
            return "Not Implemented";
        case 503:
            return "Service Unavailable";
        case 504:
            return "Server Time-out";
        case 505:
            return "Version Not Supported";
        case 600:
            return "Busy Everywhere";
        case 603:
            return "Decline";
        default:
            return "Unknown";
    }
}

MessageBuilder response_to(const Message& request, int status, std::string_view to_tag,
                           std::string_view reason) {
    MessageBuilder b(512 + request.raw().size() / 2);
    b.status_line(status, reason);
    for (const HeaderField& h : request.headers()) {
        if (h.id == HeaderId::via) b.header("Via", h.value);
    }
    b.header("From", request.header(HeaderId::from));
    std::string_view to = request.header(HeaderId::to);
    if (status > 100 && request.to().tag().empty() && !to_tag.empty()) {
        b.header("To", to, ";tag=", to_tag);
    } else {
        b.header("To", to);
    }
    b.header("Call-ID", request.call_id());
    b.header("CSeq", request.cseq().number, ' ', request.cseq().method_token);
    return b;
}

}  // namespace pbxbench::sip
