# What zsh's completion system offers for a command line: a real interactive zsh (zpty) loads the completion
# script from a directory of $fpath, types the line and a TAB; every candidate passed to compadd is printed.
# usage: zsh zsh-complete.zsh FPATH_DIR 'command line '
zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "PROMPT='>'; fpath=($1 \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z 'compadd () { builtin compadd -O __hits "$@"; local h; for h in $__hits; do print -r -- "<<$h>>"; done; builtin compadd "$@" }'
zpty -w z 'zle -C __c complete-word _main_complete; bindkey "^I" __c'
zpty -w -n z "$2"$'\t'
sleep 1.5
local out all=""
while zpty -r -t z out; do all+=$out; done
print -r -- "$all" | tr -d '\r' | grep -ao '<<[^>$]*>>' | sed 's/^<<//; s/>>$//' | sort -u
zpty -d z
