# fish completion for signet(1). Installed as
# share/fish/vendor_completions.d/signet.fish.
# tests/cli/docs.test.sh checks it against `signet --help` and `signet SUB --help`.

# The subcommand on the command line, if any (options and their values skipped).
function __signet_command
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l skip 0
    for token in $tokens
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $token
            case --store --org --seal-p12 --title --party --party-file --owner --key --type --role --page --rect --unit --name --label --value --stage --limit --template --data --row --like --bulk
                set skip 1
            case --token --reason --older-than
                set skip 1
            case --code --signature-image --signature-text --stamp --field --p12
                set skip 1
            case '-*'
            case '*'
                echo $token
                return 0
        end
    end
    return 1
end

function __signet_needs_command
    not __signet_command >/dev/null
end

function __signet_using_command
    set -l command (__signet_command)
    and test "$command" = "$argv[1]"
end

# The first argument after the subcommand (the envelope), if any.
function __signet_positional
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l skip 0
    set -l seen_command 0
    for token in $tokens
        if test $skip -eq 1
            set skip 0
            continue
        end
        switch $token
            case --store --org --seal-p12 --title --party --party-file --owner --key --type --role --page --rect --unit --name --label --value --stage --limit --template --data --row --like --bulk
                set skip 1
            case --token --reason --older-than
                set skip 1
            case --code --signature-image --signature-text --stamp --field --p12
                set skip 1
            case '-*'
            case '*'
                if test $seen_command -eq 1
                    echo $token
                    return 0
                end
                set seen_command 1
        end
    end
    return 1
end

function __signet_needs_positional
    not __signet_positional >/dev/null
end

# Files ending in one of the extensions given (any case), and directories.
function __signet_files
    for path in (__fish_complete_path (commandline -ct))
        set -l file (string replace -r '\t.*$' '' -- $path)
        if string match -q -- '*/' $file
            echo $file
            continue
        end
        for ext in $argv
            if string match -qi -- "*.$ext" $file
                echo $file
                break
            end
        end
    end
end

# Runs signet with the --store given on the command line, if any.
function __signet_run
    set -l tokens (commandline -opc)
    set -l store
    set -l i 1
    while test $i -le (count $tokens)
        switch $tokens[$i]
            case --store
                set store --store $tokens[(math $i + 1)]
            case '--store=*'
                set store --store (string replace -- --store= '' $tokens[$i])
        end
        set i (math $i + 1)
    end
    command signet $store --no-color $argv 2>/dev/null
end

function __signet_envelopes
    __signet_run status $argv | string match -r '^[a-z0-9]+(?= )'
end

function __signet_roles
    set -l envelope (__signet_positional)
    or return
    __signet_run status $envelope --json | string replace -rf '^ *"role": "([a-z0-9_]*)",?$' '$1' | sort -u
end

complete -c signet -f

# Global options: before or after the subcommand.
complete -c signet -l store -xa '(__fish_complete_directories)' -d 'Store directory (else $SIGNET_HOME)'
complete -c signet -l json -d 'Print one JSON document on stdout'
complete -c signet -l no-color -d 'Never colour the output'
complete -c signet -s q -l quiet -d 'Print only what scripts need'
complete -c signet -s v -l verbose -d 'Say more about what happens'
complete -c signet -s h -l help -d 'Print help and exit'
complete -c signet -n __signet_needs_command -l version -d 'Print the version and exit'

# Subcommands.
complete -c signet -n __signet_needs_command -a init -d 'Create the envelope store (idempotent)'
complete -c signet -n __signet_needs_command -a create -d 'Create a draft envelope from a PDF'
complete -c signet -n __signet_needs_command -a add-field -d 'Add a field to a draft envelope'
complete -c signet -n __signet_needs_command -a status -d 'Show an envelope, the list, or the board'
complete -c signet -n __signet_needs_command -a send -d 'Send envelopes to the parties whose turn it is'
complete -c signet -n __signet_needs_command -a sign -d 'Sign an envelope as the party a token names'
complete -c signet -n __signet_needs_command -a decline -d 'Decline to sign an envelope (a party, with its token)'
complete -c signet -n __signet_needs_command -a void -d 'Void an envelope you sent'
complete -c signet -n __signet_needs_command -a remind -d 'Remind the parties whose turn it is'
complete -c signet -n __signet_needs_command -a deliver -d 'Deliver the messages waiting in the outbox'
complete -c signet -n __signet_needs_command -a template -d 'Check and show templates (YAML)'
complete -c signet -n __signet_needs_command -a export -d "Write an envelope's signed PDF and its certificate of completion"
complete -c signet -n __signet_needs_command -a verify -d 'Verify the signatures of PDFs and what changed after them'
complete -c signet -n __signet_needs_command -a audit -d "Show or check an envelope's audit trail"

