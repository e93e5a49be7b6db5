#include "sip/digest.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

using namespace pbxbench::sip;
using ::testing::HasSubstr;

namespace {

constexpr std::string_view rfc2617_nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093";
constexpr std::string_view rfc7616_nonce = "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v";
constexpr std::string_view rfc7616_cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";

}  // namespace

TEST(DigestVectors, Rfc2617Section3_5) {
    EXPECT_EQ(digest_response(DigestAlgorithm::md5, "Mufasa", "testrealm@host.com",
                              "Circle Of Life", rfc2617_nonce, "00000001", "0a4f113b", Qop::auth,
                              "GET", "/dir/index.html", ""),
              "6629fae49393a05397450978507c4ef1");
}

TEST(DigestVectors, Rfc7616Section3_9_1) {
    EXPECT_EQ(digest_response(DigestAlgorithm::sha256, "Mufasa", "http-auth@example.org",
                              "Circle of Life", rfc7616_nonce, "00000001", rfc7616_cnonce,
                              Qop::auth, "GET", "/dir/index.html", ""),
              "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
    EXPECT_EQ(digest_response(DigestAlgorithm::md5, "Mufasa", "http-auth@example.org",
                              "Circle of Life", rfc7616_nonce, "00000001", rfc7616_cnonce,
                              Qop::auth, "GET", "/dir/index.html", ""),
              "8ca523f5e9506fed4657c9700eebdbec");
}

TEST(DigestVectors, Rfc2069NoQop) {
    // RFC 2069's printed example is wrong (erratum); this is the value its formula gives.
    EXPECT_EQ(digest_response(DigestAlgorithm::md5, "Mufasa", "testrealm@host.com", "CircleOfLife",
                              rfc2617_nonce, "", "", Qop::none, "GET", "/dir/index.html", ""),
              "1949323746fe6a43ef61f9606e7febea");
}

// Expected values computed independently from the RFC 2617 / 7616 formulas (Python hashlib).
TEST(DigestVectors, SessAndAuthInt) {
    EXPECT_EQ(digest_response(DigestAlgorithm::md5_sess, "Mufasa", "testrealm@host.com",
                              "Circle Of Life", rfc2617_nonce, "00000001", "0a4f113b", Qop::auth,
                              "GET", "/dir/index.html", ""),
              "8e3825c57e897f5a0dec6c2d4e5059d0");
    EXPECT_EQ(digest_response(DigestAlgorithm::md5, "Mufasa", "testrealm@host.com",
                              "Circle Of Life", rfc2617_nonce, "00000001", "0a4f113b",
                              Qop::auth_int, "INVITE", "sip:bob@example.com", "v=0\r\n"),
              "6a6e449f512a9f3e11597febd92718ea");
    EXPECT_EQ(digest_response(DigestAlgorithm::sha256_sess, "Mufasa", "testrealm@host.com",
                              "Circle Of Life", rfc2617_nonce, "00000002", "0a4f113b", Qop::auth,
                              "REGISTER", "sip:example.com", ""),
              "e84bc5092503d82dc42f0753805b44d1e8569b28185eba4e60fd7f7259b58685");
}

TEST(DigestAuthorization, Rfc2617ExampleHeader) {
    auto c = parse_challenge(
        "Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", "
        "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", "
        "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(choose_qop(*c), Qop::auth);
    EXPECT_EQ(build_authorization(*c, {"Mufasa", "Circle Of Life"}, "GET", "/dir/index.html", 1,
                                  "0a4f113b"),
              "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
              "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", "
              "response=\"6629fae49393a05397450978507c4ef1\", algorithm=MD5, "
              "cnonce=\"0a4f113b\", qop=auth, nc=00000001, "
              "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"");
}

TEST(DigestAuthorization, Rfc7616Sha256Header) {
    auto c = parse_challenge(
        "Digest realm=\"http-auth@example.org\", qop=\"auth, auth-int\", algorithm=SHA-256, "
        "nonce=\"7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v\", "
        "opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\"");
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->algorithm, DigestAlgorithm::sha256);
    std::string h = build_authorization(*c, {"Mufasa", "Circle of Life"}, "GET", "/dir/index.html",
                                        1, rfc7616_cnonce);
    EXPECT_THAT(h, HasSubstr("response=\"753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db"
                             "5856cb6c1\""));
    EXPECT_THAT(h, HasSubstr("algorithm=SHA-256"));
    EXPECT_THAT(h, HasSubstr("opaque=\"FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS\""));
}

TEST(DigestAuthorization, NoQopOmitsCnonceAndNc) {
    auto c = parse_challenge(
        "Digest realm=\"testrealm@host.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\"");
    ASSERT_TRUE(c);
    EXPECT_EQ(choose_qop(*c), Qop::none);
    std::string h =
        build_authorization(*c, {"Mufasa", "CircleOfLife"}, "GET", "/dir/index.html", 1, "ignored");
    EXPECT_THAT(h, HasSubstr("response=\"1949323746fe6a43ef61f9606e7febea\""));
    EXPECT_THAT(h, ::testing::Not(HasSubstr("cnonce")));
    EXPECT_THAT(h, ::testing::Not(HasSubstr("qop")));
    EXPECT_THAT(h, ::testing::Not(HasSubstr("nc=")));
    EXPECT_THAT(h, ::testing::Not(HasSubstr("opaque")));
}

TEST(DigestAuthorization, AuthIntOnlyAndNonceCountHex) {
    auto c = parse_challenge("Digest realm=\"r\", nonce=\"n\", qop=\"auth-int\"");
    ASSERT_TRUE(c);
    EXPECT_EQ(choose_qop(*c), Qop::auth_int);
    std::string h = build_authorization(*c, {"u", "p"}, "INVITE", "sip:b@x", 0x1a2b, "cn", "body");
    EXPECT_THAT(h, HasSubstr("qop=auth-int, nc=00001a2b"));
    auto f = parse_authorization(h);
    ASSERT_TRUE(f) << f.error().message;
    EXPECT_TRUE(verify_authorization(*f, "p", "INVITE", "body"));
    EXPECT_FALSE(verify_authorization(*f, "p", "INVITE", "other body"));
}

TEST(DigestRoundTrip, EveryAlgorithmAndQop) {
    for (const char* alg : {"MD5", "MD5-sess", "SHA-256", "SHA-256-sess"}) {
        for (const char* qop : {"", ", qop=\"auth\"", ", qop=\"auth-int\""}) {
            std::string value = std::string(
                                    "Digest realm=\"pbx.example\", nonce=\"abc123\", "
                                    "opaque=\"op\", algorithm=") +
                                alg + qop;
            auto c = parse_challenge(value);
            ASSERT_TRUE(c) << value << ": " << c.error().message;
            std::string h = build_authorization(*c, {"alice", "s3cret"}, "REGISTER",
                                                "sip:pbx.example", 3, make_cnonce(), "sdp");
            auto f = parse_authorization(h);
            ASSERT_TRUE(f) << h << ": " << f.error().message;
            EXPECT_EQ(f->username, "alice");
            EXPECT_EQ(f->uri, "sip:pbx.example");
            EXPECT_EQ(f->opaque, "op");
            EXPECT_EQ(to_string(f->algorithm), alg);
            EXPECT_TRUE(verify_authorization(*f, "s3cret", "REGISTER", "sdp")) << h;
            EXPECT_FALSE(verify_authorization(*f, "wrong", "REGISTER", "sdp")) << h;
            EXPECT_FALSE(verify_authorization(*f, "s3cret", "INVITE", "sdp")) << h;
        }
    }
}

TEST(DigestRoundTrip, QuotesInUsernameAreEscaped) {
    auto c = parse_challenge("Digest realm=\"r\", nonce=\"n\", qop=\"auth\"");
    ASSERT_TRUE(c);
    std::string h = build_authorization(*c, {"a\"b\\c", "pw"}, "INVITE", "sip:x", 1, "cn");
    EXPECT_THAT(h, HasSubstr("username=\"a\\\"b\\\\c\""));
    auto f = parse_authorization(h);
    ASSERT_TRUE(f) << f.error().message;
    EXPECT_EQ(f->username, "a\"b\\c");
    EXPECT_TRUE(verify_authorization(*f, "pw", "INVITE"));
}

TEST(DigestRoundTrip, UppercaseResponseHexVerifies) {
    auto f = parse_authorization(
        "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", "
        "nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", uri=\"/dir/index.html\", qop=auth, "
        "nc=00000001, cnonce=\"0a4f113b\", response=\"6629FAE49393A05397450978507C4EF1\"");
    ASSERT_TRUE(f) << f.error().message;
    EXPECT_EQ(f->qop, Qop::auth);
    EXPECT_EQ(f->nc, "00000001");
    EXPECT_TRUE(verify_authorization(*f, "Circle Of Life", "GET"));
}

TEST(DigestChallenge, KamailioStyle) {
    auto c = parse_challenge(
        "Digest realm=\"127.0.0.1\", nonce=\"Zk3wZGZN7zjxvF2mT4kTn0G+gGEqo8hk\", qop=\"auth\"");
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->realm, "127.0.0.1");
    EXPECT_EQ(c->nonce, "Zk3wZGZN7zjxvF2mT4kTn0G+gGEqo8hk");
    EXPECT_TRUE(c->qop_auth);
    EXPECT_FALSE(c->qop_auth_int);
    EXPECT_EQ(c->algorithm, DigestAlgorithm::md5);
    EXPECT_FALSE(c->opaque);
    EXPECT_FALSE(c->stale);
}

TEST(DigestChallenge, AsteriskStyleAlgorithmFirstAndLowercaseScheme) {
    auto c = parse_challenge("digest algorithm=md5-SESS,realm=\"asterisk\",nonce=\"1c1b2c3d\"");
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->algorithm, DigestAlgorithm::md5_sess);
    EXPECT_EQ(c->realm, "asterisk");
    EXPECT_EQ(c->nonce, "1c1b2c3d");
}

