#include "delivery/exec.hpp"
#include "delivery/transport.hpp"
#include "support.hpp"
#include "util/fs.hpp"

#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <sys/stat.h>

using namespace signet;
using delivery::ExecRequest;
using delivery::OutgoingMessage;

namespace {

unsigned mode_of(const std::filesystem::path& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 0777;
}

OutgoingMessage sample_sms() {
    OutgoingMessage m;
    m.channel = "sms";
    m.kind = "code";
    m.message_id = "<abc@signet.test>";
    m.to = "+48601234567";
    m.subject = "Kod";
    m.content = "Twój kod: 123456";
    m.created_at = 1795424871;
    return m;
}

OutgoingMessage sample_mail() {
    OutgoingMessage m;
    m.channel = "mail";
    m.kind = "invitation";
    m.message_id = "<xyz@signet.test>";
    m.to = "anna@acme.test";
    m.subject = "Podpisz: Umowa";
    m.content = "To: anna@acme.test\r\nSubject: Podpisz\r\n\r\nline 1\r\nline 2\r\n";
    m.created_at = 1795424871;
    return m;
}

bool process_alive(int pid) {
    if (::kill(pid, 0) != 0) {
        return false;
    }
    // A zombie nobody reaped yet is dead too.
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    std::getline(stat, line);
    const auto close = line.rfind(')');
    return close == std::string::npos || line.size() < close + 3 || line[close + 2] != 'Z';
}

}  // namespace

TEST_CASE("the outbox transport writes a private .eml or .sms file named for time, kind and id") {
    test::TempDir tmp;
    const auto dir = tmp.path() / "outbox";
    const auto eml = delivery::write_to_outbox(dir, sample_mail());
    CHECK(eml.filename() == "20261123T090751Z-invitation-xyz_signet.test.eml");
    CHECK(mode_of(eml) == 0600);
    CHECK(util::read_file(eml) == sample_mail().content);  // CRLF kept

    const auto sms = delivery::write_to_outbox(dir, sample_sms());
    CHECK(sms.extension() == ".sms");
    CHECK(mode_of(sms) == 0600);
    CHECK(util::read_file(sms) == "To: +48601234567\nTwój kod: 123456\n");

    // A retry of the same message replaces its file, never adds another.
    delivery::write_to_outbox(dir, sample_sms());
    std::size_t files = 0;
    for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir)) {
        ++files;
    }
    CHECK(files == 2);
}

TEST_CASE("a command is run without a shell: shell syntax in an argument stays literal") {
    test::TempDir tmp;
    const auto marker = tmp.path() / "pwned";
    ExecRequest request;
    request.argv = {"printf", "%s", "$(touch " + marker.string() + "); `touch " +
                                        marker.string() + "` > " + marker.string()};
    const auto result = delivery::run_command(request);
    CHECK(result.ok());
    CHECK_FALSE(std::filesystem::exists(marker));

    SUBCASE("the argument reaches the program byte for byte") {
        ExecRequest echo;
        echo.argv = {"sh", "-c", "printf '%s' \"$1\" >&2; exit 1", "sh",
                     "$(touch " + marker.string() + "); *"};
        const auto r = delivery::run_command(echo);
        CHECK(r.exit_code == 1);
        CHECK(r.stderr_text == "$(touch " + marker.string() + "); *");
        CHECK_FALSE(std::filesystem::exists(marker));
    }
}

TEST_CASE("the command transport gives the message on stdin and SIGNET_* in the environment") {
    test::TempDir tmp;
    const auto got_stdin = tmp.path() / "stdin";
    const auto got_env = tmp.path() / "env";
    ::setenv("SIGNET_TEST_INHERITED", "kept", 1);
    ::setenv("SIGNET_TO", "stale", 1);
    const std::vector<std::string> argv = {
        "sh", "-c",
        "cat > '" + got_stdin.string() +
            "'; printf '%s|%s|%s|%s|%s' \"$SIGNET_TO\" \"$SIGNET_SUBJECT\" "
            "\"$SIGNET_MESSAGE_ID\" \"$SIGNET_CHANNEL\" \"$SIGNET_TEST_INHERITED\" > '" +
            got_env.string() + "'"};

    SUBCASE("mail: the message with LF line ends, as sendmail -t reads it") {
        const auto result = delivery::send_by_command(argv, 10, sample_mail());
        CHECK(result.ok());
        CHECK(util::read_file(got_stdin) ==
              "To: anna@acme.test\nSubject: Podpisz\n\nline 1\nline 2\n");
        CHECK(util::read_file(got_env) ==
              "anna@acme.test|Podpisz: Umowa|<xyz@signet.test>|mail|kept");
    }
    SUBCASE("sms: the text as it is") {
        const auto result = delivery::send_by_command(argv, 10, sample_sms());
        CHECK(result.ok());
        CHECK(util::read_file(got_stdin) == "Twój kod: 123456");
        CHECK(util::read_file(got_env) == "+48601234567|Kod|<abc@signet.test>|sms|kept");
    }
    ::unsetenv("SIGNET_TEST_INHERITED");
    ::unsetenv("SIGNET_TO");
}

