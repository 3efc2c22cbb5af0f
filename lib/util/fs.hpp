// Files: reading, private directories, atomic writes.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace signet::util {

namespace fs = std::filesystem;

// Reads a whole file; throws bad_input naming the path when it cannot.
std::string read_file(const fs::path& path);

// Creates dir (and parents) if missing and makes it mode 0700.
void make_private_dir(const fs::path& dir);

// Writes data to path atomically: a temporary file in the same directory,
// flushed (fsync), renamed over path, and the directory synced. The file
// gets `mode` (0600 by default).
// When the directory entry of a new file is made durable: at once, or by
// the caller with sync_dir() after writing many files into one directory.
enum class DirSync { now, by_caller };

void write_file_atomic(const fs::path& path, std::string_view data, unsigned mode = 0600,
                       DirSync dir_sync = DirSync::now);

// fsync of a directory: makes the names created or renamed in it durable.
void sync_dir(const fs::path& dir);

// A new, unused path in the same directory as `path` (for a file that will
// be renamed over it).
fs::path temporary_path_beside(const fs::path& path);

// Makes a finished temporary file durable and puts it in place: sets its
// mode, fsyncs it, renames it over `path` and syncs the directory.
void commit_file(const fs::path& tmp, const fs::path& path, unsigned mode = 0600);

// The end of commit_file() for a file its writer already flushed (as
// pdf::IncrementalUpdate::write does): renames it over `path` and syncs
// the directory.
void publish_synced_file(const fs::path& tmp, const fs::path& path);

// The home directory of the current user ($HOME, else the passwd entry).
fs::path home_dir();

// The login name of the current user (from the passwd entry, else $USER).
std::string current_user();

// This machine's host name as gethostname() gives it, read once; "" when it
// cannot be read.
const std::string& host_name();

}  // namespace signet::util
