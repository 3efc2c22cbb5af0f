#!/usr/bin/env bash
# The man pages and shell completions cover the command tree that the binary
# shows: every subcommand in `signet --help` has man/signet-NAME.1 and is in
# each completion file; every flag in `signet NAME --help` (and every global
# flag) is documented in its man page and completed by each shell; the value
# lists in the help (--type, --stage, --unit …) are offered; every page has
# NAME, EXIT STATUS and EXAMPLES, renders without groff warnings and refers
# only to pages that exist.
#
# Environment (set by ctest): SIGNET (the binary), SOURCE_DIR (the repo root).
# zsh and fish are optional: without them only their syntax checks are
# skipped; the completion files are then checked as text.
#
# Conventions the text checks rely on (see completions/):
#   zsh   subcommands as 'NAME:description' entries; each subcommand's
#         options in a case branch "(NAME)" that ends with ";;".
#   fish  subcommands as -a NAME on lines with __signet_needs_command;
#         options of NAME on lines with '__signet_using_command NAME'.

set -u

: "${SIGNET:?set SIGNET to the signet binary}"
: "${SOURCE_DIR:?set SOURCE_DIR to the repository root}"
MAN_DIR=$SOURCE_DIR/man
BASH_COMP=$SOURCE_DIR/completions/signet.bash
ZSH_COMP=$SOURCE_DIR/completions/_signet
FISH_COMP=$SOURCE_DIR/completions/signet.fish

checks=0
failures=0
pass() { checks=$((checks + 1)); printf 'ok    %s\n' "$*"; }
fail() { checks=$((checks + 1)); failures=$((failures + 1)); printf 'FAIL  %s\n' "$*"; }
skip() { printf 'skip  %s\n' "$*"; }
# check DESCRIPTION COMMAND...: passes when COMMAND succeeds.
check() {
    local description=$1
    shift
    if "$@"; then pass "$description"; else fail "$description"; fi
}

listed() { grep -qxF -- "$2" <<<"$1"; } # LIST WORD: WORD is a line of LIST
not_listed() { ! listed "$@"; }

# Runs the binary without a store, colour or terminal quirks.
run_signet() { NO_COLOR=1 COLUMNS=200 "$SIGNET" "$@" </dev/null 2>&1; }

# ---------------------------------------------------------------------------
# Parsing CLI11's help. Section headings are lines at column 0 ending in ":"
# ("Options:", "OPTIONS:", a custom option group, "Subcommands:" …); entries
# are indented. Option entries start with "-" and list their names separated
# by commas ("-q,--quiet", or "-q,     --quiet" in newer CLI11), then an
# optional type name ("DIR", "pt|mm"), then the description after two spaces
# or on the next line. Footers ("Example:") are not option groups.

# Prints NAME<TAB>TYPE<TAB>DESCRIPTION for every option name in the help on stdin.
help_options() {
    awk '
        /^[^ \t].*:[ \t]*$/ {
            heading = tolower($0)
            skip = heading ~ /^(positionals|subcommands|examples?|see also|notes?)[ \t]*:/
            next
        }
        /^[^ \t]/ { skip = 1; next }      # footer text at column 0
        skip { next }
        /^ +-/ {
            line = $0
            sub(/^ +/, "", line)
            if (length($0) - length(line) > 12) next   # a footer example line
            if (!match(line, /^-[^ ,]+(, *-[^ ,]+)*/)) next
            names = substr(line, 1, RLENGTH)
            rest = substr(line, RLENGTH + 1)
            type = ""
            if (match(rest, /^ [^ ]+/)) {
                token = substr(rest, 2, RLENGTH - 1)
                if (token !~ /^(REQUIRED|Excludes:|Needs:|\.\.\.)$/ && token !~ /^-/) type = token
            }
            description = ""
            if (match(rest, /  +[^ ]/)) {
                description = substr(rest, RSTART)
                sub(/^ +/, "", description)
            }
            n = split(names, list, /, */)
            for (i = 1; i <= n; i++) printf "%s\t%s\t%s\n", list[i], type, description
        }
    '
}

# Prints the subcommand names in the help on stdin.
help_subcommands() {
    awk '
        /^[^ \t].*:[ \t]*$/ { in_sub = tolower($0) ~ /^subcommands[ \t]*:/; next }
        /^[ \t]*$/ { in_sub = 0; next }
        in_sub && /^ +[a-z][a-z0-9_-]*( |$)/ { print $1 }
    '
}

