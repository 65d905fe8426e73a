# Basic-auth password hash for Hermes (hermes-behaviour.md §18.1): scrypt$N$r$p$<salt>$<key>, N=16384, r=8, p=1,
# 16-byte salt, 32-byte key, standard base64. stdin: the password, a newline, the hash .env holds now (may be empty).
# Prints that hash again when the password matches it (nothing changes), else a new one. Runs on the host; the
# password never appears on a command line or in a log (the task is no_log).
import base64
import hashlib
import hmac
import os
import sys

if not hasattr(hashlib, "scrypt"):
    sys.exit("this python3 has no hashlib.scrypt (it needs OpenSSL 1.1 or newer): point ansible_python_interpreter "
             "at one that has it (python.org or Homebrew python3 on macOS; Apple's /usr/bin/python3 may lack it)")
password, _, current = sys.stdin.read().partition("\n")
current = current.strip()


def derive(salt, n, r, p):
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32)


fields = current.split("$")
if len(fields) == 6 and fields[0] == "scrypt":
    try:
        key = derive(base64.b64decode(fields[4]), int(fields[1]), int(fields[2]), int(fields[3]))
        if hmac.compare_digest(key, base64.b64decode(fields[5])):
            print(current)
            sys.exit(0)
    except (ValueError, TypeError):
        pass
salt = os.urandom(16)
print("scrypt$16384$8$1$%s$%s" % (base64.b64encode(salt).decode(), base64.b64encode(derive(salt, 16384, 8, 1)).decode()))
