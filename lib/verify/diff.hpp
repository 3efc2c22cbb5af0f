// Difference analysis: what each revision after a signature changed, object
// by object, and whether a later signing step may change it.
//
// Each revision is opened on its own (a prefix of the file). Objects whose
// cross-reference entry differs from the revision before are the revision's
// changes; each one is explained by its place in the document (found by
// walking the document from its trailer) and judged against what the
// signatures made before it allow:
//   allowed  signing a pre-existing signature field; a new signature field
//            with its widget (the page's /Annots gaining exactly that widget)
//            where DocMDP allows; /V, /AP and /AS of fields neither signed
//            nor locked (FieldMDP) and the appearance streams they use
//            (form filling: Change::form_fill, which verify_file refuses
//            after the last signature); /AcroForm bookkeeping (/DR may gain
//            resources, not replace those fields use; /NeedAppearances may
//            not ask viewers to redraw every field); DSS; metadata; document
//            info; objects nothing refers to.
//   refused  everything else: page content and resources, any other change
//            to a page or its /Annots, the page tree, catalog entries and
//            actions, non-widget annotations, signed or locked fields, freed
//            objects, entries that re-point into an earlier revision,
//            objects whose role changes.
// A certification signature's DocMDP level narrows this: P 1 allows only DSS
// and document timestamps; under P 2 and 3 a new signature field must be
// invisible (a visible one is a sneaky signature: the certifier placed the
// fields it meant).
#pragma once

#include "pdf/qpdf.hpp"

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace signet::verify {

struct Change {
    int revision = 0;    // 1-based revision number that made the change
    std::string object;  // "12 0 R", or "trailer"
    std::string change;  // in words
    bool allowed = false;
    // Form filling (a field's value or appearance): allowed only where a
    // later signature covers it (see verify_file).
    bool form_fill = false;
};

// What the signatures made before a revision allow.
struct Constraints {
    std::optional<int> docmdp;               // a certification signature's P
    std::set<std::string> signed_fields;     // full names of signed signature fields
    std::set<std::string> locked_fields;     // full names locked by FieldMDP
    bool lock_all = false;                   // a FieldMDP /Action /All
    std::set<std::string> lock_all_except;   // /Action /Exclude lists (each applies)
    bool has_exclude = false;
};

// Full name and whether `name` is locked under `c`.
bool field_locked(const Constraints& c, const std::string& name);

// Compares revision `number` (`after`, ending at `after_end`) with the one
// before it (`before`, ending at `before_end`). `signed_here` are the
// signature dictionaries whose byte ranges end at the end of `after`.
std::vector<Change> diff_revision(QPDF& before, QPDF& after, std::uint64_t before_end, int number,
                                  const Constraints& constraints,
                                  const std::set<QPDFObjGen>& signed_here);

// The full name of every field (/T joined with dots) reachable from
// /AcroForm /Fields, with the field dictionary.
std::vector<std::pair<std::string, QPDFObjectHandle>> form_fields(QPDF& pdf);

}  // namespace signet::verify
