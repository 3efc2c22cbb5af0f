#include "envelope/party.hpp"
#include "signet/error.hpp"
#include "support.hpp"

#include <doctest/doctest.h>

#include <fstream>

using namespace signet;
using namespace signet::envelope;

namespace {
Party parse(const std::string& spec, const std::string& region = "PL") {
    return parse_party_spec(spec, region, "--party 1");
}
}  // namespace

TEST_CASE("a party spec sets every key and normalises contacts") {
    const Party p = parse("role=company,name=Anna Nowak,email=Anna@ACME.Test,phone=601 234 567,"
                          "order=2,kind=organization,stamp=required,action=sign,auth=sms");
    CHECK(p.role == "company");
    CHECK(p.name == "Anna Nowak");
    CHECK(p.email == "Anna@acme.test");
    CHECK(p.phone == "+48601234567");
    CHECK(p.order == 2);
    CHECK(p.kind == PartyKind::organization);
    CHECK(p.stamp == StampRule::required);
    CHECK(p.auth == AuthMethod::sms);
}

TEST_CASE("party defaults: order 1, a person who signs, authenticated by the contact given") {
    const Party by_mail = parse("role=client,name=Jan,email=jan@example.com");
    CHECK(by_mail.order == 1);
    CHECK(by_mail.kind == PartyKind::person);
    CHECK(by_mail.action == PartyAction::sign);
    CHECK(by_mail.auth == AuthMethod::email);
    CHECK(parse("role=client,name=Jan,phone=+48601234567").auth == AuthMethod::sms);
    CHECK(parse("role=company,name=A,email=a@b.pl,stamp=required").kind ==
          PartyKind::organization);
}

TEST_CASE("quoted items and values may hold commas and quotes, CSV style") {
    CHECK(parse("role=client,\"name=ACME, Inc.\",email=a@b.pl").name == "ACME, Inc.");
    CHECK(parse("role=client,name=\"ACME, Inc.\",email=a@b.pl").name == "ACME, Inc.");
    CHECK(parse("role=client,\"name=The \"\"Best\"\" Co\",email=a@b.pl").name ==
          "The \"Best\" Co");
}

TEST_CASE("names in any script are kept intact") {
    CHECK(parse("role=client,name=Пётр Иванов,email=petr@example.ru").name == "Пётр Иванов");
    CHECK(parse("role=client,name=Żółć Łódź,email=zolc@example.pl").name == "Żółć Łódź");
}

TEST_CASE("bad party specs are refused with the place and the reason") {
    struct Case {
        const char* spec;
        const char* message;
    };
    const Case cases[] = {
        {"role=client,name=Jan,email=jan@example.com,colour=red", "unknown key \"colour\""},
        {"role=client,name,email=jan@example.com", "expected key=value"},
        {"role=client,\"name=Jan,email=jan@example.com", "unterminated quote"},
        {"role=client,name=Jan", "give an email or a phone"},
        {"name=Jan,email=jan@example.com", "role is missing"},
        {"role=client,email=jan@example.com", "name is missing"},
        {"role=client,name= ,email=jan@example.com", "name is empty"},
        {"role=Client,name=Jan,email=jan@example.com", "role must be lowercase"},
        {"role=client,name=Jan,email=jan@", "not a valid e-mail address"},
        {"role=client,name=Jan,email=jan@example", "not a valid e-mail address"},
        {"role=client,name=Jan,phone=12", "not a valid phone number"},
        {"role=client,name=Jan,email=j@example.com,order=0", "order must be a positive"},
        {"role=client,name=Jan,email=j@example.com,order=x", "order must be a positive"},
        {"role=client,name=Jan,email=j@example.com,kind=robot", "kind must be person or organization"},
        {"role=client,name=Jan,email=j@example.com,stamp=maybe", "stamp must be required or none"},
        {"role=client,name=Jan,email=j@example.com,action=watch", "action must be sign, approve or copy"},
        {"role=client,name=Jan,email=j@example.com,auth=pigeon", "auth must be email or sms"},
        {"role=client,name=Jan,email=j@example.com,auth=sms", "auth=sms needs a phone"},
        {"role=client,name=Jan\x01,email=j@example.com", "control character"},
        {"role=client,name=Jan,email=j@example.com,role=x", "role is given twice"},
        {"role=client,name=Jan,email=j@example.com,action=copy,stamp=required",
         "stamp=required needs action=sign"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.spec);
        CHECK_THROWS_WITH_AS(parse(c.spec), doctest::Contains(c.message), Error);
        CHECK_THROWS_WITH(parse(c.spec), doctest::Contains("--party 1"));
    }
}

TEST_CASE("a national phone number needs the store's default region") {
    CHECK_THROWS_WITH_AS(parse("role=client,name=Jan,phone=601234567", ""),
                         doctest::Contains("no default region"), Error);
    CHECK(parse("role=client,name=Jan,phone=+7 912 345-67-89", "").phone == "+79123456789");
    CHECK(parse("role=client,name=Jan,phone=030 901820", "DE").phone == "+4930901820");
}

TEST_CASE("parties together need unique roles and someone who acts") {
    const Party a = parse("role=client,name=Jan,email=j@example.com");
    CHECK_NOTHROW(check_parties({a}));
    CHECK_THROWS_WITH_AS(check_parties({a, a}), doctest::Contains("given to two parties"), Error);
    CHECK_THROWS_AS(check_parties({}), Error);
    const Party copy = parse("role=cc,name=Ann,email=a@example.com,action=copy");
    CHECK_THROWS_WITH(check_parties({copy}), doctest::Contains("at least one must sign"));
}

TEST_CASE("a party file in YAML or JSON gives the same parties, errors with line and column") {
    test::TempDir tmp;
    const auto yaml = tmp.path() / "parties.yaml";
    std::ofstream(yaml) << "- role: company\n  name: Anna Nowak\n  email: anna@acme.test\n"
                           "  stamp: required\n- role: client\n  name: Пётр\n  phone: '+48601234567'\n"
                           "  order: 2\n";
    const auto from_yaml = read_party_file(yaml, "");
    REQUIRE(from_yaml.size() == 2);
    CHECK(from_yaml[1].name == "Пётр");
    CHECK(from_yaml[1].order == 2);

    const auto json = tmp.path() / "parties.json";
    std::ofstream(json) << R"({"parties": [{"role": "client", "name": "Jan", "email": "j@example.com"}]})";
    CHECK(read_party_file(json, "").at(0).role == "client");

    const auto bad = tmp.path() / "bad.yaml";
    std::ofstream(bad) << "- role: client\n  name: Jan\n  email: j@example.com\n- role: x\n  nam: y\n";
    CHECK_THROWS_WITH_AS(read_party_file(bad, ""), doctest::Contains("bad.yaml:5:3: unknown key \"nam\""),
                         Error);
}
