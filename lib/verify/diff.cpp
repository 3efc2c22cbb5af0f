#include "verify/diff.hpp"

#include <algorithm>
#include <functional>
#include <map>

namespace signet::verify {
namespace {

enum Role : unsigned {
    r_catalog = 1U << 0,
    r_info = 1U << 1,
    r_metadata = 1U << 2,
    r_acroform = 1U << 3,
    r_fields_array = 1U << 4,
    r_field = 1U << 5,
    r_widget = 1U << 6,
    r_sigdict = 1U << 7,
    r_appearance = 1U << 8,
    r_page = 1U << 9,
    r_page_tree = 1U << 10,
    r_annots_array = 1U << 11,
    r_annotation = 1U << 12,  // an annotation that is not a widget
    r_content = 1U << 13,     // page content, resources and what they use
    r_dss = 1U << 14,
    r_form_resources = 1U << 15,
    r_other = 1U << 16,       // anything else the document refers to
    r_field_value = 1U << 17,
};

constexpr unsigned k_refused_roles = r_page_tree | r_annotation | r_content | r_other;
constexpr unsigned k_kind_roles =
    r_catalog | r_page | r_page_tree | r_field | r_widget | r_sigdict | r_annotation | r_acroform;
constexpr std::size_t k_max_depth = 64;
constexpr std::size_t k_max_steps = 5000000;  // objects one walk may visit

std::string role_words(unsigned roles) {
    static const std::pair<unsigned, const char*> names[] = {
        {r_catalog, "the catalog"},
        {r_info, "document info"},
        {r_metadata, "XMP metadata"},
        {r_acroform, "the form dictionary"},
        {r_fields_array, "the form's field list"},
        {r_field, "a form field"},
        {r_widget, "a widget annotation"},
        {r_sigdict, "a signature dictionary"},
        {r_appearance, "a field appearance"},
        {r_page, "a page"},
        {r_page_tree, "the page tree"},
        {r_annots_array, "a page's annotation list"},
        {r_annotation, "an annotation"},
        {r_content, "page content or resources"},
        {r_dss, "the DSS"},
        {r_form_resources, "the form's default resources"},
        {r_other, "a catalog entry (actions, names, outlines...)"},
        {r_field_value, "a field value"},
    };
    std::string out;
    for (const auto& [bit, name] : names) {
        if ((roles & bit) != 0) {
            out += (out.empty() ? "" : ", ");
            out += name;
        }
    }
    return out.empty() ? "an object nothing refers to" : out;
}

std::string ref(QPDFObjGen og) {
    return std::to_string(og.getObj()) + " " + std::to_string(og.getGen()) + " R";
}

struct Node {
    unsigned roles = 0;
    std::set<std::string> owners;  // field names, for fields, widgets and appearances
    int page = 0;                  // for pages, annotation lists and annotations
    std::string via;               // for "other" objects: the entry they hang from
};

// The roles of every object reachable in one revision.
class DocMap {
public:
    explicit DocMap(QPDF& q) : m_q(q) {
        QPDFObjectHandle trailer = q.getTrailer();
        QPDFObjectHandle root = trailer.getKey("/Root");
        m_root = root.getObjGen();
        if (!root.isDictionary()) {
            return;
        }
        mark(root, r_catalog, "");
        m_structural.insert(root.getObjGen());
        QPDFObjectHandle acroform = root.getKey("/AcroForm");
        if (acroform.isDictionary()) {
            mark(acroform, r_acroform, "");
            m_structural.insert(acroform.getObjGen());
            QPDFObjectHandle fields = acroform.getKey("/Fields");
            if (fields.isArray()) {
                mark(fields, r_fields_array, "");
                for (QPDFObjectHandle f : fields.aitems()) {
                    walk_field(f, "", "", 0);
                }
            }
        }
        walk_pages(root.getKey("/Pages"), 0);

        // What the structure uses, now that the structure is known.
        reach(trailer.getKey("/Info"), r_info, "");
        for (auto& [key, value] : root.ditems()) {
            if (key == "/Pages" || key == "/AcroForm" || key == "/Type") {
                continue;
            }
            reach(value, key == "/DSS" ? r_dss : key == "/Metadata" ? r_metadata : r_other, "", 0,
                  "the catalog's " + key);
        }
        if (acroform.isDictionary()) {
            for (auto& [key, value] : acroform.ditems()) {
                if (key == "/Fields") {
                    continue;
                }
                reach(value, key == "/DR" ? r_form_resources : r_other, "", 0,
                      "the form dictionary's " + key);
            }
        }
        for (auto& [og, parts] : m_field_parts) {
            for (auto& [key, value, name, is_sig] : parts) {
                if (key == "/AP") {
                    reach(value, r_appearance, name);
                } else if (key == "/V" && is_sig) {
                    if (value.isIndirect() && value.isDictionary()) {
                        mark(value, r_sigdict, name);
                        m_sig_of_field[name] = value.getObjGen();
                        for (auto& [k, v] : value.ditems()) {
                            reach(v, r_sigdict, name);
                        }
                    } else {
                        reach(value, r_other, name, 0, "the field \"" + name + "\"'s " + key);
                    }
                } else if (key == "/V") {
                    reach(value, r_field_value, name);
                } else {
                    reach(value, r_other, name, 0, "the field \"" + name + "\"'s " + key);
                }
            }
        }
        for (auto& [og, parts] : m_page_parts) {
            for (auto& [key, value, page] : parts) {
                reach(value, r_content, "", page);
            }
        }
    }

