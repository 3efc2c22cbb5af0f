// Helpers for the delivery tests: running python3's email package on a
// message, and a tiny SMTP server on 127.0.0.1 for msmtp to talk to.
#pragma once

#include "support.hpp"
#include "util/fs.hpp"

#include <doctest/doctest.h>

#include <csignal>
#include <cstdio>
#include <map>
#include <string>
#include <sys/wait.h>
#include <vector>

namespace signet::test {

// Runs `python3 SCRIPT ARGS...` (the script written to dir) and returns its
// stdout; fails the test when it exits non-zero.
inline std::string run_python(const std::filesystem::path& dir, const std::string& script,
                              const std::vector<std::string>& args) {
    const auto path = dir / "script.py";
    util::write_file_atomic(path, script, 0600);
    std::string command = "PYTHONIOENCODING=utf-8 python3 '" + path.string() + "'";
    for (const auto& arg : args) {
        command += " '" + arg + "'";
    }
    FILE* pipe = ::popen(command.c_str(), "r");
    REQUIRE(pipe != nullptr);
    std::string out;
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) {
        out.append(buf, n);
    }
    const int status = ::pclose(pipe);
    INFO("python3 said: " << out);
    REQUIRE(status == 0);
    return out;
}

// What python3's email package (policy.default) reads in an .eml file:
// "key=value" lines, one per header and body, one per attachment.
inline const char* const k_parse_mail_py = R"py(
import email, hashlib, sys
from email import policy
from email.header import decode_header, make_header
with open(sys.argv[1], "rb") as f:
    msg = email.message_from_binary_file(f, policy=policy.default)
def show(key, value):
    print("%s=%s" % (key, str(value).replace("\\", "\\\\").replace("\n", "\\n")))
show("subject", msg["Subject"])
show("from_name", msg["From"].addresses[0].display_name)
show("from_addr", msg["From"].addresses[0].addr_spec)
for a in msg["To"].addresses:
    show("to_name", " ".join(a.display_name.split()))
    show("to_addr", a.addr_spec)
# RFC 2047's own rule (whitespace between encoded-words is dropped), which
# the compat32 decoder follows and mail clients do.
with open(sys.argv[1], "rb") as f:
    raw = email.message_from_binary_file(f, policy=policy.compat32)
show("to_decoded", str(make_header(decode_header(raw["To"]))))
show("subject_decoded", str(make_header(decode_header(raw["Subject"]))))
show("message_id", msg["Message-ID"])
show("date", msg["Date"])
show("mime_version", msg["MIME-Version"])
show("content_type", msg.get_content_type())
body = msg.get_body(preferencelist=("plain",))
show("body_charset", body.get_content_charset())
show("body", body.get_content())
for part in msg.iter_attachments():
    data = part.get_payload(decode=True)
    show("attachment", "%s|%s|%s" % (part.get_filename(), part.get_content_type(),
                                      hashlib.sha256(data).hexdigest()))
defects = list(msg.defects)
for part in msg.walk():
    defects += list(part.defects)
show("defects", len(defects))
)py";

// Parses run_python's key=value lines; repeated keys are joined with '\n'.
inline std::map<std::string, std::string> parse_lines(const std::string& out) {
    std::map<std::string, std::string> map;
    std::size_t start = 0;
    while (start < out.size()) {
        auto end = out.find('\n', start);
        if (end == std::string::npos) {
            end = out.size();
        }
        const std::string line = out.substr(start, end - start);
        const auto eq = line.find('=');
        if (eq != std::string::npos) {
            std::string value;
            for (std::size_t i = eq + 1; i < line.size(); ++i) {
                if (line[i] == '\\' && i + 1 < line.size()) {
                    ++i;
                    value += line[i] == 'n' ? '\n' : line[i];
                } else {
                    value += line[i];
                }
            }
            auto& slot = map[line.substr(0, eq)];
            slot += slot.empty() ? value : "\n" + value;
        }
        start = end + 1;
    }
    return map;
}

// A minimal SMTP server (EHLO, MAIL, RCPT, DATA, QUIT) on 127.0.0.1 and a
// free port: it writes each message it receives to DIR/msg-N.eml and
// exits after `want` messages or 30 seconds.
inline const char* const k_smtp_server_py = R"py(
import os, socket, sys, time
out, want = sys.argv[1], int(sys.argv[2])
srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", 0))
srv.listen(5)
srv.settimeout(0.5)
print(srv.getsockname()[1], os.getpid(), flush=True)
deadline = time.time() + 30
got = 0
while got < want and time.time() < deadline:
    try:
        conn, _ = srv.accept()
    except socket.timeout:
        continue
    conn.settimeout(10)
    f = conn.makefile("rb")
    def send(line):
        conn.sendall(line.encode("ascii") + b"\r\n")
    send("220 127.0.0.1 test SMTP server")
    rcpts = []
    try:
        while True:
            line = f.readline()
            if not line:
                break
            cmd = line.decode("ascii", "replace").strip()
            verb = cmd.split(" ")[0].split(":")[0].upper()
            if verb in ("EHLO", "HELO"):
                send("250 127.0.0.1")
            elif verb == "MAIL":
                rcpts = []
                send("250 OK")
            elif verb == "RCPT":
                rcpts.append(cmd.split(":", 1)[1].strip())
                send("250 OK")
            elif verb == "DATA":
                send("354 end with .")
                data = []
                while True:
                    l = f.readline()
                    if not l or l.rstrip(b"\r\n") == b".":
                        break
                    if l.startswith(b".."):
                        l = l[1:]
                    data.append(l)
                got += 1
                with open(os.path.join(out, "msg-%d.eml" % got), "wb") as fh:
                    fh.write(b"".join(data))
                with open(os.path.join(out, "rcpt-%d.txt" % got), "w") as fh:
                    fh.write("\n".join(rcpts))
                send("250 queued")
            elif verb == "QUIT":
                send("221 bye")
                break
            elif verb in ("RSET", "NOOP"):
                send("250 OK")
            else:
                send("502 not implemented")
    except socket.timeout:
        pass
    conn.close()
)py";

// Starts the SMTP server; stop() waits for it (killing it if it lingers).
class SmtpServer {
public:
    SmtpServer(const std::filesystem::path& dir, int want) : m_dir(dir) {
        util::write_file_atomic(dir / "smtp_server.py", k_smtp_server_py, 0600);
        const std::string command = "python3 '" + (dir / "smtp_server.py").string() + "' '" +
                                    dir.string() + "' " + std::to_string(want);
        m_pipe = ::popen(command.c_str(), "r");
        REQUIRE(m_pipe != nullptr);
        REQUIRE(std::fscanf(m_pipe, "%d %d", &m_port, &m_pid) == 2);
    }
    ~SmtpServer() { stop(false); }
    SmtpServer(const SmtpServer&) = delete;
    SmtpServer& operator=(const SmtpServer&) = delete;

    int port() const { return m_port; }

    // Waits for the server to finish; kills it first when `kill` is true.
    void stop(bool kill) {
        if (m_pipe == nullptr) {
            return;
        }
        if (kill && m_pid > 0) {
            ::kill(m_pid, SIGTERM);
        }
        ::pclose(m_pipe);
        m_pipe = nullptr;
    }

    std::filesystem::path message(int n) const {
        return m_dir / ("msg-" + std::to_string(n) + ".eml");
    }
    std::filesystem::path recipients(int n) const {
        return m_dir / ("rcpt-" + std::to_string(n) + ".txt");
    }

private:
    std::filesystem::path m_dir;
    FILE* m_pipe = nullptr;
    int m_port = 0;
    int m_pid = 0;
};

}  // namespace signet::test