TEST_CASE("a large message reaches a slow reader whole") {
    test::TempDir tmp;
    const auto got = tmp.path() / "got";
    ExecRequest request;
    request.argv = {"sh", "-c", "sleep 0.2; cat > '" + got.string() + "'"};
    request.input = std::string(3 * 1024 * 1024, 'x') + "end";
    const auto result = delivery::run_command(request);
    CHECK(result.ok());
    CHECK(util::read_file(got) == request.input);
}

TEST_CASE("a failing command's exit status and stderr are kept, cut to the limit") {
    ExecRequest request;
    request.argv = {"sh", "-c", "echo 'msmtp: cannot connect to 127.0.0.1, port 1' >&2; exit 69"};
    auto result = delivery::run_command(request);
    CHECK_FALSE(result.ok());
    CHECK(result.exit_code == 69);
    CHECK(result.stderr_text == "msmtp: cannot connect to 127.0.0.1, port 1");
    CHECK(result.describe("msmtp") ==
          "\"msmtp\" exited with status 69: msmtp: cannot connect to 127.0.0.1, port 1");

    request.argv = {"sh", "-c", "head -c 100000 /dev/zero | tr '\\0' e >&2; exit 1"};
    result = delivery::run_command(request);
    CHECK(result.exit_code == 1);
    CHECK(result.stderr_text.size() <= request.stderr_limit + 8);
    CHECK(result.stderr_text.find("eeee") == 0);
}

TEST_CASE("a command that does not exist is a failure that names it") {
    ExecRequest request;
    request.argv = {"/nonexistent/send-sms", "--to"};
    const auto result = delivery::run_command(request);
    CHECK_FALSE(result.started);
    CHECK_FALSE(result.ok());
    CHECK(result.describe("send-sms") ==
          "cannot run \"/nonexistent/send-sms\": No such file or directory");
}

TEST_CASE("a command that outlives its timeout is killed with everything it started") {
    test::TempDir tmp;
    const auto pid_file = tmp.path() / "pid";
    ExecRequest request;
    request.argv = {"sh", "-c", "sleep 30 & echo $! > '" + pid_file.string() + "'; wait"};
    request.timeout = std::chrono::milliseconds(500);
    const auto start = std::chrono::steady_clock::now();
    const auto result = delivery::run_command(request);
    const auto took = std::chrono::steady_clock::now() - start;
    CHECK(result.timed_out);
    CHECK_FALSE(result.ok());
    CHECK(took < std::chrono::seconds(5));
    CHECK(result.describe("sh").find("timed out") != std::string::npos);
    const int grandchild = std::stoi(util::read_file(pid_file));
    for (int i = 0; i < 50 && process_alive(grandchild); ++i) {
        ::usleep(20000);
    }
    CHECK_FALSE(process_alive(grandchild));
}

TEST_CASE("a command that exits while its background child holds stderr is not waited for") {
    ExecRequest request;
    request.argv = {"sh", "-c", "sleep 3 & exit 0"};
    request.timeout = std::chrono::seconds(10);
    const auto start = std::chrono::steady_clock::now();
    const auto result = delivery::run_command(request);
    CHECK(result.ok());
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
}

TEST_CASE("a command that does not read its stdin is judged by its exit status alone") {
    ExecRequest request;
    request.argv = {"true"};
    request.input = std::string(1024 * 1024, 'x');
    CHECK(delivery::run_command(request).ok());
    request.argv = {"false"};
    CHECK(delivery::run_command(request).exit_code == 1);
}

TEST_CASE("a completion hook gets the envelope JSON on stdin and the event in its environment") {
    test::TempDir tmp;
    const auto got = tmp.path() / "got";
    store::HookConfig hook;
    hook.command = {"sh", "-c",
                    "{ printf '%s %s %s\\n' \"$SIGNET_EVENT\" \"$SIGNET_ENVELOPE\" "
                    "\"$SIGNET_MESSAGE_ID\"; cat; } > '" +
                        got.string() + "'"};
    const auto result = delivery::run_hook(hook, "completed", R"({"id":"k7q2m9xd"})",
                                           "<h1@signet.test>", "k7q2m9xd");
    CHECK(result.ok());
    CHECK(util::read_file(got) == "completed k7q2m9xd <h1@signet.test>\n{\"id\":\"k7q2m9xd\"}");
}