    const Node* node(QPDFObjGen og) const {
        auto it = m_nodes.find(og);
        return it == m_nodes.end() ? nullptr : &it->second;
    }
    unsigned roles(QPDFObjGen og) const {
        const Node* n = node(og);
        return n == nullptr ? 0 : n->roles;
    }
    QPDFObjGen root() const { return m_root; }
    // True when the document was too big to map: nothing can be judged.
    bool incomplete() const { return m_incomplete; }
    // The field named by a field or widget object.
    std::string field_name(QPDFObjGen og) const {
        auto it = m_field_name.find(og);
        return it == m_field_name.end() ? std::string() : it->second;
    }
    bool is_sig_field(const std::string& name) const { return m_sig_fields.count(name) != 0; }
    bool has_field(const std::string& name) const { return m_all_fields.count(name) != 0; }
    // Top-level field objects (/AcroForm /Fields), in order.
    const std::vector<QPDFObjGen>& top_fields() const { return m_top_fields; }
    // The annotations of page `og`, in order.
    std::vector<QPDFObjGen> annots(QPDFObjGen page) const {
        auto it = m_annots.find(page);
        return it == m_annots.end() ? std::vector<QPDFObjGen>() : it->second;
    }
    QPDFObjGen page_of_annots_array(QPDFObjGen array) const {
        auto it = m_annots_array_page.find(array);
        return it == m_annots_array_page.end() ? QPDFObjGen() : it->second;
    }
    std::optional<QPDFObjGen> sig_of_field(const std::string& name) const {
        auto it = m_sig_of_field.find(name);
        if (it == m_sig_of_field.end()) {
            return std::nullopt;
        }
        return it->second;
    }
    // The widget objects of field `name`.
    std::vector<QPDFObjGen> widgets_of(const std::string& name) const {
        std::vector<QPDFObjGen> out;
        for (const auto& [og, n] : m_field_name) {
            if (n == name && (roles(og) & r_widget) != 0) {
                out.push_back(og);
            }
        }
        return out;
    }

private:
    void mark(QPDFObjectHandle h, unsigned role, const std::string& owner, int page = 0) {
        if (!h.isIndirect()) {
            return;
        }
        Node& n = m_nodes[h.getObjGen()];
        n.roles |= role;
        if (!owner.empty()) {
            n.owners.insert(owner);
        }
        if (page != 0) {
            n.page = page;
        }
    }

    void walk_field(QPDFObjectHandle f, const std::string& parent, std::string ft,
                    std::size_t depth) {
        if (!f.isDictionary() || depth > k_max_depth) {
            m_incomplete = m_incomplete || depth > k_max_depth;
            return;
        }
        if (f.isIndirect() && !m_seen_fields.insert(f.getObjGen()).second) {
            return;
        }
        std::string name = parent;
        QPDFObjectHandle t = f.getKey("/T");
        if (t.isString()) {
            name = parent.empty() ? t.getUTF8Value() : parent + "." + t.getUTF8Value();
        }
        if (f.getKey("/FT").isName()) {
            ft = f.getKey("/FT").getName();
        }
        const bool widget = f.getKey("/Subtype").isNameAndEquals("/Widget");
        const bool field = t.isString() || !widget;
        if (depth == 0 && f.isIndirect()) {
            m_top_fields.push_back(f.getObjGen());
        }
        mark(f, (widget ? r_widget : 0U) | (field ? r_field : 0U), name);
        if (f.isIndirect()) {
            m_structural.insert(f.getObjGen());
            m_field_name[f.getObjGen()] = name;
        }
        m_all_fields.insert(name);
        if (ft == "/Sig") {
            m_sig_fields.insert(name);
        }
        QPDFObjectHandle kids = f.getKey("/Kids");
        for (auto& [key, value] : f.ditems()) {
            if (key == "/Kids" || key == "/Parent" || key == "/P") {
                continue;
            }
            m_field_parts[f.getObjGen()].push_back({key, value, name, ft == "/Sig"});
        }
        if (kids.isArray()) {
            mark(kids, r_fields_array, name);
            for (QPDFObjectHandle kid : kids.aitems()) {
                walk_field(kid, name, ft, depth + 1);
            }
        }
    }

    void walk_pages(QPDFObjectHandle node, std::size_t depth) {
        if (!node.isDictionary() || depth > k_max_depth) {
            m_incomplete = m_incomplete || depth > k_max_depth;
            return;
        }
        if (node.isIndirect() && !m_structural.insert(node.getObjGen()).second) {
            return;
        }
        QPDFObjectHandle kids = node.getKey("/Kids");
        if (kids.isArray() && !node.getKey("/Type").isNameAndEquals("/Page")) {
            mark(node, r_page_tree, "");
            mark(kids, r_page_tree, "");
            for (auto& [key, value] : node.ditems()) {
                if (key != "/Kids" && key != "/Parent") {
                    m_page_parts[node.getObjGen()].push_back({key, value, 0});
                }
            }
            for (QPDFObjectHandle kid : kids.aitems()) {
                walk_pages(kid, depth + 1);
            }
            return;
        }
        const int number = ++m_page_count;
        mark(node, r_page, "", number);
        for (auto& [key, value] : node.ditems()) {
            if (key == "/Parent") {
                continue;
            }
            if (key != "/Annots") {
                m_page_parts[node.getObjGen()].push_back({key, value, number});
                continue;
            }
            if (!value.isArray()) {
                m_page_parts[node.getObjGen()].push_back({key, value, number});
                continue;
            }
            mark(value, r_annots_array, "", number);
            if (value.isIndirect()) {
                m_annots_array_page[value.getObjGen()] = node.getObjGen();
            }
            std::vector<QPDFObjGen>& list = m_annots[node.getObjGen()];
            for (QPDFObjectHandle a : value.aitems()) {
                list.push_back(a.getObjGen());
                if (!a.isDictionary()) {
                    continue;
                }
                if (a.getKey("/Subtype").isNameAndEquals("/Widget")) {
                    mark(a, r_widget, "", number);
                    if (a.isIndirect() && m_field_name.count(a.getObjGen()) == 0) {
                        // A widget that no field lists: its appearance is
                        // page content as far as a reader can tell.
                        m_page_parts[node.getObjGen()].push_back({"/Annots", a, number});
                    }
                } else {
                    mark(a, r_annotation, "", number);
                    m_structural.insert(a.getObjGen());
                    for (auto& [k, v] : a.ditems()) {
                        if (k != "/P" && k != "/Parent") {
                            m_page_parts[node.getObjGen()].push_back({k, v, number});
                        }
                    }
                }
            }
        }
    }

