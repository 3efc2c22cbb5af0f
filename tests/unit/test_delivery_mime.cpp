#include "delivery/mime.hpp"
#include "signet/error.hpp"
#include "test_delivery_support.hpp"
#include "util/crypto_hash.hpp"

#include <doctest/doctest.h>

using namespace signet;
using delivery::MailMessage;

namespace {

MailMessage sample_message() {
    MailMessage m;
    m.from = {"ACME Signing", "signing@acme.test"};
    m.to = {{"Пётр Иванов", "p@example.ru"}};
    m.subject = "Umowa do podpisu — Łódź, Żółć";
    m.text = "Dzień dobry,\nproszę podpisać umowę.\n\nsignet sign k7q2m9xd --token abc\n";
    m.message_id = "<abc123@signet.test>";
    m.date = 1795424871;  // 2026-11-23T09:07:51Z
    return m;
}

// Every line of the message's header block, without the CRLF.
std::vector<std::string> header_lines(const std::string& message) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    for (;;) {
        const auto end = message.find("\r\n", start);
        REQUIRE(end != std::string::npos);
        if (end == start) {
            return lines;
        }
        lines.push_back(message.substr(start, end - start));
        start = end + 2;
    }
}

std::map<std::string, std::string> parse_with_python(const std::string& message) {
    test::TempDir tmp;
    util::write_file_atomic(tmp.path() / "m.eml", message, 0600);
    return test::parse_lines(
        test::run_python(tmp.path(), test::k_parse_mail_py, {(tmp.path() / "m.eml").string()}));
}

}  // namespace

TEST_CASE("a message with Cyrillic and Polish headers decodes back to the same text") {
    const std::string eml = delivery::build_message(sample_message());
    const auto got = parse_with_python(eml);
    CHECK(got.at("subject") == "Umowa do podpisu — Łódź, Żółć");
    CHECK(got.at("to_name") == "Пётр Иванов");
    CHECK(got.at("to_addr") == "p@example.ru");
    CHECK(got.at("to_decoded") == "Пётр Иванов <p@example.ru>");
    CHECK(got.at("subject_decoded") == "Umowa do podpisu — Łódź, Żółć");
    CHECK(got.at("from_name") == "ACME Signing");
    CHECK(got.at("from_addr") == "signing@acme.test");
    CHECK(got.at("message_id") == "<abc123@signet.test>");
    CHECK(got.at("date") == "Mon, 23 Nov 2026 09:07:51 +0000");
    CHECK(got.at("mime_version") == "1.0");
    CHECK(got.at("body_charset") == "utf-8");
    CHECK(got.at("body") ==
          "Dzień dobry,\nproszę podpisać umowę.\n\nsignet sign k7q2m9xd --token abc\n");
    CHECK(got.at("defects") == "0");
}

TEST_CASE("non-ASCII headers are RFC 2047 encoded-words and ASCII ones stay readable") {
    const std::string eml = delivery::build_message(sample_message());
    CHECK(eml.find("\r\nSubject: =?UTF-8?") != std::string::npos);
    CHECK(eml.find("To: =?UTF-8?") != std::string::npos);
    CHECK(eml.find("From: ACME Signing <signing@acme.test>\r\n") == 0);
    for (const auto& line : header_lines(eml)) {
        for (const char c : line) {
            CHECK(static_cast<unsigned char>(c) < 0x80);  // headers are 7-bit
        }
    }
    MailMessage plain = sample_message();
    plain.subject = "Please sign: Invoice 2026/11";
    CHECK(delivery::build_message(plain).find("Subject: Please sign: Invoice 2026/11\r\n") !=
          std::string::npos);
}

TEST_CASE("a mail in a language says so in Content-Language, and one without says nothing") {
    MailMessage m = sample_message();
    CHECK(delivery::build_message(m).find("Content-Language:") == std::string::npos);
    m.language = "pl";
    const std::string eml = delivery::build_message(m);
    CHECK(eml.find("\r\nContent-Language: pl\r\n") != std::string::npos);
    CHECK(eml.find("Content-Language:") < eml.find("\r\n\r\n"));  // a header, not the body
}

TEST_CASE("long encoded headers are folded so that no header line passes 78 columns") {
    MailMessage m = sample_message();
    m.subject = "Договор поставки № 2026/11-17 между ООО «Ромашка» и ИП Иванов Пётр Сергеевич — "
                "подпишите, пожалуйста, до пятницы";
    m.to = {{"Пётр Сергеевич Иванов-Петровский, генеральный директор ООО «Ромашка»",
             "p.ivanov-petrovsky@romashka.example.ru"}};
    const std::string eml = delivery::build_message(m);
    for (const auto& line : header_lines(eml)) {
        INFO(line);
        CHECK(line.size() <= 78);
    }
    const auto got = parse_with_python(eml);
    CHECK(got.at("subject") == m.subject);
    CHECK(got.at("to_name") == m.to[0].name);
    CHECK(got.at("to_decoded") == m.to[0].name + " <" + m.to[0].address + ">");
    CHECK(got.at("subject_decoded") == m.subject);
    CHECK(got.at("defects") == "0");

    SUBCASE("a long ASCII subject is folded at spaces") {
        MailMessage ascii = sample_message();
        ascii.subject = std::string(50, 'a') + " " + std::string(40, 'b') + " " +
                        std::string(30, 'c');
        const std::string text = delivery::build_message(ascii);
        for (const auto& line : header_lines(text)) {
            CHECK(line.size() <= 78);
        }
        CHECK(parse_with_python(text).at("subject") == ascii.subject);
    }
}

