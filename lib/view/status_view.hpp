// Envelopes for people: the detail view, the list and the board. Plain
// text that fits the terminal's width; colour only when the caller says so.
#pragma once

#include "envelope/model.hpp"
#include "envelope/repository.hpp"
#include "util/time.hpp"

#include <cstddef>
#include <string>
#include <vector>

namespace signet::view {

struct Style {
    bool colour = false;
    std::size_t width = 80;
    util::UnixTime now = 0;
};

std::string render_detail(const envelope::Envelope& e, const Style& style);

// The list: a header line, then one line per envelope.
std::string render_list_header(const Style& style);
std::string render_list_row(const envelope::Envelope& e, const Style& style);

std::string render_board(std::vector<envelope::BoardColumn> columns, const Style& style);

// "2026-11-23 09:12 UTC".
std::string human_time(util::UnixTime t);

}  // namespace signet::view