    // Marks every indirect object reachable from h with `role`, stopping at
    // the document's structure (pages, fields, annotations, catalog).
    void reach(QPDFObjectHandle h, unsigned role, const std::string& owner, int page = 0,
               const std::string& via = "") {
        std::vector<QPDFObjectHandle> stack{h};
        std::set<QPDFObjGen>& seen = m_reached[role];
        std::size_t steps = 0;
        while (!stack.empty() && ++steps < k_max_steps) {
            QPDFObjectHandle o = stack.back();
            stack.pop_back();
            if (o.isIndirect()) {
                const QPDFObjGen og = o.getObjGen();
                if (m_structural.count(og) != 0 && og != h.getObjGen()) {
                    continue;
                }
                Node& n = m_nodes[og];
                n.roles |= role;
                if (!owner.empty()) {
                    n.owners.insert(owner);
                }
                if (page != 0 && n.page == 0) {
                    n.page = page;
                }
                if (!via.empty() && n.via.empty()) {
                    n.via = via;
                }
                if (!seen.insert(og).second && owner.empty()) {
                    continue;
                }
                if (!owner.empty() && !m_seen_owned.insert({og, owner + "\x1f" + std::to_string(role)}).second) {
                    continue;
                }
            }
            // Only what can lead further: numbers, names and strings of big
            // arrays (font widths) are skipped here, not pushed.
            auto container = [](QPDFObjectHandle& x) {
                return x.isIndirect() || x.isArray() || x.isDictionary();
            };
            if (o.isStream()) {
                stack.push_back(o.getDict());
            } else if (o.isDictionary()) {
                for (auto& [key, value] : o.getDictAsMap()) {
                    if (key != "/Parent" && key != "/P" && container(value)) {
                        stack.push_back(value);
                    }
                }
            } else if (o.isArray()) {
                for (QPDFObjectHandle& item : o.getArrayAsVector()) {
                    if (container(item)) {
                        stack.push_back(item);
                    }
                }
            }
        }
        if (!stack.empty()) {
            // Cut short: objects not reached would look unreferenced, and
            // those are allowed to change. Fail closed instead.
            m_incomplete = true;
        }
    }

    struct FieldPart {
        std::string key;
        QPDFObjectHandle value;
        std::string name;
        bool is_sig;
    };
    struct PagePart {
        std::string key;
        QPDFObjectHandle value;
        int page;
    };

    QPDF& m_q;
    QPDFObjGen m_root;
    std::map<QPDFObjGen, Node> m_nodes;
    std::set<QPDFObjGen> m_structural;
    std::set<QPDFObjGen> m_seen_fields;
    std::map<QPDFObjGen, std::string> m_field_name;
    std::set<std::string> m_sig_fields;
    std::set<std::string> m_all_fields;
    std::vector<QPDFObjGen> m_top_fields;
    std::map<QPDFObjGen, std::vector<QPDFObjGen>> m_annots;
    std::map<QPDFObjGen, QPDFObjGen> m_annots_array_page;
    std::map<std::string, QPDFObjGen> m_sig_of_field;
    std::map<QPDFObjGen, std::vector<FieldPart>> m_field_parts;
    std::map<QPDFObjGen, std::vector<PagePart>> m_page_parts;
    std::map<unsigned, std::set<QPDFObjGen>> m_reached;
    std::set<std::pair<QPDFObjGen, std::string>> m_seen_owned;
    int m_page_count = 0;
    bool m_incomplete = false;
};

bool same_entry(const QPDFXRefEntry& a, const QPDFXRefEntry& b) {
    if (a.getType() != b.getType()) {
        return false;
    }
    if (a.getType() == 1) {
        return a.getOffset() == b.getOffset();
    }
    if (a.getType() == 2) {
        return a.getObjStreamNumber() == b.getObjStreamNumber() &&
               a.getObjStreamIndex() == b.getObjStreamIndex();
    }
    return true;
}

// The object as text, references as "N G R"; streams with their raw data.
bool same_object(QPDFObjectHandle a, QPDFObjectHandle b) {
    if (a.isStream() != b.isStream()) {
        return false;
    }
    if (a.isStream()) {
        if (a.getDict().unparse() != b.getDict().unparse()) {
            return false;
        }
        std::shared_ptr<Buffer> da = a.getRawStreamData();
        std::shared_ptr<Buffer> db = b.getRawStreamData();
        return da->getSize() == db->getSize() &&
               std::equal(da->getBuffer(), da->getBuffer() + da->getSize(), db->getBuffer());
    }
    return a.unparseResolved() == b.unparseResolved();
}

// Keys whose values differ between two dictionaries.
std::vector<std::string> changed_keys(QPDFObjectHandle a, QPDFObjectHandle b) {
    if (a.isStream()) {
        a = a.getDict();
    }
    if (b.isStream()) {
        b = b.getDict();
    }
    std::set<std::string> keys;
    if (a.isDictionary()) {
        for (const auto& k : a.getKeys()) {
            keys.insert(k);
        }
    }
    if (b.isDictionary()) {
        for (const auto& k : b.getKeys()) {
            keys.insert(k);
        }
    }
    std::vector<std::string> out;
    for (const auto& k : keys) {
        QPDFObjectHandle va = a.isDictionary() ? a.getKey(k) : QPDFObjectHandle::newNull();
        QPDFObjectHandle vb = b.isDictionary() ? b.getKey(k) : QPDFObjectHandle::newNull();
        const std::string ta = va.isIndirect() ? ref(va.getObjGen()) : va.unparse();
        const std::string tb = vb.isIndirect() ? ref(vb.getObjGen()) : vb.unparse();
        if (ta != tb) {
            out.push_back(k);
        }
    }
    return out;
}

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& s : items) {
        out += (out.empty() ? "" : " ") + s;
    }
    return out;
}