TEST_CASE("encoded-words never split a UTF-8 character") {
    // Each encoded-word must decode to whole characters on its own.
    const std::string value = delivery::encode_header_text(std::string(40, 'x') + "ĄĘŚĆŻŹŃÓŁ" +
                                                               "ąęśćżźńół" + "Пётр",
                                                           9);
    std::size_t pos = 0;
    int words = 0;
    while ((pos = value.find("=?UTF-8?", pos)) != std::string::npos) {
        const auto end = value.find("?=", pos + 10);
        REQUIRE(end != std::string::npos);
        CHECK(end + 2 - pos <= 75);
        pos = end + 2;
        ++words;
    }
    CHECK(words >= 2);
}

TEST_CASE("a display name with specials is quoted and one with a line break cannot add headers") {
    MailMessage m = sample_message();
    m.to = {{"ACME, Inc. \"Sales\"", "sales@acme.test"}};
    m.subject = "Hello\r\nBcc: victim@example.com";
    const std::string eml = delivery::build_message(m);
    CHECK(eml.find("To: \"ACME, Inc. \\\"Sales\\\"\" <sales@acme.test>") != std::string::npos);
    CHECK(eml.find("\r\nBcc:") == std::string::npos);
    const auto got = parse_with_python(eml);
    CHECK(got.at("to_name") == "ACME, Inc. \"Sales\"");
    CHECK(got.at("subject") == "Hello  Bcc: victim@example.com");
}

TEST_CASE("an attachment is a base64 application/pdf part that decodes to the PDF's bytes") {
    const std::string pdf = util::read_file(test::fixture("contract.pdf"));
    MailMessage m = sample_message();
    m.attachments.push_back({"contract.pdf", "application/pdf", pdf});
    m.attachments.push_back({"Umowa – Łódź, wersja podpisana przez obie strony (ostateczna).pdf",
                             "application/pdf", pdf});
    const std::string eml = delivery::build_message(m);
    CHECK(eml.find("Content-Type: multipart/mixed;") != std::string::npos);
    CHECK(eml.find("Content-Transfer-Encoding: base64") != std::string::npos);
    CHECK(eml.find("filename*0*=UTF-8''") != std::string::npos);
    // Every line ends in CRLF and none is longer than 78 (base64: 76).
    std::size_t start = 0;
    while (start < eml.size()) {
        const auto end = eml.find('\n', start);
        REQUIRE(end != std::string::npos);
        CHECK(end > start);
        CHECK(eml[end - 1] == '\r');
        CHECK(end - 1 - start <= 78);
        start = end + 1;
    }
    const auto got = parse_with_python(eml);
    const std::string sha = util::sha256_hex(pdf);
    CHECK(got.at("content_type") == "multipart/mixed");
    CHECK(got.at("attachment") ==
          "contract.pdf|application/pdf|" + sha + "\n" +
              "Umowa – Łódź, wersja podpisana przez obie strony (ostateczna).pdf|application/pdf|" +
              sha);
    CHECK(got.at("body") ==
          "Dzień dobry,\nproszę podpisać umowę.\n\nsignet sign k7q2m9xd --token abc\n");
    CHECK(got.at("defects") == "0");
}

TEST_CASE("base64 and quoted-printable follow RFC 4648 and RFC 2045") {
    CHECK(delivery::base64_encode("") == "");
    CHECK(delivery::base64_encode("f") == "Zg==");
    CHECK(delivery::base64_encode("fo") == "Zm8=");
    CHECK(delivery::base64_encode("foobar") == "Zm9vYmFy");
    CHECK(delivery::base64_encode(std::string(60, 'a'), 76).find("\r\n") == 76);
    CHECK(delivery::quoted_printable_encode("Łódź = miasto \nkoniec ") ==
          "=C5=81=C3=B3d=C5=BA =3D miasto=20\r\nkoniec=20");
    const std::string long_line = delivery::quoted_printable_encode(std::string(200, 'x'));
    std::size_t start = 0;
    while (start < long_line.size()) {
        auto end = long_line.find("\r\n", start);
        if (end == std::string::npos) {
            end = long_line.size();
        }
        CHECK(end - start <= 76);
        start = end + 2;
    }
}

TEST_CASE("mailboxes are parsed from config and refused when they are not addresses") {
    const auto a = delivery::parse_mailbox("ACME Signing <signing@acme.test>", "from");
    CHECK(a.name == "ACME Signing");
    CHECK(a.address == "signing@acme.test");
    const auto b = delivery::parse_mailbox("\"ACME, Inc.\" <x@acme.test>", "from");
    CHECK(b.name == "ACME, Inc.");
    CHECK(delivery::parse_mailbox("x@acme.test", "from").name.empty());
    CHECK(delivery::parse_mailbox("Пётр Иванов <p@example.ru>", "from").name == "Пётр Иванов");
    CHECK_THROWS_WITH_AS(delivery::parse_mailbox("not an address", "delivery.from"),
                         doctest::Contains("delivery.from: not a mail address"), Error);
    CHECK_THROWS_AS(delivery::parse_mailbox("A <a@b.c", "from"), Error);
    CHECK_THROWS_AS(delivery::parse_mailbox("a@b.c\r\nBcc: x@y.z", "from"), Error);
    CHECK_FALSE(delivery::is_valid_address("a b@c.d"));
    CHECK_FALSE(delivery::is_valid_address("@c.d"));
    CHECK(delivery::is_valid_address("anna.nowak+sign@acme.test"));
}
