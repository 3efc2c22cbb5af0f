# bash completion for signet(1).                              -*- shell-script -*-
# Installed as share/bash-completion/completions/signet; or: source signet.bash
# Self-contained: works without the bash-completion package.
# tests/cli/docs.test.sh checks it against `signet --help` and `signet SUB --help`.

_signet_commands="init create add-field status send sign decline void remind deliver template export verify audit"
_signet_global_opts="--store --json --no-color -q --quiet -v --verbose --version -h --help"
_signet_field_types="signature initials stamp date_signed text multiline number checkbox email name"
_signet_stages="draft sent in_progress waiting completed declined voided expired"

# The options of one subcommand (without the global ones).
_signet_command_opts() {
    case $1 in
        init) echo "--org --seal-p12" ;;
        create) echo "--title --party --party-file --owner --key --template --data --row --like" ;;
        add-field) echo "--type --role --page --rect --unit --name --label --required --optional --value" ;;
        status) echo "--stage --owner --board --limit" ;;
        send) echo "--template --bulk" ;;
        sign) echo "--token --send-code --code --signature-image --signature-text --stamp --field --agree --p12 --batch" ;;
        decline) echo "--token --reason" ;;
        void) echo "--reason" ;;
        remind) echo "--older-than" ;;
        deliver) echo "--now --limit" ;;
        template) echo "--data" ;;
        export) echo "--out --certificate --force" ;;
        verify) echo "--trust --check-store" ;;
        audit) echo "--check" ;;
    esac
}

# True when option $1 takes a value (so the next word is not a subcommand).
_signet_takes_value() {
    case $1 in
        --store | --org | --seal-p12 | --title | --party | --party-file | --owner | --key | \
            --type | --role | --page | --rect | --unit | --name | --label | --value | \
            --stage | --limit | --template | --data | --row | --like | --bulk | \
            --out | --certificate | --trust) return 0 ;;
        --token | --reason | --older-than) return 0 ;;
        --code | --signature-image | --signature-text | --stamp | --field | --p12) return 0 ;;
    esac
    return 1
}

# Files whose names end in one of the given suffixes, and directories.
_signet_files() {
    local cur=$1 f ext
    shift
    compopt -o filenames 2>/dev/null
    local IFS=$'\n'
    for f in $(compgen -f -- "$cur"); do
        if [[ -d $f ]]; then
            COMPREPLY+=("$f")
            continue
        fi
        for ext in "$@"; do
            if [[ ${f,,} == *."$ext" ]]; then
                COMPREPLY+=("$f")
                break
            fi
        done
    done
}