bool visible_widget(QPDFObjectHandle w) {
    const int flags = w.getKey("/F").isInteger() ? w.getKey("/F").getIntValueAsInt() : 0;
    if ((flags & 2) != 0 || (flags & 32) != 0) {
        return false;
    }
    QPDFObjectHandle r = w.getKey("/Rect");
    if (!r.isRectangle()) {
        return false;
    }
    const QPDFObjectHandle::Rectangle rect = r.getArrayAsRectangle();
    return std::abs(rect.urx - rect.llx) > 0.01 && std::abs(rect.ury - rect.lly) > 0.01;
}

class RevisionDiff {
public:
    RevisionDiff(QPDF& before, QPDF& after, std::uint64_t before_end, int number,
                 const Constraints& c, const std::set<QPDFObjGen>& signed_here)
        : m_before(before), m_after(after), m_before_end(before_end), m_number(number), m_c(c),
          m_signed_here(signed_here), m_pmap(before), m_cmap(after) {}

    std::vector<Change> run() {
        if (m_pmap.incomplete() || m_cmap.incomplete()) {
            add("revision",
                "the document is too deep or too large to map (a page or field tree deeper than " +
                    std::to_string(k_max_depth) + " levels, or a walk over " +
                    std::to_string(k_max_steps) + " objects): its changes cannot be explained",
                false);
            return std::move(m_out);
        }
        const std::map<QPDFObjGen, QPDFXRefEntry> pt = m_before.getXRefTable();
        const std::map<QPDFObjGen, QPDFXRefEntry> ct = m_after.getXRefTable();
        for (const auto& [og, entry] : pt) {
            if (ct.count(og) == 0) {
                add(ref(og), "freed (was " + role_words(m_pmap.roles(og)) + ")", false);
            }
        }
        std::set<QPDFObjGen> changed;
        for (const auto& [og, entry] : ct) {
            auto old = pt.find(og);
            if (old != pt.end() && same_entry(old->second, entry)) {
                continue;
            }
            changed.insert(og);
        }
        m_changed = changed;
        for (const auto& [og, entry] : ct) {
            if (changed.count(og) == 0) {
                continue;
            }
            const bool existed = pt.count(og) != 0;
            // Where the new definition lives: in this revision's own bytes.
            if (entry.getType() == 1 &&
                static_cast<std::uint64_t>(entry.getOffset()) < m_before_end) {
                add(ref(og),
                    std::string(existed ? "re-pointed" : "defined") +
                        " by the xref into the bytes of an earlier revision (offset " +
                        std::to_string(entry.getOffset()) + ")",
                    false);
                continue;
            }
            if (entry.getType() == 2) {
                const QPDFObjGen stream(entry.getObjStreamNumber(), 0);
                if (changed.count(stream) == 0) {
                    add(ref(og),
                        "re-pointed into the object stream " + ref(stream) +
                            " of an earlier revision",
                        false);
                    continue;
                }
            }
            judge(og, existed);
        }
        // The trailer.
        QPDFObjectHandle pt_trailer = m_before.getTrailer();
        QPDFObjectHandle ct_trailer = m_after.getTrailer();
        if (pt_trailer.getKey("/Root").getObjGen() != ct_trailer.getKey("/Root").getObjGen()) {
            add("trailer", "/Root points to another catalog", false);
        }
        if (ct_trailer.hasKey("/Encrypt") &&
            pt_trailer.getKey("/Encrypt").unparse() != ct_trailer.getKey("/Encrypt").unparse()) {
            add("trailer", "/Encrypt changed", false);
        }
        return std::move(m_out);
    }

private:
    void add(const std::string& object, const std::string& change, bool allowed) {
        m_out.push_back({m_number, object, change, allowed, false});
    }
    // An allowed change that fills the form: a field's value or appearance.
    void add_fill(const std::string& object, const std::string& change) {
        m_out.push_back({m_number, object, change, true, true});
    }

    bool p1() const { return m_c.docmdp && *m_c.docmdp == 1; }

