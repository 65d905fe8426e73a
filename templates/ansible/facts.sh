H=
for s in "${SHELL:-}" /bin/bash; do
  [ -x "$s" ] || continue
  r=$("$s" -lc 'command -v hermes' 2>/dev/null </dev/null | tail -n 1)
  case $r in /*) H=$r; break;; esac
done
for c in "$HOME/.local/bin/hermes" /usr/local/bin/hermes "$HOME/.hermes/hermes-agent/venv/bin/hermes"; do
  [ -z "$H" ] && [ -x "$c" ] && H=$c
done
b64() { base64 | tr -d '\n'; }
NPM=$(command -v npm 2>/dev/null || bash -lc 'command -v npm' 2>/dev/null </dev/null)
printf '{"home": "%s", "user": "%s", "uid": %s, "hermes": "%s", "npm": %s, "linger": %s,' "$HOME" "$(id -un)" "$(id -u)" "$H" \
  "$([ -n "$NPM" ] && echo true || echo false)" "$([ -e "/var/lib/systemd/linger/$(id -un)" ] && echo true || echo false)"
SL=$(sed -n 's/.*"lingerEnabledByUs": *\(true\|false\).*/\1/p' "$HOME/.hermes/.hermes-setup-state.json" 2>/dev/null | head -n 1)
printf ' "state_linger": %s,' "${SL:-false}"
printf ' "version": "%s", "dashboard_help": "%s", "serve_help": "%s", "tailscale": "%s"}\n' \
  "$([ -n "$H" ] && "$H" --version 2>/dev/null | head -n 1 | b64)" "$([ -n "$H" ] && "$H" dashboard --help 2>&1 | b64)" \
  "$([ -n "$H" ] && "$H" serve --help 2>&1 | b64)" "$(tailscale status --json --peers=false 2>/dev/null | b64)"
