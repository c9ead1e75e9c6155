#!/bin/bash
# The bash completion offers the commands and options that --help lists.
# bash-completion's helpers are stubbed so the test needs only bash.
. "$(dirname "$0")/../integration/lib.sh"

_init_completion() {
	cur=${COMP_WORDS[COMP_CWORD]}
	prev=${COMP_WORDS[COMP_CWORD-1]}
	words=("${COMP_WORDS[@]}")
	cword=$COMP_CWORD
}
_filedir() { COMPREPLY=(FILES); }
. "$top_srcdir/contrib/salescycle.bash-completion"

# complete WORDS...: the completions of the last word.
complete_words() {
	COMP_WORDS=("$@")
	COMP_CWORD=$(($# - 1))
	COMPREPLY=()
	_salescycle "$SALESCYCLE" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
	echo "${COMPREPLY[*]}"
}

check_eq "commands" "$(complete_words salescycle fun)" "funnel"
check_eq "command after -c" "$(complete_words salescycle -c x.conf tra)" "transitions"
check_eq "common option" "$(complete_words salescycle deals --for)" "--format"
check_eq "command option" "$(complete_words salescycle appointments --ta)" "--target"
check_eq "format values" "$(complete_words salescycle deals --format j)" "json"
check_eq "by values" "$(complete_words salescycle appointments --by c)" "created"
check_eq "files for import" "$(complete_words salescycle import --salesperson anna x)" "FILES"
case " $(complete_words salescycle '') " in
*" rebuild "*) ;;
*) fail "the command list lacks rebuild" ;;
esac
echo ok