    // Why the field `name` may not change now, or "".
    std::string field_block(const std::string& name) const {
        if (m_c.signed_fields.count(name) != 0) {
            return "the field \"" + name + "\" was already signed";
        }
        if (field_locked(m_c, name)) {
            return "the field \"" + name + "\" is locked by an earlier signature (FieldMDP)";
        }
        if (p1()) {
            return "the certification (DocMDP P 1) allows no changes";
        }
        return {};
    }

    bool new_field(const std::string& name) const { return !m_pmap.has_field(name); }

    // A signature field that appears in this revision: allowed when DocMDP
    // allows and its widgets are invisible or it is signed right here.
    std::string new_sig_field_problem(const std::string& name) const {
        if (!m_cmap.is_sig_field(name)) {
            return "a new form field \"" + name + "\" that is not a signature field";
        }
        const auto sig = m_cmap.sig_of_field(name);
        const bool signed_now = sig && m_signed_here.count(*sig) != 0;
        if (p1()) {
            bool timestamp = false;
            if (signed_now) {
                QPDFObjectHandle d = m_after.getObject(*sig);
                timestamp = d.getKey("/SubFilter").isNameAndEquals("/ETSI.RFC3161");
            }
            if (!timestamp) {
                return "a new signature field \"" + name +
                       "\" under a certification that allows no changes (DocMDP P 1)";
            }
        }
        for (const QPDFObjGen w : m_cmap.widgets_of(name)) {
            if (!visible_widget(m_after.getObject(w))) {
                continue;
            }
            if (!signed_now) {
                return "a new signature field \"" + name +
                       "\" with a visible appearance that is not signed in this revision "
                       "(sneaky signature)";
            }
            // The certifier placed the signature fields it meant; a visible
            // one added later can paint anything over the certified content
            // and still count as "signing" (Mainka et al. 2021).
            if (m_c.docmdp) {
                return "a new signature field \"" + name +
                       "\" with a visible appearance added after the certification (sneaky "
                       "signature): under DocMDP only invisible signature fields may be added";
            }
        }
        return {};
    }

    void judge(QPDFObjGen og, bool existed) {
        QPDFObjectHandle now = m_after.getObject(og);
        const unsigned proles = existed ? m_pmap.roles(og) : 0;
        const unsigned croles = m_cmap.roles(og);
        const unsigned roles = proles | croles;
        const std::string obj = ref(og);
        if (existed) {
            QPDFObjectHandle was = m_before.getObject(og);
            if (same_object(was, now)) {
                add(obj, "written again without change (" + role_words(roles) + ")", true);
                return;
            }
            if (was.isStream() != now.isStream() ||
                was.getTypeCode() != now.getTypeCode() ||
                ((was.isDictionary() || was.isStream()) &&
                 (was.getKey("/Type").unparse() != now.getKey("/Type").unparse() ||
                  was.getKey("/Subtype").unparse() != now.getKey("/Subtype").unparse()))) {
                add(obj, "changes its type (was " + role_words(proles) + ")", false);
                return;
            }
            if ((proles & k_kind_roles) != 0 && (croles & k_kind_roles) != 0 &&
                (proles & k_kind_roles) != (croles & k_kind_roles)) {
                add(obj, "changes its role from " + role_words(proles) + " to " + role_words(croles),
                    false);
                return;
            }
        }
        const std::string verb = existed ? "changed" : "added";
        if ((roles & k_refused_roles) != 0) {
            const Node* n = m_cmap.node(og) != nullptr ? m_cmap.node(og) : m_pmap.node(og);
            std::string where = role_words(roles & k_refused_roles);
            if ((roles & k_refused_roles) == r_other && n != nullptr && !n->via.empty()) {
                where = "part of " + n->via;
            }
            if (n != nullptr && n->page != 0) {
                where += " of page " + std::to_string(n->page);
            }
            if ((roles & r_annotation) != 0 && now.isDictionary()) {
                where += " (" + now.getKey("/Subtype").unparse() + ")";
            }
            add(obj, verb + ": " + where, false);
            return;
        }
        if ((roles & r_catalog) != 0) {
            return judge_catalog(og, existed, now);
        }
        if ((roles & r_page) != 0) {
            return judge_page(og, existed, now);
        }
        if ((roles & r_annots_array) != 0) {
            return judge_annots(m_cmap.page_of_annots_array(og), obj);
        }
        if ((roles & r_acroform) != 0) {
            return judge_acroform(og, existed, now);
        }
        if ((roles & r_fields_array) != 0 && (roles & (r_field | r_widget)) == 0) {
            const Node* n = m_cmap.node(og);
            if (n != nullptr && n->owners.empty()) {
                return judge_field_list(obj);
            }
            add(obj, verb + ": the kids of a form field", false);
            return;
        }
        if ((roles & (r_field | r_widget)) != 0) {
            return judge_field(og, existed, now, was_of(og, existed));
        }
        if ((roles & r_sigdict) != 0) {
            const Node* sn = m_cmap.node(og);
            bool part_of_new = !existed && roles == r_sigdict && sn != nullptr;
            if (sn != nullptr && part_of_new) {
                for (const auto& name : sn->owners) {
                    const auto sig = m_cmap.sig_of_field(name);
                    part_of_new = part_of_new && sig && m_signed_here.count(*sig) != 0;
                }
            }
            if (!existed && m_signed_here.count(og) != 0) {
                add(obj, "added: the signature dictionary signed in this revision", true);
            } else if (part_of_new) {
                add(obj, "added: part of the signature dictionary signed in this revision", true);
            } else {
                add(obj, verb + ": a signature dictionary not signed in this revision", false);
            }
            return;
        }
        if ((roles & (r_appearance | r_field_value)) != 0) {
            const Node* n = m_cmap.node(og);
            std::string problem;
            std::string owners;
            if (n != nullptr) {
                for (const auto& name : n->owners) {
                    owners += (owners.empty() ? "\"" : ", \"") + name + "\"";
                    if (problem.empty() && !new_field(name)) {
                        problem = field_block(name);
                    }
                }
            }
            const Node* pn = existed ? m_pmap.node(og) : nullptr;
            if (pn != nullptr) {
                for (const auto& name : pn->owners) {
                    if (problem.empty()) {
                        problem = field_block(name);
                    }
                }
            }
            const char* what = (roles & r_appearance) != 0 ? "appearance" : "value";
            if (problem.empty()) {
                add_fill(obj, verb + ": the " + what + " of the field " + owners);
            } else {
                add(obj, verb + ": the " + what + " of the field " + owners + ", but " + problem,
                    false);
            }
            return;
        }
        if ((roles & r_dss) != 0) {
            add(obj, verb + ": the DSS (validation data)", true);
            return;
        }
        if ((roles & r_form_resources) != 0 && existed && !p1()) {
            // A resource fields already use, changed in place, changes how
            // their values are drawn (a shadow "replace"); a /DR container
            // may only gain entries.
            std::vector<std::string> replaced;
            const bool container = dr_container(og);
            if (container) {
                QPDFObjectHandle dr = m_after.getRoot().getKey("/AcroForm").getKey("/DR");
                replaced_resources(m_before.getObject(og), now, "",
                                   dr.isIndirect() && dr.getObjGen() == og ? 0 : 1, replaced);
            }
            if (!container || !replaced.empty()) {
                add(obj, "changed: " + role_words(roles) +
                             (replaced.empty() ? std::string(" (a resource that fields use)")
                                               : " (replaces " + join(replaced) + ")"),
                    false);
            } else {
                add(obj, "changed: " + role_words(roles) + " (gained entries)", true);
            }
            return;
        }
        if ((roles & (r_info | r_metadata | r_form_resources)) != 0) {
            if (p1()) {
                add(obj, verb + ": " + role_words(roles) + ", but the certification allows no "
                                                             "changes (DocMDP P 1)",
                    false);
            } else {
                add(obj, verb + ": " + role_words(roles), true);
            }
            return;
        }
        if (roles == 0) {
            std::string what = "nothing in the document refers to it";
            if (now.isStream() && now.getDict().getKey("/Type").isNameAndEquals("/XRef")) {
                what = "the revision's cross-reference stream";
            } else if (now.isStream() && now.getDict().getKey("/Type").isNameAndEquals("/ObjStm")) {
                what = "an object stream of this revision";
            }
            if (existed) {
                add(obj, "changed, and " + what, true);
            } else {
                add(obj, "added; " + what, true);
            }
            return;
        }
        add(obj, verb + ": " + role_words(roles), false);
    }