TEST(DigestChallenge, ProxyAuthenticateWithStaleDomainOpaque) {
    // RFC 3261 §20.28's Proxy-Authenticate example, plus stale.
    auto c = parse_challenge(
        "Digest realm=\"atlanta.com\", domain=\"sip:ss1.carrier.com\", qop=\"auth\", "
        "nonce=\"f84f1cec41e6cbe5aea9c8e88d359\", opaque=\"\", stale=TRUE, algorithm=MD5");
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->realm, "atlanta.com");
    EXPECT_EQ(c->domain, "sip:ss1.carrier.com");
    EXPECT_TRUE(c->stale);
    ASSERT_TRUE(c->opaque);
    EXPECT_EQ(*c->opaque, "");
    // An empty opaque is still echoed.
    EXPECT_THAT(
        build_authorization(*c, {"bob", "zanzibar"}, "INVITE", "sip:bob@biloxi.com", 1, "x"),
        HasSubstr("opaque=\"\""));
}

TEST(DigestChallenge, QuotedCommaAndEscapes) {
    auto c = parse_challenge(
        "Digest realm=\"Sales, Support\", nonce=\"ab\\\"c,d\", qop=\"auth,auth-int\"");
    ASSERT_TRUE(c) << c.error().message;
    EXPECT_EQ(c->realm, "Sales, Support");
    EXPECT_EQ(c->nonce, "ab\"c,d");
    EXPECT_TRUE(c->qop_auth);
    EXPECT_TRUE(c->qop_auth_int);
}