# Values a completion should offer for an option, from its help entry: the
# lowercase alternatives of a type name such as "pt|mm" or "N|last", or a
# description that is only a list of three or more lowercase words
# ("draft sent in_progress …").
option_values() {
    local type=$1 description=$2 word
    if [[ $type == *"|"* ]]; then
        tr '|' '\n' <<<"$type" | grep -E '^[a-z][a-z0-9_-]*$'
    fi
    if [[ $description =~ ^[a-z_]+(\ [a-z_]+){2,}$ ]]; then
        for word in $description; do echo "$word"; done
    fi
}

# ---------------------------------------------------------------------------
# Man pages.

# The tags of the .TP and .IP items of a page, one a line, as plain text
# ("\fB\-\-page\fR" becomes "--page").
man_tags() {
    awk '
        take { print; take = 0; next }
        /^\.TP/ { take = 1; next }
        /^\.IP / { sub(/^\.IP +/, ""); print }
    ' "$1" | sed -e 's/\\f[BIRP]//g' -e 's/\\f([A-Z][A-Z]//g' -e 's/\\f\[[A-Z]*\]//g' \
        -e 's/\\-/-/g' -e 's/\\[&%|^]//g' -e 's/\\~/ /g' -e 's/^\.[A-Z][A-Z]* *//' -e 's/"//g'
}

# True when the text on stdin holds WORD as a whole word (an option name or
# a subcommand: letters, digits, "_" and "-" around it do not count).
has_word() {
    local word=$1
    grep -qE -- "(^|[^A-Za-z0-9_-])$(sed 's/[.[\*^$]/\\&/g' <<<"$word")([^A-Za-z0-9_-]|$)"
}

man_documents() { # PAGE WORD: WORD is the tag of an item in PAGE
    man_tags "$1" | has_word "$2"
}

has_section() { # PAGE HEADING
    grep -qE "^\.SH +\"?$2\"?[[:space:]]*$" "$1"
}

# ---------------------------------------------------------------------------
# Completions.