    QPDFObjectHandle was_of(QPDFObjGen og, bool existed) {
        return existed ? m_before.getObject(og) : QPDFObjectHandle::newNull();
    }

    void judge_catalog(QPDFObjGen og, bool existed, QPDFObjectHandle now) {
        const std::string obj = ref(og);
        if (!existed || og != m_pmap.root()) {
            add(obj, "a new catalog", false);
            return;
        }
        std::vector<std::string> bad;
        std::vector<std::string> ok;
        QPDFObjectHandle was = m_before.getObject(og);
        bool form_inside = false;
        for (const auto& k : changed_keys(was, now)) {
            const bool allowed = k == "/DSS" || k == "/AcroForm" ||
                                 (!p1() && (k == "/Metadata" || k == "/Extensions"));
            (allowed ? ok : bad).push_back(k);
            // A form dictionary written into the catalog itself is no object
            // of its own: judge its keys here.
            form_inside = form_inside || (k == "/AcroForm" && !now.getKey("/AcroForm").isIndirect());
        }
        if (!bad.empty()) {
            add(obj, "changed: the catalog's " + join(bad), false);
        } else {
            add(obj, "changed: the catalog's " + join(ok) + " (bookkeeping)", true);
        }
        if (form_inside) {
            judge_form_dict(obj, true, was.getKey("/AcroForm"), now.getKey("/AcroForm"));
        }
    }

    void judge_acroform(QPDFObjGen og, bool existed, QPDFObjectHandle now) {
        judge_form_dict(ref(og), existed, was_of(og, existed), now);
    }