# init
complete -c signet -n '__signet_using_command init' -l org -x -d 'The organisation this store signs for'
complete -c signet -n '__signet_using_command init' -l seal-p12 -xa '(__signet_files p12 pfx)' -d 'Import the organisation seal from a PKCS#12 file'

# create
complete -c signet -n '__signet_using_command create; and __signet_needs_positional' -xa '(__signet_files pdf)' -d 'PDF document'
complete -c signet -n '__signet_using_command create' -l title -x -d 'Title shown to the parties'
complete -c signet -n '__signet_using_command create' -l party -x -d 'A party: role=,name=,email=,phone=,order=,…'
complete -c signet -n '__signet_using_command create' -l party-file -xa '(__signet_files yaml yml json)' -d 'Parties as a YAML or JSON list'
complete -c signet -n '__signet_using_command create' -l owner -x -a '(__fish_complete_users)' -d 'The sender (default: the current user)'
complete -c signet -n '__signet_using_command create' -l key -x -d 'Idempotency key'
complete -c signet -n '__signet_using_command create' -l template -xa '(__signet_files yaml yml)' -d 'Create from a template'
complete -c signet -n '__signet_using_command create' -l data -xa '(__signet_files csv tsv yaml yml json)' -d 'With --template: the data rows'
complete -c signet -n '__signet_using_command create' -l row -x -d 'With --data: which row, from 1'
complete -c signet -n '__signet_using_command create' -l like -xa '(__signet_envelopes)' -d 'Copy the parties and fields of this envelope'

# add-field
complete -c signet -n '__signet_using_command add-field; and __signet_needs_positional' -xa '(__signet_envelopes --stage draft)' -d 'Envelope'
complete -c signet -n '__signet_using_command add-field' -l type -x -a 'signature initials stamp date_signed text multiline number checkbox email name' -d 'Field type'
complete -c signet -n '__signet_using_command add-field' -l role -x -a '(__signet_roles)' -d 'The party that fills the field'
complete -c signet -n '__signet_using_command add-field' -l page -x -a last -d 'Page number, or last'
complete -c signet -n '__signet_using_command add-field' -l rect -x -d 'X,Y,W,H from the bottom-left of the page as displayed'
complete -c signet -n '__signet_using_command add-field' -l unit -x -a 'pt mm' -d 'Unit of --rect'
complete -c signet -n '__signet_using_command add-field' -l name -x -d 'Field name (generated when not given)'
complete -c signet -n '__signet_using_command add-field' -l label -x -d 'What the signer is asked'
complete -c signet -n '__signet_using_command add-field; and not __fish_seen_argument -l optional' -l required -d 'The party must fill it (the default)'
complete -c signet -n '__signet_using_command add-field; and not __fish_seen_argument -l required' -l optional -d 'The party may leave it empty'
complete -c signet -n '__signet_using_command add-field' -l value -x -d 'A value fixed by the sender'

# status
complete -c signet -n '__signet_using_command status; and __signet_needs_positional' -xa '(__signet_envelopes)' -d 'Envelope'
complete -c signet -n '__signet_using_command status' -l stage -x -a 'draft sent in_progress waiting completed declined voided expired' -d 'Only envelopes in this stage'
complete -c signet -n '__signet_using_command status' -l owner -x -a '(__fish_complete_users)' -d 'Only envelopes sent by NAME'
complete -c signet -n '__signet_using_command status' -l board -d 'Stages as columns, longest-waiting first'
complete -c signet -n '__signet_using_command status' -l limit -x -d 'Envelopes shown per board column (default 5)'

# send
complete -c signet -n '__signet_using_command send' -xa '(__signet_envelopes --stage draft)' -d 'Envelope'
complete -c signet -n '__signet_using_command send' -l template -xa '(__signet_files yaml yml)' -d 'With --bulk: the template each row is made from'
complete -c signet -n '__signet_using_command send' -l bulk -xa '(__signet_files csv tsv yaml yml json)' -d 'One envelope per row of this CSV, YAML or JSON file'