# bash: runs the completion function for the words given (the last one is
# completed) and prints what it offers, one a line.
bash_complete() {
    (
        # shellcheck source=/dev/null
        source "$BASH_COMP" || exit 1
        COMP_WORDS=("$@")
        COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
        COMP_LINE="$*"
        COMP_POINT=${#COMP_LINE}
        COMPREPLY=()
        _signet 2>/dev/null
        printf '%s\n' "${COMPREPLY[@]}"
    ) </dev/null
}

bash_offers() { # WORD COMMAND-LINE-WORDS...: completing the words offers WORD
    local word=$1
    shift
    bash_complete "$@" | grep -qxF -- "$word"
}

# zsh: the case branch of a subcommand.
zsh_block() {
    awk -v name="$1" '
        $0 ~ "^[ \t]*\\(" name "\\)[ \t]*$" { inside = 1; next }
        inside && /;;[ \t]*$/ { exit }
        inside { print }
    ' "$ZSH_COMP"
}

zsh_has_command() { grep -qE "^[[:space:]]*'$1:" "$ZSH_COMP"; }

zsh_has_option() { # COMMAND|"" OPTION [VALUE]
    local text
    if [[ -z $1 ]]; then text=$(cat "$ZSH_COMP"); else text=$(zsh_block "$1"); fi
    if [[ -z ${3-} ]]; then
        has_word "$2" <<<"$text"
    else
        grep -E -- "(^|[^A-Za-z0-9_-])$2([^A-Za-z0-9_-]|$)" <<<"$text" | has_word "$3"
    fi
}

# fish: lines of the subcommand, or the whole file for global options; the
# conditions (-n '...') are cut off, so that only what is completed counts.
fish_lines() {
    if [[ -z $1 ]]; then
        cat "$FISH_COMP"
    else
        grep -E -- "__signet_using_command $1[';]" "$FISH_COMP"
    fi | sed -e "s/ -n '[^']*'//" -e 's/ -n [^ ]*//'
}

fish_has_command() {
    grep -F -- "__signet_needs_command" "$FISH_COMP" | grep -qE -- "-a '?$1'?( |$)"
}

fish_has_option() { # COMMAND|"" OPTION [VALUE]
    local option=$2 pattern
    if [[ $option == --* ]]; then pattern="-l ${option#--}"; else pattern="-s ${option#-}"; fi
    if [[ -z ${3-} ]]; then
        fish_lines "$1" | grep -qE -- "(^| )$pattern( |$)"
    else
        fish_lines "$1" | grep -E -- "(^| )$pattern( |$)" | has_word "$3"
    fi
}

# fish_offers WORD COMMAND-LINE: fish offers WORD when completing the line.
# Answers are cached per line: starting fish is the slow part.
declare -A fish_cache
fish_offers() {
    if [[ -z ${fish_cache[$2]+set} ]]; then
        fish_cache[$2]=$(fish --no-config -c "source '$FISH_COMP'; complete -C '$2'" 2>/dev/null | cut -f1)
    fi
    grep -qxF -- "$1" <<<"${fish_cache[$2]}"
}

# ---------------------------------------------------------------------------

echo "# signet: $SIGNET"
echo "# sources: $SOURCE_DIR"

top_help=$(run_signet --help)
check "signet --help exits 0" test $? -eq 0
mapfile -t commands < <(help_subcommands <<<"$top_help")
mapfile -t global_options < <(help_options <<<"$top_help" | cut -f1)
check "signet --help lists subcommands (${commands[*]})" test "${#commands[@]}" -gt 0
check "signet --help lists global options (${global_options[*]})" test "${#global_options[@]}" -gt 0

have_fish=0
have_zsh=0
command -v fish >/dev/null 2>&1 && have_fish=1
command -v zsh >/dev/null 2>&1 && have_zsh=1

# Completion files exist and parse.
for file in "$BASH_COMP" "$ZSH_COMP" "$FISH_COMP"; do
    check "${file#"$SOURCE_DIR"/} exists" test -f "$file"
done
check "completions/signet.bash: bash parses it" bash -n "$BASH_COMP"
check "completions/signet.bash: loading it registers 'complete -F _signet signet'" \
    listed "$(bash -c "source '$BASH_COMP' && complete -p signet" 2>&1)" "complete -F _signet signet"
if ((have_zsh)); then
    check "completions/_signet: zsh -n parses it" zsh -n "$ZSH_COMP"
    check "completions/_signet: first line is #compdef signet" \
        listed "$(head -n1 "$ZSH_COMP")" "#compdef signet"
else
    skip "completions/_signet: zsh is not installed, syntax not checked"
fi
if ((have_fish)); then
    check "completions/signet.fish: fish -n parses it" fish --no-config -n "$FISH_COMP"
else
    skip "completions/signet.fish: fish is not installed, syntax and behaviour not checked"
fi

# The top level: signet(1) and the global options.
check "man/signet.1 exists" test -f "$MAN_DIR/signet.1"
for option in "${global_options[@]}"; do
    check "signet(1) documents global option $option" man_documents "$MAN_DIR/signet.1" "$option"
    check "bash completes global option $option" bash_offers "$option" signet -
    check "bash completes global option $option after a subcommand" \
        bash_offers "$option" signet "${commands[0]}" -
    check "zsh completion has global option $option" zsh_has_option "" "$option"
    check "fish completion has global option $option" fish_has_option "" "$option"
    if ((have_fish)); then
        check "fish completes global option $option" fish_offers "$option" "signet -"
    fi
done

# Each subcommand (and its own subcommands, when it has some).
queue=("${commands[@]}")
while ((${#queue[@]} > 0)); do
    command=${queue[0]}
    queue=("${queue[@]:1}")
    read -ra words <<<"$command"
    last=${words[${#words[@]} - 1]}
    page=$MAN_DIR/signet-${command// /-}.1
    if [[ ! -f $page && ${#words[@]} -gt 1 ]]; then
        page=$MAN_DIR/signet-${words[0]}.1 # nested subcommands may share their parent's page
    fi

    help=$(run_signet "${words[@]}" --help)
    check "signet $command --help exits 0" test $? -eq 0

    if ((${#words[@]} == 1)); then
        check "'$command' is in signet(1) COMMANDS" man_documents "$MAN_DIR/signet.1" "$command"
    fi
    check "man page ${page#"$SOURCE_DIR"/} exists for '$command'" test -f "$page"
    check "bash completes subcommand '$command'" bash_offers "$last" signet "${words[@]:0:${#words[@]}-1}" ""
    if ((${#words[@]} == 1)); then
        check "zsh completion has subcommand '$command'" zsh_has_command "$command"
        check "fish completion has subcommand '$command'" fish_has_command "$command"
    else
        check "zsh completion has subcommand '$command'" has_word "$last" <"$ZSH_COMP"
        check "fish completion has subcommand '$command'" has_word "$last" <"$FISH_COMP"
    fi
    if ((have_fish)); then
        check "fish completes subcommand '$command'" fish_offers "$last" "signet ${words[*]:0:${#words[@]}-1} "
    fi

    # zsh and fish blocks are per first-level subcommand.
    block=$command
    ((${#words[@]} > 1)) && block=""

    while IFS=$'\t' read -r option type description; do
        [[ -n $option ]] || continue
        # An option that is also global (--help) is completed with the global ones.
        where=$block
        [[ " ${global_options[*]} " == *" $option "* ]] && where=""
        if [[ -f $page ]]; then
            check "signet-${command// /-}: documents $option" man_documents "$page" "$option"
        fi
        check "bash completes '$command $option'" bash_offers "$option" signet "${words[@]}" -
        check "zsh completion has '$command $option'" zsh_has_option "$where" "$option"
        check "fish completion has '$command $option'" fish_has_option "$where" "$option"
        if ((have_fish)); then
            check "fish completes '$command $option'" fish_offers "$option" "signet ${words[*]} -"
        fi
        while read -r value; do
            [[ -n $value ]] || continue
            check "bash completes '$command $option $value'" \
                bash_offers "$value" signet "${words[@]}" "$option" ""
            check "zsh completion offers '$command $option $value'" \
                zsh_has_option "$where" "$option" "$value"
            check "fish completion offers '$command $option $value'" \
                fish_has_option "$where" "$option" "$value"
            if ((have_fish)); then
                check "fish completes '$command $option $value'" \
                    fish_offers "$value" "signet ${words[*]} $option "
            fi
        done < <(option_values "$type" "$description")
    done < <(help_options <<<"$help")

    while read -r sub; do
        [[ -n $sub ]] && queue+=("$command $sub")
    done < <(help_subcommands <<<"$help")
done

# File arguments complete to files of the right kind (bash, in a scratch dir).
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir "$scratch/dir"
touch "$scratch/a.pdf" "$scratch/b.PDF" "$scratch/c.txt" "$scratch/p.yaml" "$scratch/p.json"
in_scratch() { (cd "$scratch" && "$@"); }
offered=$(in_scratch bash_complete signet create "")
check "bash: 'signet create ' offers PDF files" listed "$offered" a.pdf
check "bash: 'signet create ' offers .PDF files" listed "$offered" b.PDF
check "bash: 'signet create ' offers directories" listed "$offered" dir
check "bash: 'signet create ' does not offer other files" not_listed "$offered" c.txt
offered=$(in_scratch bash_complete signet create --party-file "")
check "bash: '--party-file ' offers YAML files" listed "$offered" p.yaml
check "bash: '--party-file ' offers JSON files" listed "$offered" p.json
check "bash: '--party-file ' does not offer PDF files" not_listed "$offered" a.pdf
offered=$(in_scratch bash_complete signet --store "")
check "bash: '--store ' offers directories" listed "$offered" dir
check "bash: '--store ' does not offer files" not_listed "$offered" a.pdf
if ((have_fish)); then
    offered=$(in_scratch fish --no-config -c "source '$FISH_COMP'; complete -C 'signet create '" | cut -f1)
    check "fish: 'signet create ' offers PDF files" listed "$offered" a.pdf
    check "fish: 'signet create ' does not offer other files" not_listed "$offered" c.txt
fi

# Every page: sections, rendering, references.
shopt -s nullglob
pages=("$MAN_DIR"/*.[1-9])
check "man/ holds pages (${#pages[@]})" test "${#pages[@]}" -gt 0
have_groff=0
command -v groff >/dev/null 2>&1 && have_groff=1
((have_groff)) || skip "groff is not installed: pages not rendered"
for page in "${pages[@]}"; do
    name=${page#"$MAN_DIR"/}
    for heading in NAME SYNOPSIS DESCRIPTION "EXIT STATUS" EXAMPLES "SEE ALSO"; do
        check "$name has a $heading section" has_section "$page" "$heading"
    done
    if ((have_groff)); then
        warnings=$(groff -man -Tutf8 -ww -z "$page" 2>&1)
        check "$name renders without groff warnings${warnings:+: $warnings}" test -z "$warnings"
    fi
    while read -r ref; do
        target=${ref%(*}
        section=${ref#*(}
        section=${section%)}
        check "$name: reference $ref is a page in man/" test -f "$MAN_DIR/$target.$section"
    done < <(sed -e 's/\\-/-/g' -e 's/\\%//g' -e 's/\\f[BIRP]//g' "$page" |
        grep -oE 'signet(-[a-z0-9-]+)? *\([0-9]\)' | tr -d ' ' | sort -u)
done

# The help's own references ("See signet-create(1).") name pages that exist.
while read -r ref; do
    target=${ref%(*}
    section=${ref#*(}
    section=${section%)}
    check "--help refers to $ref, a page in man/" test -f "$MAN_DIR/$target.$section"
done < <(
    {
        for command in "${commands[@]}"; do run_signet "$command" --help; done
        printf '%s\n' "$top_help"
    } | grep -oE 'signet(-[a-z0-9-]+)?\([0-9]\)' | sort -u
)

echo "# $checks checks, $failures failed"
((failures == 0))