TEST(DigestChallenge, MalformedChallengesAreRejected) {
    struct Case {
        const char* value;
        const char* error_mentions;
    };
    for (Case c : {
             Case{"", "scheme"},
             Case{"Basic realm=\"x\"", "Basic"},
             Case{"Digest", "realm"},
             Case{"Digest realm=\"x\"", "nonce"},
             Case{"Digest nonce=\"n\"", "realm"},
             Case{"Digest realm=\"x\", nonce=\"n\", algorithm=SHA-512-256", "SHA-512-256"},
             Case{"Digest realm=\"x\", nonce=\"n\", algorithm=AKAv1-MD5", "AKAv1-MD5"},
             Case{"Digest realm=\"x, nonce=\"n\"", "malformed"},
             Case{"Digest realm=\"x\" junk, nonce=\"n\"", "malformed"},
             Case{"Digest realm=\"x\", stale, nonce=\"n\"", "stale"},
             Case{"Digest realm=\"x\", nonce=\"n\", nonce=\"m\"", "nonce"},
             Case{"Digest realm=\"x\", nonce=\"n\", qop=\"auth-conf\"", "qop"},
             Case{"Digest realm=\"x\", nonce=\"\"", "nonce"},
         }) {
        auto r = parse_challenge(c.value);
        ASSERT_FALSE(r) << c.value;
        EXPECT_THAT(r.error().message, HasSubstr(c.error_mentions)) << c.value;
    }
}

TEST(DigestAuthorizationParse, MissingFieldsAreRejected) {
    EXPECT_FALSE(parse_authorization("Digest realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\""));
    EXPECT_FALSE(parse_authorization("Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\""));
    auto no_nc = parse_authorization(
        "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\", qop=auth, "
        "cnonce=\"c\"");
    ASSERT_FALSE(no_nc);
    EXPECT_THAT(no_nc.error().message, HasSubstr("nc"));
    EXPECT_FALSE(parse_authorization(
        "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\", qop=auth, "
        "nc=00000001"));
    EXPECT_FALSE(parse_authorization(
        "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"u\", response=\"x\", qop=auth, "
        "nc=1, cnonce=\"c\""));
}

TEST(DigestCnonce, IsRandomHex) {
    std::string a = make_cnonce();
    std::string b = make_cnonce();
    EXPECT_EQ(a.size(), 32u);
    EXPECT_EQ(a.find_first_not_of("0123456789abcdef"), std::string::npos);
    EXPECT_NE(a, b);
}