# sign
complete -c signet -n '__signet_using_command sign; and __signet_needs_positional' -xa '(__signet_envelopes --stage waiting)' -d 'Envelope'
complete -c signet -n '__signet_using_command sign' -l token -x -d 'Access token from your invitation (else $SIGNET_TOKEN, else asked)'
complete -c signet -n '__signet_using_command sign' -l send-code -d 'Send a one-time code to your contact and exit'
complete -c signet -n '__signet_using_command sign' -l code -x -d 'The one-time code you received'
complete -c signet -n '__signet_using_command sign; and not __fish_seen_argument -l signature-text' -l signature-image -xa '(__signet_files png)' -d 'Your signature as a PNG image'
complete -c signet -n '__signet_using_command sign; and not __fish_seen_argument -l signature-image' -l signature-text -x -d 'Your name, drawn as a handwritten signature'
complete -c signet -n '__signet_using_command sign' -l stamp -xa '(__signet_files png)' -d 'The stamp image (PNG), where you must stamp'
complete -c signet -n '__signet_using_command sign' -l field -x -d 'A value for one of your fields: NAME=VALUE'
complete -c signet -n '__signet_using_command sign' -l agree -d 'Consent to sign electronically (else asked)'
complete -c signet -n '__signet_using_command sign' -l p12 -xa '(__signet_files p12 pfx)' -d 'Sign with your own certificate and key (PKCS#12)'
complete -c signet -n '__signet_using_command sign' -l batch -d 'Sign every envelope waiting for you (the contact of the token\'s party)'

# decline
complete -c signet -n '__signet_using_command decline; and __signet_needs_positional' -xa '(__signet_envelopes --stage waiting)' -d 'Envelope'
complete -c signet -n '__signet_using_command decline' -l token -x -d 'Access token from your invitation (else $SIGNET_TOKEN, else asked)'
complete -c signet -n '__signet_using_command decline' -l reason -x -d 'Why you decline, told to every party'

# void
complete -c signet -n '__signet_using_command void; and __signet_needs_positional' -xa '(__signet_envelopes)' -d 'Envelope'
complete -c signet -n '__signet_using_command void' -l reason -x -d 'Why it is voided, told to the invited parties'

# remind
complete -c signet -n '__signet_using_command remind' -xa '(__signet_envelopes --stage waiting)' -d 'Envelope'
complete -c signet -n '__signet_using_command remind' -l older-than -x -a '30m 12h 1d 3d 1w 2w' -d 'Only parties invited longer ago than this'

# deliver
complete -c signet -n '__signet_using_command deliver' -l now -d 'Also retry messages whose back-off has not run out'
complete -c signet -n '__signet_using_command deliver' -l limit -x -d 'Try at most N messages (default 1000)'

# template lint|show
complete -c signet -n '__signet_using_command template; and __signet_needs_positional' -xa 'lint show'
complete -c signet -n '__signet_using_command template; and not __signet_needs_positional' -ka '(__signet_files yaml yml)' -d 'Template'
complete -c signet -n '__signet_using_command template' -l data -xa '(__signet_files csv tsv yaml yml json)' -d 'Lint: data rows every placeholder must be filled from'

# export
complete -c signet -n '__signet_using_command export; and __signet_needs_positional' -xa '(__signet_envelopes)' -d 'Envelope'
complete -c signet -n '__signet_using_command export' -l out -rF -d "Where to write the envelope's current PDF"
complete -c signet -n '__signet_using_command export' -l certificate -rF -d 'Also write the certificate of completion here'
complete -c signet -n '__signet_using_command export' -l force -d 'Replace files that exist'

# verify
complete -c signet -n '__signet_using_command verify' -F -a '(__fish_complete_suffix .pdf)' -d 'Signed PDF'
complete -c signet -n '__signet_using_command verify' -l trust -r -F -a '(__fish_complete_suffix .pem)' -d 'Trust the certificates in this PEM file'
complete -c signet -n '__signet_using_command verify' -l check-store -d 'Also check the revisions against the audit trail'

# audit
complete -c signet -n '__signet_using_command audit; and __signet_needs_positional' -xa '(__signet_envelopes)' -d 'Envelope'
complete -c signet -n '__signet_using_command audit' -l check -d 'Check the hash chain, the stored revisions and the sealed chain head'