# Runs signet with the --store given on the command line, if any.
_signet_run() {
    local i store=()
    for ((i = 1; i < ${#COMP_WORDS[@]}; i++)); do
        case ${COMP_WORDS[i]} in
            --store)
                if [[ ${COMP_WORDS[i + 1]} == "=" ]]; then
                    store=(--store "${COMP_WORDS[i + 2]}")
                else
                    store=(--store "${COMP_WORDS[i + 1]}")
                fi
                ;;
            --store=*) store=(--store "${COMP_WORDS[i]#--store=}") ;;
        esac
    done
    "${COMP_WORDS[0]}" "${store[@]}" --no-color "$@" 2>/dev/null
}

# Envelope ids in the store (drafts only when $1 is "draft").
_signet_envelopes() {
    local args=(status)
    [[ -n $1 ]] && args+=(--stage "$1")
    _signet_run "${args[@]}" | awk 'NR > 1 && $1 ~ /^[a-z0-9]+$/ { print $1 }'
}

# The roles of the envelope named on the command line.
_signet_roles() {
    local envelope=$1
    [[ -n $envelope ]] || return
    _signet_run status "$envelope" --json |
        sed -n 's/^ *"role": "\([a-z0-9_]*\)",*$/\1/p' | sort -u
}

_signet() {
    COMPREPLY=()
    local cur=${COMP_WORDS[COMP_CWORD]}
    local prev=${COMP_WORDS[COMP_CWORD - 1]}
    local cword=$COMP_CWORD

    # "--type=sig": bash splits at "=" (COMP_WORDBREAKS); undo that.
    if [[ $cur == "=" && $prev == --* ]]; then
        cur=""
    elif [[ $prev == "=" && $cword -ge 2 ]]; then
        prev=${COMP_WORDS[cword - 2]}
    elif [[ $cur == --*=* ]]; then
        prev=${cur%%=*}
        cur=${cur#*=}
    fi

    # Find the subcommand and the first positional argument after it.
    local command="" positional="" i word
    for ((i = 1; i < cword; i++)); do
        word=${COMP_WORDS[i]}
        if [[ $word == "=" ]]; then
            ((i++))
            continue
        fi
        if [[ $word == -* ]]; then
            if [[ $word != *=* ]] && _signet_takes_value "$word" &&
                [[ ${COMP_WORDS[i + 1]} != "=" ]]; then
                ((i++))
            fi
            continue
        fi
        if [[ -z $command ]]; then
            command=$word
        elif [[ -z $positional ]]; then
            positional=$word
        fi
    done

    # The value of an option.
    case $prev in
        --store)
            compopt -o filenames 2>/dev/null
            local IFS=$'\n'
            COMPREPLY=($(compgen -d -- "$cur"))
            return
            ;;
        --party-file)
            _signet_files "$cur" yaml yml json
            return
            ;;
        --seal-p12)
            _signet_files "$cur" p12 pfx
            return
            ;;
        --template)
            _signet_files "$cur" yaml yml
            return
            ;;
        --data | --bulk)
            _signet_files "$cur" csv tsv yaml yml json
            return
            ;;
        --like)
            COMPREPLY=($(compgen -W "$(_signet_envelopes)" -- "$cur"))
            return
            ;;
        --out | --certificate)
            _signet_files "$cur" pdf
            return
            ;;
        --trust)
            _signet_files "$cur" pem crt cer
            return
            ;;
        --type)
            COMPREPLY=($(compgen -W "$_signet_field_types" -- "$cur"))
            return
            ;;
        --stage)
            COMPREPLY=($(compgen -W "$_signet_stages" -- "$cur"))
            return
            ;;
        --unit)
            COMPREPLY=($(compgen -W "pt mm" -- "$cur"))
            return
            ;;
        --page)
            COMPREPLY=($(compgen -W "last 1" -- "$cur"))
            return
            ;;
        --role)
            COMPREPLY=($(compgen -W "$(_signet_roles "$positional")" -- "$cur"))
            return
            ;;
        --token | --reason | --older-than)
            return
            ;;
        --signature-image | --stamp)
            _signet_files "$cur" png
            return
            ;;
        --p12)
            _signet_files "$cur" p12 pfx
            return
            ;;
        --code | --signature-text | --field)
            return
            ;;
        --org | --title | --party | --owner | --key | --rect | --name | --label | \
            --value | --limit | --row)
            return
            ;;
    esac

    if [[ -z $command ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$_signet_global_opts" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$_signet_commands" -- "$cur"))
        fi
        return
    fi

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(_signet_command_opts "$command") $_signet_global_opts" -- "$cur"))
        return
    fi

    # remind takes any number of waiting envelopes.
    if [[ $command == remind ]]; then
        COMPREPLY=($(compgen -W "$(_signet_envelopes waiting)" -- "$cur"))
        return
    fi

    # verify takes any number of PDFs.
    if [[ $command == verify ]]; then
        _signet_files "$cur" pdf
        return
    fi

    if [[ -z $positional ]]; then
        case $command in
            create) _signet_files "$cur" pdf ;;
            add-field) COMPREPLY=($(compgen -W "$(_signet_envelopes draft)" -- "$cur")) ;;
            status | send | export | audit) COMPREPLY=($(compgen -W "$(_signet_envelopes)" -- "$cur")) ;;
            sign | decline) COMPREPLY=($(compgen -W "$(_signet_envelopes waiting)" -- "$cur")) ;;
            void) COMPREPLY=($(compgen -W "$(_signet_envelopes)" -- "$cur")) ;;
            template) COMPREPLY=($(compgen -W "lint show" -- "$cur")) ;;
        esac
    elif [[ $command == template ]]; then
        _signet_files "$cur" yaml yml
    fi
}

complete -F _signet signet