    // The form dictionary may change its bookkeeping only: /Fields (gaining
    // signature fields), /SigFlags, /DA, /DR gaining resources (not
    // replacing those that fields already use), /NeedAppearances unless
    // it asks viewers to redraw every field, signed ones too.
    void judge_form_dict(const std::string& obj, bool existed, QPDFObjectHandle was,
                         QPDFObjectHandle now) {
        std::vector<std::string> bad;
        std::vector<std::string> ok;
        for (const auto& k : changed_keys(was, now)) {
            if (k == "/DR") {
                std::vector<std::string> replaced;
                replaced_resources(was.getKey("/DR"), now.getKey("/DR"), "", 0, replaced);
                if (replaced.empty()) {
                    ok.push_back(k);
                } else {
                    bad.push_back("/DR (replaces " + join(replaced) + ", which fields use)");
                }
                continue;
            }
            if (k == "/NeedAppearances") {
                QPDFObjectHandle v = now.getKey(k);
                if (v.isBool() && v.getBoolValue()) {
                    bad.emplace_back("/NeedAppearances true (viewers redraw every field, signed "
                                     "ones too)");
                } else {
                    ok.push_back(k);
                }
                continue;
            }
            const bool allowed = k == "/Fields" || k == "/SigFlags" || k == "/DA";
            (allowed ? ok : bad).push_back(k);
        }
        if (!bad.empty()) {
            add(obj, std::string(existed ? "changed" : "added") + ": the form dictionary's " +
                         join(bad),
                false);
            return;
        }
        add(obj, std::string(existed ? "changed" : "added") + ": the form dictionary's " +
                     join(ok) + " (bookkeeping)",
            true);
        if (std::find(ok.begin(), ok.end(), "/Fields") != ok.end() &&
            !now.getKey("/Fields").isIndirect()) {
            judge_field_list(obj);
        }
    }

    // Resource names (/DR, or one of its categories such as /Font) whose
    // entry an update replaced or dropped; new names are fine.
    static void replaced_resources(QPDFObjectHandle was, QPDFObjectHandle now,
                                   const std::string& prefix, int depth,
                                   std::vector<std::string>& out) {
        if (!was.isDictionary()) {
            return;
        }
        for (auto& [k, v] : was.ditems()) {
            QPDFObjectHandle n = now.isDictionary() ? now.getKey(k) : QPDFObjectHandle::newNull();
            if (v.isIndirect() || n.isIndirect()) {
                if (!(v.isIndirect() && n.isIndirect() && v.getObjGen() == n.getObjGen())) {
                    out.push_back(prefix + k);
                }
                continue;
            }
            if (depth == 0 && v.isDictionary() && n.isDictionary()) {
                replaced_resources(v, n, prefix + k + " ", 1, out);
                continue;
            }
            if (v.unparse() != n.unparse()) {
                out.push_back(prefix + k);
            }
        }
    }

    // The form's /DR dictionary or one of its category dictionaries.
    bool dr_container(QPDFObjGen og) {
        QPDFObjectHandle dr = m_after.getRoot().getKey("/AcroForm").getKey("/DR");
        if (dr.isIndirect() && dr.getObjGen() == og) {
            return true;
        }
        if (dr.isDictionary()) {
            for (auto& [k, v] : dr.ditems()) {
                if (v.isIndirect() && v.getObjGen() == og) {
                    return true;
                }
            }
        }
        return false;
    }

    // The top-level field list may only gain new signature fields.
    void judge_field_list(const std::string& obj) {
        const std::vector<QPDFObjGen>& was = m_pmap.top_fields();
        const std::vector<QPDFObjGen>& now = m_cmap.top_fields();
        for (const QPDFObjGen f : was) {
            if (std::find(now.begin(), now.end(), f) == now.end()) {
                add(obj, "the field " + ref(f) + " \"" + m_pmap.field_name(f) +
                             "\" was removed from the form",
                    false);
            }
        }
        for (const QPDFObjGen f : now) {
            if (std::find(was.begin(), was.end(), f) != was.end()) {
                continue;
            }
            const std::string name = m_cmap.field_name(f);
            if (!new_field(name)) {
                add(obj, "the field list gained " + ref(f) + ", another object for the existing "
                                                             "field \"" + name + "\"",
                    false);
                continue;
            }
            const std::string problem = new_sig_field_problem(name);
            if (problem.empty()) {
                add(obj, "the form gained the signature field \"" + name + "\"", true);
            } else {
                add(obj, problem, false);
            }
        }
    }

    void judge_page(QPDFObjGen og, bool existed, QPDFObjectHandle now) {
        const std::string obj = ref(og);
        const Node* n = m_cmap.node(og);
        const std::string page = "page " + std::to_string(n != nullptr ? n->page : 0);
        if (!existed || (m_pmap.roles(og) & r_page) == 0) {
            add(obj, "added: " + page, false);
            return;
        }
        std::vector<std::string> keys = changed_keys(m_before.getObject(og), now);
        std::vector<std::string> bad;
        for (const auto& k : keys) {
            if (k != "/Annots") {
                bad.push_back(k);
            }
        }
        if (!bad.empty()) {
            add(obj, "changed: " + page + "'s " + join(bad), false);
            return;
        }
        judge_annots(og, obj);
    }

    // A page's annotations may only gain widgets of new signature fields.
    void judge_annots(QPDFObjGen page, const std::string& obj) {
        const std::vector<QPDFObjGen> was = m_pmap.annots(page);
        const std::vector<QPDFObjGen> now = m_cmap.annots(page);
        const Node* n = m_cmap.node(page);
        const std::string where = "page " + std::to_string(n != nullptr ? n->page : 0);
        bool fine = true;
        for (const QPDFObjGen a : was) {
            if (std::find(now.begin(), now.end(), a) == now.end()) {
                add(obj, "an annotation " + ref(a) + " was removed from " + where, false);
                fine = false;
            }
        }
        for (const QPDFObjGen a : now) {
            if (std::find(was.begin(), was.end(), a) != was.end()) {
                continue;
            }
            const std::string name = m_cmap.field_name(a);
            if ((m_cmap.roles(a) & r_widget) == 0 || name.empty()) {
                QPDFObjectHandle h = m_after.getObject(a);
                add(obj, "an annotation " + ref(a) + " (" +
                             (h.isDictionary() ? h.getKey("/Subtype").unparse() : "?") +
                             ") was added to " + where,
                    false);
                fine = false;
                continue;
            }
            if (!new_field(name)) {
                add(obj, "a widget " + ref(a) + " of the existing field \"" + name +
                             "\" was added to " + where,
                    false);
                fine = false;
                continue;
            }
            const std::string problem = new_sig_field_problem(name);
            if (!problem.empty()) {
                add(obj, problem, false);
                fine = false;
            } else {
                add(obj, where + " gained the widget of the new signature field \"" + name + "\"",
                    true);
            }
        }
        const bool prefix = now.size() >= was.size() && std::equal(was.begin(), was.end(), now.begin());
        if (fine && !prefix) {
            add(obj, "the annotations of " + where + " were reordered", false);
        } else if (fine && now.size() == was.size()) {
            add(obj, "changed: " + where + "'s annotation list, same annotations", true);
        }
    }

    void judge_field(QPDFObjGen og, bool existed, QPDFObjectHandle now, QPDFObjectHandle was) {
        const std::string obj = ref(og);
        std::string name = m_cmap.field_name(og);
        if (name.empty() && existed) {
            name = m_pmap.field_name(og);
        }
        const bool is_new_field = new_field(name);
        if (!existed || (m_pmap.roles(og) & (r_field | r_widget)) == 0) {
            if (!is_new_field) {
                add(obj, "added: another part of the existing field \"" + name + "\"", false);
                return;
            }
            const std::string problem = new_sig_field_problem(name);
            if (problem.empty()) {
                add(obj, "added: the new signature field \"" + name + "\"", true);
            } else {
                add(obj, problem, false);
            }
            return;
        }
        std::vector<std::string> bad;
        std::vector<std::string> ok;
        for (const auto& k : changed_keys(was, now)) {
            if (k == "/V" && m_cmap.is_sig_field(name)) {
                QPDFObjectHandle v = now.getKey("/V");
                if (!was.getKey("/V").isNull() || !v.isIndirect() ||
                    m_signed_here.count(v.getObjGen()) == 0) {
                    bad.push_back("/V (the signature value)");
                    continue;
                }
                ok.push_back("/V (signed in this revision)");
                continue;
            }
            // /M is the annotation's modification date, which signers set.
            if (k == "/V" || k == "/AP" || k == "/AS" || k == "/MK" || k == "/M") {
                ok.push_back(k);
            } else {
                bad.push_back(k);
            }
        }
        if (!bad.empty()) {
            add(obj, "changed: the field \"" + name + "\"'s " + join(bad), false);
            return;
        }
        const std::string problem = field_block(name);
        if (!problem.empty()) {
            add(obj, "changed: the field \"" + name + "\"'s " + join(ok) + ", but " + problem,
                false);
            return;
        }
        add_fill(obj, "changed: the field \"" + name + "\"'s " + join(ok));
    }

    QPDF& m_before;
    QPDF& m_after;
    std::uint64_t m_before_end;
    int m_number;
    const Constraints& m_c;
    const std::set<QPDFObjGen>& m_signed_here;
    DocMap m_pmap;
    DocMap m_cmap;
    std::set<QPDFObjGen> m_changed;
    std::vector<Change> m_out;
};

}  // namespace

bool field_locked(const Constraints& c, const std::string& name) {
    auto under = [&name](const std::string& locked) {
        return name == locked || name.rfind(locked + ".", 0) == 0;
    };
    if (c.lock_all) {
        return true;
    }
    for (const auto& l : c.locked_fields) {
        if (under(l)) {
            return true;
        }
    }
    if (c.has_exclude) {
        bool excluded = false;
        for (const auto& l : c.lock_all_except) {
            excluded = excluded || under(l);
        }
        return !excluded;
    }
    return false;
}

std::vector<Change> diff_revision(QPDF& before, QPDF& after, std::uint64_t before_end, int number,
                                  const Constraints& constraints,
                                  const std::set<QPDFObjGen>& signed_here) {
    RevisionDiff diff(before, after, before_end, number, constraints, signed_here);
    return diff.run();
}

std::vector<std::pair<std::string, QPDFObjectHandle>> form_fields(QPDF& pdf) {
    std::vector<std::pair<std::string, QPDFObjectHandle>> out;
    std::set<QPDFObjGen> seen;
    std::function<void(QPDFObjectHandle, const std::string&, std::size_t)> walk =
        [&](QPDFObjectHandle f, const std::string& parent, std::size_t depth) {
            if (!f.isDictionary() || depth > k_max_depth) {
                return;
            }
            if (f.isIndirect() && !seen.insert(f.getObjGen()).second) {
                return;
            }
            std::string name = parent;
            if (f.getKey("/T").isString()) {
                name = parent.empty() ? f.getKey("/T").getUTF8Value()
                                      : parent + "." + f.getKey("/T").getUTF8Value();
            }
            out.emplace_back(name, f);
            QPDFObjectHandle kids = f.getKey("/Kids");
            if (kids.isArray()) {
                for (QPDFObjectHandle k : kids.aitems()) {
                    walk(k, name, depth + 1);
                }
            }
        };
    QPDFObjectHandle fields = pdf.getRoot().getKey("/AcroForm").getKey("/Fields");
    if (fields.isArray()) {
        for (QPDFObjectHandle f : fields.aitems()) {
            walk(f, "", 0);
        }
    }
    return out;
}

}  // namespace signet::verify
