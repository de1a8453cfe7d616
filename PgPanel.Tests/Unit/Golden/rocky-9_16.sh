#!/usr/bin/env bash
# PgPanel plan for cluster "seed": PostgreSQL 16 streaming replication.
#   primary   192.168.0.10:5432  data /var/lib/pgsql/16/data  (RedHatService, over SSH)
#   standby1  192.168.0.11:5432  data /var/lib/pgsql/16/data  (RedHatService, over SSH)
#
# Every step checks first and changes only what differs: running this script again changes nothing.
# On one host: run it as root. When the nodes are on different hosts, run it as root on every host at the same time,
# each with PGPANEL_NODES set to that host's nodes, e.g.
#   PGPANEL_NODES=primary bash plan.sh      (on the primary's host)
#   PGPANEL_NODES=standby1 bash plan.sh     (on the standby's host)
# Each host runs only its own nodes' commands; where it needs another host's work (a standby's clone needs the
# primary's replication role; the primary's verification needs the standby running) it waits for it, for up to
# PGPANEL_WAIT_SECONDS (3600). The script ends with the number of steps that changed something.
# Secrets come from the environment and are never written into this script; each host needs those its nodes use:
#   PGPANEL_REPLICATION_PASSWORD  password of the replication role replica (for primary, standby1)
#   PGPANEL_MONITOR_PASSWORD  password of the monitoring role pgpanel_monitor (for primary)

set -o errexit -o nounset -o pipefail
PGPANEL_NODES="${PGPANEL_NODES:-all}"
PGPANEL_WAIT_SECONDS="${PGPANEL_WAIT_SECONDS:-3600}"
pgpanel_changed=0
pgpanel_step=""
trap 'rc=$?; if [ "$rc" != 0 ]; then echo "PgPanel: step $pgpanel_step failed (exit code $rc). Fix the cause and run the script again: finished steps are checked, not redone." >&2; fi' EXIT

# on_node NODE: true when this host runs NODE's steps (PGPANEL_NODES="primary" or "standby1 standby2", default all).
on_node() { [ "$PGPANEL_NODES" = all ] || [[ " $PGPANEL_NODES " == *" $1 "* ]]; }

# run_as USER: runs the script on standard input as USER ("-": as whoever runs this script).
# runuser keeps the environment, so secrets stay out of every command line.
run_as() {
  if [ "$1" = - ] || [ "$(id -un)" = "$1" ]; then bash -o errexit -o nounset -o pipefail -s
  else runuser -u "$1" -- bash -o errexit -o nounset -o pipefail -s; fi
}

# write_file PATH MODE USER: replaces PATH with standard input, atomically, only when content or mode differ.
# Returns 0 when it changed the file.
write_file() {
  local path=$1 mode=$2 user=$3 tmp
  tmp=$(mktemp "$(dirname "$path")/.pgpanel.XXXXXX")
  cat > "$tmp"
  if [ -f "$path" ] && cmp -s "$tmp" "$path" && [ "$(stat -c %a "$path")" = "${mode#0}" ]; then rm -f "$tmp"; return 1; fi
  if [ "$user" != - ] && [ "$(id -u)" = 0 ]; then chown "$user:" "$tmp"; fi
  chmod "$mode" "$tmp"
  mv -f "$tmp" "$path"
  echo "  wrote $path"
}

# The step contract (the panel's runner keeps the same one): a check exits 0 when the host is as wanted and 1 when
# it differs; any other exit code is an error. A change runs only on a difference and is checked again after.
# differs CHECK: true when CHECK exits 1, false when it exits 0, and stops the script otherwise.
differs() {
  local rc=0
  "$@" || rc=$?
  case "$rc" in
    0) return 1 ;;
    1) return 0 ;;
    *) echo "  the check failed with exit code $rc" >&2; exit "$rc" ;;
  esac
}
# converged CHECK: after a change, CHECK must exit 0.
converged() {
  local rc=0
  "$@" || rc=$?
  if [ "$rc" != 0 ]; then echo "  the change ran, but the check still finds a difference" >&2; exit 1; fi
}
# passes COMMAND: a pre-flight check or a verification must exit 0.
passes() {
  local rc=0
  "$@" || rc=$?
  if [ "$rc" != 0 ]; then echo "  failed with exit code $rc" >&2; exit "$rc"; fi
}
# waiting WHAT COMMAND: retries COMMAND every 5 s, for at most PGPANEL_WAIT_SECONDS, while WHAT happens on another
# host; then shows the last attempt's output and returns its exit code.
waiting() {
  local what=$1 rc out deadline=$((SECONDS + PGPANEL_WAIT_SECONDS)) next=0
  shift
  while :; do
    rc=0
    out=$("$@" 2>&1) || rc=$?
    if [ "$rc" = 0 ] || [ "$SECONDS" -ge "$deadline" ]; then printf '%s\n' "$out"; return "$rc"; fi
    if [ "$SECONDS" -ge "$next" ]; then echo "  waiting for $what (another host; up to $PGPANEL_WAIT_SECONDS s)"; next=$((SECONDS + 60)); fi
    sleep 5
  done
}
# result WHAT: one line per step, and the count of changes for the summary.
result() {
  echo "  => $1"
  if [ "$1" = changed ]; then pgpanel_changed=$((pgpanel_changed + 1)); fi
}
if on_node primary || on_node standby1; then
  : "${PGPANEL_REPLICATION_PASSWORD:?export PGPANEL_REPLICATION_PASSWORD first (password of the replication role replica)}"
  export PGPANEL_REPLICATION_PASSWORD
fi
if on_node primary; then
  : "${PGPANEL_MONITOR_PASSWORD:?export PGPANEL_MONITOR_PASSWORD first (password of the monitoring role pgpanel_monitor)}"
  export PGPANEL_MONITOR_PASSWORD
fi

# ── Step 1/36 [primary] The host of primary can reach the PGDG repository and its own repositories
#    PostgreSQL 16 is not installed there; the package source is "upstream".
if on_node primary; then
  pgpanel_step='1/36 The host of primary can reach the PGDG repository and its own repositories'
  echo '[1/36] primary: The host of primary can reach the PGDG repository and its own repositories'
  step1_1() {
  run_as root <<'PGPANEL_STEP'
problems=""
if ! rpm -q pgdg-redhat-repo >/dev/null 2>&1; then
  if ! out=$(curl -fsSI --max-time 15 -o /dev/null https://download.postgresql.org/pub/repos/yum/reporpms/EL-9-x86_64/pgdg-redhat-repo-latest.noarch.rpm 2>&1); then problems="$problems  PGDG, https://download.postgresql.org/pub/repos/yum/reporpms/EL-9-x86_64/pgdg-redhat-repo-latest.noarch.rpm: ${out:-no answer}\n"; fi
fi
if ! out=$(timeout 180 dnf -q --setopt=retries=1 --setopt=timeout=15 makecache 2>&1); then
  repos=$(printf '%s\n' "$out" | grep -iE 'error|cannot|failed|could not' | head -n 4 | sed 's/^/    /')
  problems="$problems  the distribution's repositories (dnf makecache):\n$repos\n"
fi
if [ -n "$problems" ]; then
  printf 'PostgreSQL 16 must be installed, but this host cannot reach its package repositories:\n%b' "$problems" >&2
  echo 'Without internet access, set the package source to "mirror" (packages.mirrorUrl: the base of a copy of https://download.postgresql.org/pub/repos/yum; packages.osMirrorUrl: the distribution'\''s own repositories), or install PostgreSQL 16 yourself and set it to "installed".' >&2
  exit 3
fi
echo "The PGDG repository and the distribution's repositories answer."
PGPANEL_STEP
  }
  passes step1_1
  result passed
fi

# ── Step 2/36 [standby1] The host of standby1 can reach the PGDG repository and its own repositories
#    PostgreSQL 16 is not installed there; the package source is "upstream".
if on_node standby1; then
  pgpanel_step='2/36 The host of standby1 can reach the PGDG repository and its own repositories'
  echo '[2/36] standby1: The host of standby1 can reach the PGDG repository and its own repositories'
  step2_1() {
  run_as root <<'PGPANEL_STEP'
problems=""
if ! rpm -q pgdg-redhat-repo >/dev/null 2>&1; then
  if ! out=$(curl -fsSI --max-time 15 -o /dev/null https://download.postgresql.org/pub/repos/yum/reporpms/EL-9-x86_64/pgdg-redhat-repo-latest.noarch.rpm 2>&1); then problems="$problems  PGDG, https://download.postgresql.org/pub/repos/yum/reporpms/EL-9-x86_64/pgdg-redhat-repo-latest.noarch.rpm: ${out:-no answer}\n"; fi
fi
if ! out=$(timeout 180 dnf -q --setopt=retries=1 --setopt=timeout=15 makecache 2>&1); then
  repos=$(printf '%s\n' "$out" | grep -iE 'error|cannot|failed|could not' | head -n 4 | sed 's/^/    /')
  problems="$problems  the distribution's repositories (dnf makecache):\n$repos\n"
fi
if [ -n "$problems" ]; then
  printf 'PostgreSQL 16 must be installed, but this host cannot reach its package repositories:\n%b' "$problems" >&2
  echo 'Without internet access, set the package source to "mirror" (packages.mirrorUrl: the base of a copy of https://download.postgresql.org/pub/repos/yum; packages.osMirrorUrl: the distribution'\''s own repositories), or install PostgreSQL 16 yourself and set it to "installed".' >&2
  exit 3
fi
echo "The PGDG repository and the distribution's repositories answer."
PGPANEL_STEP
  }
  passes step2_1
  result passed
fi

# ── Step 3/36 [primary] Data directory /var/lib/pgsql/16/data is empty or already this cluster
#    PgPanel never deletes or overwrites a data directory it did not make for this cluster.
if on_node primary; then
  pgpanel_step='3/36 Data directory /var/lib/pgsql/16/data is empty or already this cluster'
  echo '[3/36] primary: Data directory /var/lib/pgsql/16/data is empty or already this cluster'
  step3_1() {
  run_as root <<'PGPANEL_STEP'
d=/var/lib/pgsql/16/data
if [ ! -e "$d" ]; then echo "$d does not exist yet; PgPanel will create it."; exit 0; fi
if [ ! -d "$d" ]; then echo "Refusing $d: it exists and is not a directory. Nothing was changed." >&2; exit 3; fi
if [ -z "$(ls -A "$d")" ]; then echo "$d exists and is empty."; exit 0; fi
if [ -s "$d/PG_VERSION" ] && [ "$(cat "$d/pgpanel.cluster" 2>/dev/null)" = seed ]; then
  found=$(cat "$d/PG_VERSION")
  if [ "$found" != 16 ]; then
    echo "Refusing $d: it holds cluster seed of PostgreSQL $found, not 16. Nothing was changed." >&2; exit 3
  fi
  echo "$d already holds PgPanel cluster seed (PostgreSQL $found)."; exit 0
fi
echo "Refusing $d: it is not empty and does not hold PgPanel cluster seed. Nothing was changed; move its contents away or choose another data directory." >&2
exit 3
PGPANEL_STEP
  }
  passes step3_1
  result passed
fi

# ── Step 4/36 [primary] Port 5432 is free or already this cluster's
if on_node primary; then
  pgpanel_step='4/36 Port 5432 is free or already this cluster'\''s'
  echo '[4/36] primary: Port 5432 is free or already this cluster'\''s'
  step4_1() {
  run_as root <<'PGPANEL_STEP'
d=/var/lib/pgsql/16/data
port=5432
if [ -f "$d/postmaster.pid" ] && [ "$(sed -n 4p "$d/postmaster.pid" 2>/dev/null)" = "$port" ] && kill -0 "$(head -n 1 "$d/postmaster.pid")" 2>/dev/null; then
  echo "Port $port is served by this cluster's own server."; exit 0
fi
for host in 127.0.0.1 192.168.0.10; do
  if timeout 3 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null; then
    echo "Refusing port $port: another program already listens on $host:$port. Choose another port or stop that program." >&2; exit 3
  fi
done
if [ -S /var/run/postgresql/.s.PGSQL.$port ] && [ -f /var/run/postgresql/.s.PGSQL.$port.lock ]; then
  owner=$(head -n 1 /var/run/postgresql/.s.PGSQL.$port.lock)
  if kill -0 "$owner" 2>/dev/null; then echo "Refusing port $port: another PostgreSQL (pid $owner) holds its socket in /var/run/postgresql." >&2; exit 3; fi
fi
echo "Port $port is free."
PGPANEL_STEP
  }
  passes step4_1
  result passed
fi

# ── Step 5/36 [primary] Enough free disk space for primary
if on_node primary; then
  pgpanel_step='5/36 Enough free disk space for primary'
  echo '[5/36] primary: Enough free disk space for primary'
  step5_1() {
  run_as - <<'PGPANEL_STEP'
p=/var/lib/pgsql/16/data
while [ ! -e "$p" ]; do p=$(dirname "$p"); done
free=$(df -Pk "$p" | awk 'NR==2 {print $4}')
if [ "$free" -lt 262144 ]; then
  echo "Only $((free / 1024)) MiB free on the file system of $p; at least 256 MiB are needed (a new cluster needs room to start)." >&2; exit 3
fi
echo "$((free / 1024)) MiB free on the file system of $p; 256 MiB needed (a new cluster needs room to start)."
PGPANEL_STEP
  }
  passes step5_1
  result passed
fi

# ── Step 6/36 [standby1] Data directory /var/lib/pgsql/16/data is empty or already this cluster
#    PgPanel never deletes or overwrites a data directory it did not make for this cluster.
if on_node standby1; then
  pgpanel_step='6/36 Data directory /var/lib/pgsql/16/data is empty or already this cluster'
  echo '[6/36] standby1: Data directory /var/lib/pgsql/16/data is empty or already this cluster'
  step6_1() {
  run_as root <<'PGPANEL_STEP'
d=/var/lib/pgsql/16/data
if [ ! -e "$d" ]; then echo "$d does not exist yet; PgPanel will create it."; exit 0; fi
if [ ! -d "$d" ]; then echo "Refusing $d: it exists and is not a directory. Nothing was changed." >&2; exit 3; fi
if [ -z "$(ls -A "$d")" ]; then echo "$d exists and is empty."; exit 0; fi
if [ -s "$d/PG_VERSION" ] && [ "$(cat "$d/pgpanel.cluster" 2>/dev/null)" = seed ]; then
  found=$(cat "$d/PG_VERSION")
  if [ "$found" != 16 ]; then
    echo "Refusing $d: it holds cluster seed of PostgreSQL $found, not 16. Nothing was changed." >&2; exit 3
  fi
  echo "$d already holds PgPanel cluster seed (PostgreSQL $found)."; exit 0
fi
echo "Refusing $d: it is not empty and does not hold PgPanel cluster seed. Nothing was changed; move its contents away or choose another data directory." >&2
exit 3
PGPANEL_STEP
  }
  passes step6_1
  result passed
fi

# ── Step 7/36 [standby1] Port 5432 is free or already this cluster's
if on_node standby1; then
  pgpanel_step='7/36 Port 5432 is free or already this cluster'\''s'
  echo '[7/36] standby1: Port 5432 is free or already this cluster'\''s'
  step7_1() {
  run_as root <<'PGPANEL_STEP'
d=/var/lib/pgsql/16/data
port=5432
if [ -f "$d/postmaster.pid" ] && [ "$(sed -n 4p "$d/postmaster.pid" 2>/dev/null)" = "$port" ] && kill -0 "$(head -n 1 "$d/postmaster.pid")" 2>/dev/null; then
  echo "Port $port is served by this cluster's own server."; exit 0
fi
for host in 127.0.0.1 192.168.0.11; do
  if timeout 3 bash -c "exec 3<>/dev/tcp/$host/$port" 2>/dev/null; then
    echo "Refusing port $port: another program already listens on $host:$port. Choose another port or stop that program." >&2; exit 3
  fi
done
if [ -S /var/run/postgresql/.s.PGSQL.$port ] && [ -f /var/run/postgresql/.s.PGSQL.$port.lock ]; then
  owner=$(head -n 1 /var/run/postgresql/.s.PGSQL.$port.lock)
  if kill -0 "$owner" 2>/dev/null; then echo "Refusing port $port: another PostgreSQL (pid $owner) holds its socket in /var/run/postgresql." >&2; exit 3; fi
fi
echo "Port $port is free."
PGPANEL_STEP
  }
  passes step7_1
  result passed
fi

# ── Step 8/36 [standby1] Enough free disk space for standby1
if on_node standby1; then
  pgpanel_step='8/36 Enough free disk space for standby1'
  echo '[8/36] standby1: Enough free disk space for standby1'
  step8_1() {
  run_as - <<'PGPANEL_STEP'
p=/var/lib/pgsql/16/data
while [ ! -e "$p" ]; do p=$(dirname "$p"); done
free=$(df -Pk "$p" | awk 'NR==2 {print $4}')
if [ "$free" -lt 262144 ]; then
  echo "Only $((free / 1024)) MiB free on the file system of $p; at least 256 MiB are needed (a new cluster needs room to start)." >&2; exit 3
fi
echo "$((free / 1024)) MiB free on the file system of $p; 256 MiB needed (a new cluster needs room to start)."
PGPANEL_STEP
  }
  passes step8_1
  result passed
fi

# ── Step 9/36 [primary] Install PostgreSQL 16 on the host of primary
#    Install PostgreSQL 16 from the PGDG repository for EL-9 (the seed's procedure; no 'yum update' of the whole system).
if on_node primary; then
  pgpanel_step='9/36 Install PostgreSQL 16 on the host of primary'
  echo '[9/36] primary: Install PostgreSQL 16 on the host of primary'
  files_changed=0
  step9_1() {
  run_as root <<'PGPANEL_STEP'
test -x /usr/pgsql-16/bin/pg_ctl && test -x /usr/pgsql-16/bin/pg_basebackup && test -x /usr/pgsql-16/bin/psql
PGPANEL_STEP
  }
  if differs step9_1; then
    run_as root <<'PGPANEL_STEP'
exec 9>/var/tmp/pgpanel-packages.lock
if ! flock -w 900 9; then echo 'Another run has been installing packages on this host for 15 minutes; try again later.' >&2; exit 1; fi
if ! rpm -q pgdg-redhat-repo >/dev/null 2>&1; then
  dnf install -y https://download.postgresql.org/pub/repos/yum/reporpms/EL-9-x86_64/pgdg-redhat-repo-latest.noarch.rpm
fi
# The distribution's own postgresql module would hide PGDG's packages.
if dnf -q module list postgresql >/dev/null 2>&1; then dnf -qy module disable postgresql; fi
dnf install -y postgresql16-server postgresql16-contrib
PGPANEL_STEP
    converged step9_1
    step_result=changed
  elif [ "$files_changed" = 1 ]; then
    step_result=changed
  else
    step_result=unchanged
  fi
  result "$step_result"
fi

# ── Step 10/36 [standby1] Install PostgreSQL 16 on the host of standby1
#    Install PostgreSQL 16 from the PGDG repository for EL-9 (the seed's procedure; no 'yum update' of the whole system).
if on_node standby1; then
  pgpanel_step='10/36 Install PostgreSQL 16 on the host of standby1'
  echo '[10/36] standby1: Install PostgreSQL 16 on the host of standby1'
  files_changed=0
  step10_1() {
  run_as root <<'PGPANEL_STEP'
test -x /usr/pgsql-16/bin/pg_ctl && test -x /usr/pgsql-16/bin/pg_basebackup && test -x /usr/pgsql-16/bin/psql
PGPANEL_STEP
  }
  if differs step10_1; then
    run_as root <<'PGPANEL_STEP'
exec 9>/var/tmp/pgpanel-packages.lock
if ! flock -w 900 9; then echo 'Another run has been installing packages on this host for 15 minutes; try again later.' >&2; exit 1; fi
if ! rpm -q pgdg-redhat-repo >/dev/null 2>&1; then
  dnf install -y https://download.postgresql.org/pub/repos/yum/reporpms/EL-9-x86_64/pgdg-redhat-repo-latest.noarch.rpm
fi
# The distribution's own postgresql module would hide PGDG's packages.
if dnf -q module list postgresql >/dev/null 2>&1; then dnf -qy module disable postgresql; fi
dnf install -y postgresql16-server postgresql16-contrib
PGPANEL_STEP
    converged step10_1
    step_result=changed
  elif [ "$files_changed" = 1 ]; then
    step_result=changed
  else
    step_result=unchanged
  fi
  result "$step_result"
fi

# ── Step 11/36 [primary] firewalld lets the cluster's nodes and the panel reach primary's port 5432
#    One rich rule per address (192.168.0.11), runtime and permanent; nothing else is opened.
if on_node primary; then
  pgpanel_step='11/36 firewalld lets the cluster'\''s nodes and the panel reach primary'\''s port 5432'
  echo '[11/36] primary: firewalld lets the cluster'\''s nodes and the panel reach primary'\''s port 5432'
  files_changed=0
  step11_1() {
  run_as root <<'PGPANEL_STEP'
port=5432
iface=$(ip -o addr show to 192.168.0.10 2>/dev/null | awk '{print $2; exit}' || true)
zone=""
if [ -n "$iface" ]; then zone=$(firewall-cmd --get-zone-of-interface="$iface" 2>/dev/null || true); fi
[ -n "$zone" ] || zone=$(firewall-cmd --get-default-zone)
rules=()
for source in 192.168.0.11; do
  address=$source
  if ! [[ $source =~ ^[0-9.]+$ || $source == *:* ]]; then address=$(getent ahosts "$source" | awk 'NR == 1 {print $1}'); fi
  if [[ $address == *:* ]]; then family=ipv6; bits=128; else family=ipv4; bits=32; fi
  rules+=("rule family=\"$family\" source address=\"$address/$bits\" port port=\"$port\" protocol=\"tcp\" accept")
done
for rule in "${rules[@]}"; do
  if ! firewall-cmd --zone="$zone" --query-rich-rule="$rule" >/dev/null || ! firewall-cmd --permanent --zone="$zone" --query-rich-rule="$rule" >/dev/null; then
    echo "Zone $zone lacks: $rule"; exit 1
  fi
done
echo "Zone $zone admits the cluster's nodes and the panel on port $port."
PGPANEL_STEP
  }
  if differs step11_1; then
    run_as root <<'PGPANEL_STEP'
port=5432
iface=$(ip -o addr show to 192.168.0.10 2>/dev/null | awk '{print $2; exit}' || true)
zone=""
if [ -n "$iface" ]; then zone=$(firewall-cmd --get-zone-of-interface="$iface" 2>/dev/null || true); fi
[ -n "$zone" ] || zone=$(firewall-cmd --get-default-zone)
rules=()
for source in 192.168.0.11; do
  address=$source
  if ! [[ $source =~ ^[0-9.]+$ || $source == *:* ]]; then address=$(getent ahosts "$source" | awk 'NR == 1 {print $1}'); fi
  if [[ $address == *:* ]]; then family=ipv6; bits=128; else family=ipv4; bits=32; fi
  rules+=("rule family=\"$family\" source address=\"$address/$bits\" port port=\"$port\" protocol=\"tcp\" accept")
done
for rule in "${rules[@]}"; do
  firewall-cmd --zone="$zone" --query-rich-rule="$rule" >/dev/null || firewall-cmd --zone="$zone" --add-rich-rule="$rule" >/dev/null
  firewall-cmd --permanent --zone="$zone" --query-rich-rule="$rule" >/dev/null || firewall-cmd --permanent --zone="$zone" --add-rich-rule="$rule" >/dev/null
  echo "Zone $zone: $rule"
done
PGPANEL_STEP
    converged step11_1
    step_result=changed
  elif [ "$files_changed" = 1 ]; then
    step_result=changed
  else
    step_result=unchanged
  fi
  result "$step_result"
fi

# ── Step 12/36 [standby1] firewalld lets the cluster's nodes and the panel reach standby1's port 5432
#    One rich rule per address (192.168.0.10), runtime and permanent; nothing else is opened.
if on_node standby1; then
  pgpanel_step='12/36 firewalld lets the cluster'\''s nodes and the panel reach standby1'\''s port 5432'
  echo '[12/36] standby1: firewalld lets the cluster'\''s nodes and the panel reach standby1'\''s port 5432'
  files_changed=0
  step12_1() {
  run_as root <<'PGPANEL_STEP'
port=5432
iface=$(ip -o addr show to 192.168.0.11 2>/dev/null | awk '{print $2; exit}' || true)
zone=""
if [ -n "$iface" ]; then zone=$(firewall-cmd --get-zone-of-interface="$iface" 2>/dev/null || true); fi
[ -n "$zone" ] || zone=$(firewall-cmd --get-default-zone)
rules=()
for source in 192.168.0.10; do
  address=$source
  if ! [[ $source =~ ^[0-9.]+$ || $source == *:* ]]; then address=$(getent ahosts "$source" | awk 'NR == 1 {print $1}'); fi
  if [[ $address == *:* ]]; then family=ipv6; bits=128; else family=ipv4; bits=32; fi
  rules+=("rule family=\"$family\" source address=\"$address/$bits\" port port=\"$port\" protocol=\"tcp\" accept")
done
for rule in "${rules[@]}"; do
  if ! firewall-cmd --zone="$zone" --query-rich-rule="$rule" >/dev/null || ! firewall-cmd --permanent --zone="$zone" --query-rich-rule="$rule" >/dev/null; then
    echo "Zone $zone lacks: $rule"; exit 1
  fi
done
echo "Zone $zone admits the cluster's nodes and the panel on port $port."
PGPANEL_STEP
  }
  if differs step12_1; then
    run_as root <<'PGPANEL_STEP'
port=5432
iface=$(ip -o addr show to 192.168.0.11 2>/dev/null | awk '{print $2; exit}' || true)
zone=""
if [ -n "$iface" ]; then zone=$(firewall-cmd --get-zone-of-interface="$iface" 2>/dev/null || true); fi
[ -n "$zone" ] || zone=$(firewall-cmd --get-default-zone)
rules=()
for source in 192.168.0.10; do
  address=$source
  if ! [[ $source =~ ^[0-9.]+$ || $source == *:* ]]; then address=$(getent ahosts "$source" | awk 'NR == 1 {print $1}'); fi
  if [[ $address == *:* ]]; then family=ipv6; bits=128; else family=ipv4; bits=32; fi
  rules+=("rule family=\"$family\" source address=\"$address/$bits\" port port=\"$port\" protocol=\"tcp\" accept")
done
for rule in "${rules[@]}"; do
  firewall-cmd --zone="$zone" --query-rich-rule="$rule" >/dev/null || firewall-cmd --zone="$zone" --add-rich-rule="$rule" >/dev/null
  firewall-cmd --permanent --zone="$zone" --query-rich-rule="$rule" >/dev/null || firewall-cmd --permanent --zone="$zone" --add-rich-rule="$rule" >/dev/null
  echo "Zone $zone: $rule"
done
PGPANEL_STEP
    converged step12_1
    step_result=changed
  elif [ "$files_changed" = 1 ]; then
    step_result=changed
  else
    step_result=unchanged
  fi
  result "$step_result"
fi

# ── Step 13/36 [primary] Initialise the primary's data directory /var/lib/pgsql/16/data
#    initdb with data checksums (needed by pg_rewind), peer auth locally and scram-sha-256 over TCP.
if on_node primary; then
  pgpanel_step='13/36 Initialise the primary'\''s data directory /var/lib/pgsql/16/data'
  echo '[13/36] primary: Initialise the primary'\''s data directory /var/lib/pgsql/16/data'
  files_changed=0
  step13_1() {
  run_as root <<'PGPANEL_STEP'
test -s /var/lib/pgsql/16/data/PG_VERSION && test -s /var/lib/pgsql/16/data/pgpanel.cluster
PGPANEL_STEP
  }
  if differs step13_1; then
    run_as root <<'PGPANEL_STEP'
if ! PGSETUP_INITDB_OPTIONS='--auth-local=peer --auth-host=scram-sha-256 --data-checksums --encoding=UTF8' /usr/pgsql-16/bin/postgresql-16-setup initdb; then
  echo "postgresql-16-setup initdb failed; /var/lib/pgsql/16/initdb.log says:" >&2
  tail -n 20 /var/lib/pgsql/16/initdb.log >&2 || true
  exit 1
fi
runuser -u postgres -- sh -c 'echo seed > /var/lib/pgsql/16/data/pgpanel.cluster'
PGPANEL_STEP
    converged step13_1
    step_result=changed
  elif [ "$files_changed" = 1 ]; then
    step_result=changed
  else
    step_result=unchanged
  fi
  result "$step_result"
fi

# ── Step 14/36 [primary] Write the primary's settings (pgpanel.conf)
#    listen_addresses, wal_level, synchronous_commit, max_wal_senders, wal_sender_timeout, max_connections and the rest, rendered whole.
if on_node primary; then
  pgpanel_step='14/36 Write the primary'\''s settings (pgpanel.conf)'
  echo '[14/36] primary: Write the primary'\''s settings (pgpanel.conf)'
  files_changed=0
  if write_file /var/lib/pgsql/16/data/pgpanel.conf 0600 postgres <<'PGPANEL_FILE'
# Settings of node primary (primary) of PgPanel cluster "seed" (PostgreSQL 16).
# Rendered whole by PgPanel and included from postgresql.conf; edits are overwritten on the next run.
listen_addresses = '127.0.0.1,192.168.0.10'
port = '5432'
unix_socket_directories = '/var/run/postgresql'
wal_level = 'replica'
synchronous_commit = 'on'
max_wal_senders = '10'
wal_sender_timeout = '60s'
max_connections = '100'
max_replication_slots = '10'
hot_standby = 'on'
wal_log_hints = 'on'
password_encryption = 'scram-sha-256'
max_slot_wal_keep_size = '10GB'
PGPANEL_FILE
  then files_changed=1; fi
  if [ "$files_changed" = 1 ]; then step_result=changed; else step_result=unchanged; fi
  if [ "$step_result" = changed ]; then notify_restart_primary=1; fi
  result "$step_result"
fi

# ── Step 15/36 [primary] postgresql.conf includes PgPanel's settings (include_if_exists = 'pgpanel.conf')
#    The distribution's postgresql.conf stays as it is; one include line at its end brings in PgPanel's file.
if on_node primary; then
  pgpanel_step='15/36 postgresql.conf includes PgPanel'\''s settings (include_if_exists = '\''pgpanel.conf'\'')'
  echo '[15/36] primary: postgresql.conf includes PgPanel'\''s settings (include_if_exists = '\''pgpanel.conf'\'')'
  files_changed=0
  step15_1() {
  run_as postgres <<'PGPANEL_STEP'
grep -qxF 'include_if_exists = '\''pgpanel.conf'\''' /var/lib/pgsql/16/data/postgresql.conf
PGPANEL_STEP
  }
  if differs step15_1; then
    run_as postgres <<'PGPANEL_STEP'
printf '\n# Added by PgPanel for cluster %s\n%s\n' seed 'include_if_exists = '\''pgpanel.conf'\''' >> /var/lib/pgsql/16/data/postgresql.conf
PGPANEL_STEP
    converged step15_1
    step_result=changed
  elif [ "$files_changed" = 1 ]; then
    step_result=changed
  else
    step_result=unchanged
  fi
  if [ "$step_result" = changed ]; then notify_restart_primary=1; fi
  result "$step_result"
fi

# ── Step 16/36 [primary] Write pg_hba.conf: replication only from the cluster's nodes
if on_node primary; then
  pgpanel_step='16/36 Write pg_hba.conf: replication only from the cluster'\''s nodes'
  echo '[16/36] primary: Write pg_hba.conf: replication only from the cluster'\''s nodes'
  files_changed=0
  if write_file /var/lib/pgsql/16/data/pg_hba.conf 0640 postgres <<'PGPANEL_FILE'
# pg_hba.conf of PgPanel cluster "seed" (PostgreSQL 16), rendered whole by PgPanel.
# Replication is allowed only from the cluster's own nodes, each by its /32, so a switchover needs no edit.
# TYPE  DATABASE     USER            ADDRESS                  METHOD
local   all          all                                      peer
host    all          all             127.0.0.1/32             scram-sha-256
host    all          all             ::1/128                  scram-sha-256
local   replication  all                                      peer
host    replication  "replica"       127.0.0.1/32             scram-sha-256
host    replication  "replica"       192.168.0.10/32          scram-sha-256   # primary
host    replication  "replica"       192.168.0.11/32          scram-sha-256   # standby1
host    postgres     "pgpanel_monitor" 127.0.0.1/32             scram-sha-256   # PgPanel monitor
PGPANEL_FILE
  then files_changed=1; fi
  if [ "$files_changed" = 1 ]; then step_result=changed; else step_result=unchanged; fi
  if [ "$step_result" = changed ]; then notify_reload_primary=1; fi
  result "$step_result"
fi

# ── Step 17/36 [primary] Restart the primary to apply changed settings
#    Runs only when settings-primary or include-primary changed something and the server is running.
if on_node primary; then
  pgpanel_step='17/36 Restart the primary to apply changed settings'
  echo '[17/36] primary: Restart the primary to apply changed settings'
  step17_1() {
  run_as root <<'PGPANEL_STEP'
if systemctl is-active --quiet postgresql-16; then exit 1; fi
echo 'The server is not running; the start step applies the configuration.'
PGPANEL_STEP
  }
  if [ "${notify_restart_primary:-0}" != 1 ]; then
    echo '  not notified: nothing it applies changed in this run'
    result unchanged
  elif differs step17_1; then
    run_as root <<'PGPANEL_STEP'
if ! systemctl restart postgresql-16; then
  echo "The server did not start." >&2
  {
    echo "journalctl -u postgresql-16, last lines:"; journalctl -u postgresql-16 -n 20 --no-pager 2>&1 || true
    newest=$(ls -t /var/lib/pgsql/16/data/log/*.log 2>/dev/null | head -n 1 || true)
    if [ -n "$newest" ]; then echo "$newest, last lines:"; tail -n 20 "$newest" || true; fi
  } >&2
  exit 1
fi
PGPANEL_STEP
    result changed
  else
    result unchanged
  fi
fi

# ── Step 18/36 [primary] Reload the primary to apply pg_hba.conf
#    Runs only when hba-primary changed something and the server is running.
if on_node primary; then
  pgpanel_step='18/36 Reload the primary to apply pg_hba.conf'
  echo '[18/36] primary: Reload the primary to apply pg_hba.conf'
  step18_1() {
  run_as root <<'PGPANEL_STEP'
if systemctl is-active --quiet postgresql-16; then exit 1; fi
echo 'The server is not running; the start step applies the configuration.'
PGPANEL_STEP
  }
  if [ "${notify_reload_primary:-0}" != 1 ]; then
    echo '  not notified: nothing it applies changed in this run'
    result unchanged
  elif differs step18_1; then
    run_as root <<'PGPANEL_STEP'
systemctl reload postgresql-16
PGPANEL_STEP
    result changed
  else
    result unchanged
  fi
fi

# ── Step 19/36 [primary] Start the primary (192.168.0.10:5432)
if on_node primary; then
  pgpanel_step='19/36 Start the primary (192.168.0.10:5432)'
  echo '[19/36] primary: Start the primary (192.168.0.10:5432)'
  files_changed=0
  step19_1() {
  run_as root <<'PGPANEL_STEP'
systemctl is-active --quiet postgresql-16 || exit 1
PGPANEL_STEP
  }
  if differs step19_1; then
    run_as root <<'PGPANEL_STEP'
if ! systemctl enable --now postgresql-16; then
  echo "The server did not start." >&2
  {
    echo "journalctl -u postgresql-16, last lines:"; journalctl -u postgresql-16 -n 20 --no-pager 2>&1 || true
    newest=$(ls -t /var/lib/pgsql/16/data/log/*.log 2>/dev/null | head -n 1 || true)
    if [ -n "$newest" ]; then echo "$newest, last lines:"; tail -n 20 "$newest" || true; fi
  } >&2
  exit 1
fi
PGPANEL_STEP
    converged step19_1
    step_result=changed
  elif [ "$files_changed" = 1 ]; then
    step_result=changed
  else
    step_result=unchanged
  fi
  result "$step_result"
fi

# ── Step 20/36 [primary] Physical replication slot seed_standby1 for standby1
#    The primary keeps the WAL this standby has not received yet, so it never needs a full rebuild.
if on_node primary; then
  pgpanel_step='20/36 Physical replication slot seed_standby1 for standby1'
  echo '[20/36] primary: Physical replication slot seed_standby1 for standby1'
  files_changed=0
  step20_1() {
  run_as postgres <<'PGPANEL_STEP'
test "$(/usr/pgsql-16/bin/psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p 5432 -d postgres -At -c 'SELECT count(*) FROM pg_replication_slots WHERE slot_name = '\''seed_standby1'\''')" = 1
PGPANEL_STEP
  }
  if differs step20_1; then
    run_as postgres <<'PGPANEL_STEP'
/usr/pgsql-16/bin/psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p 5432 -d postgres -At -c 'SELECT pg_create_physical_replication_slot('\''seed_standby1'\'', true)'
PGPANEL_STEP
    converged step20_1
    step_result=changed
  elif [ "$files_changed" = 1 ]; then
    step_result=changed
  else
    step_result=unchanged
  fi
  result "$step_result"
fi

# ── Step 21/36 [primary] Monitoring role pgpanel_monitor (member of pg_monitor)
#    The panel's live pages read pg_stat_replication and pg_stat_wal_receiver as this login; it replicates to the standbys.
if on_node primary; then
  pgpanel_step='21/36 Monitoring role pgpanel_monitor (member of pg_monitor)'
  echo '[21/36] primary: Monitoring role pgpanel_monitor (member of pg_monitor)'
  files_changed=0
  step21_1() {
  run_as postgres <<'PGPANEL_STEP'
if [ "$(/usr/pgsql-16/bin/psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p 5432 -d postgres -At -c 'SELECT rolcanlogin FROM pg_roles WHERE rolname = '\''pgpanel_monitor'\''')" != t ]; then echo "Role pgpanel_monitor is missing."; exit 1; fi
if [ "$(/usr/pgsql-16/bin/psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p 5432 -d postgres -At -c 'SELECT pg_has_role('\''pgpanel_monitor'\'', '\''pg_monitor'\'', '\''member'\'')' 2>/dev/null)" != t ]; then echo "Role pgpanel_monitor cannot read the replication views yet."; exit 1; fi
if ! PGPASSWORD="${PGPANEL_MONITOR_PASSWORD}" PGCONNECT_TIMEOUT=10 /usr/pgsql-16/bin/psql -X -At 'host=127.0.0.1 port=5432 user=pgpanel_monitor dbname=postgres' -c 'SELECT 1' >/dev/null 2>&1; then
  echo "Role pgpanel_monitor exists but its password does not log in."; exit 1
fi
echo "Role pgpanel_monitor can log in and read the replication views."
PGPANEL_STEP
  }
  if differs step21_1; then
    run_as postgres <<'PGPANEL_STEP'
if [ "$(/usr/pgsql-16/bin/psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p 5432 -d postgres -At -c 'SELECT rolcanlogin FROM pg_roles WHERE rolname = '\''pgpanel_monitor'\''')" = "" ]; then verb=CREATE; else verb=ALTER; fi
/usr/pgsql-16/bin/psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p 5432 -d postgres -v verb="$verb" <<'PGPANEL_SQL'
\set pgpanel_password `printf '%s' "${PGPANEL_MONITOR_PASSWORD}"`
SET password_encryption = 'scram-sha-256';
:verb ROLE "pgpanel_monitor" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE CONNECTION LIMIT 5 PASSWORD :'pgpanel_password';
GRANT pg_monitor TO "pgpanel_monitor";
PGPANEL_SQL
echo "Role pgpanel_monitor: $verb ROLE … PASSWORD ********, replication views granted"
PGPANEL_STEP
    converged step21_1
    step_result=changed
  elif [ "$files_changed" = 1 ]; then
    step_result=changed
  else
    step_result=unchanged
  fi
  result "$step_result"
fi

# ── Step 22/36 [primary] Replication role replica with LOGIN REPLICATION and its password
#    The password reaches psql through the environment, never the command line; stored as scram-sha-256.
if on_node primary; then
  pgpanel_step='22/36 Replication role replica with LOGIN REPLICATION and its password'
  echo '[22/36] primary: Replication role replica with LOGIN REPLICATION and its password'
  files_changed=0
  step22_1() {
  run_as postgres <<'PGPANEL_STEP'
state=$(/usr/pgsql-16/bin/psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p 5432 -d postgres -At -c 'SELECT rolcanlogin AND rolreplication FROM pg_roles WHERE rolname = '\''replica'\''')
if [ "$state" != t ]; then echo "Role replica is missing or lacks LOGIN REPLICATION."; exit 1; fi
if ! PGPASSWORD="$PGPANEL_REPLICATION_PASSWORD" PGCONNECT_TIMEOUT=10 /usr/pgsql-16/bin/psql -X -At 'host=127.0.0.1 port=5432 user=replica dbname=replication replication=true' -c IDENTIFY_SYSTEM >/dev/null 2>&1; then
  echo "Role replica exists but its password does not open a replication connection."; exit 1
fi
echo "Role replica exists and its password opens a replication connection."
PGPANEL_STEP
  }
  if differs step22_1; then
    run_as postgres <<'PGPANEL_STEP'
if [ "$(/usr/pgsql-16/bin/psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p 5432 -d postgres -At -c 'SELECT rolcanlogin AND rolreplication FROM pg_roles WHERE rolname = '\''replica'\''')" = "" ]; then verb=CREATE; else verb=ALTER; fi
/usr/pgsql-16/bin/psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p 5432 -d postgres -v verb="$verb" <<'PGPANEL_SQL'
\set pgpanel_password `printf '%s' "${PGPANEL_REPLICATION_PASSWORD}"`
SET password_encryption = 'scram-sha-256';
:verb ROLE "replica" WITH LOGIN REPLICATION PASSWORD :'pgpanel_password';
PGPANEL_SQL
echo "Role replica: $verb ROLE … WITH LOGIN REPLICATION PASSWORD ********"
PGPANEL_STEP
    converged step22_1
    step_result=changed
  elif [ "$files_changed" = 1 ]; then
    step_result=changed
  else
    step_result=unchanged
  fi
  result "$step_result"
fi

# ── Step 23/36 [standby1] standby1 opens a replication connection to the primary as replica
#    Proves reachability, pg_hba.conf and the password from the standby's host before any clone starts.
if on_node standby1; then
  pgpanel_step='23/36 standby1 opens a replication connection to the primary as replica'
  echo '[23/36] standby1: standby1 opens a replication connection to the primary as replica'
  step23_1() {
  run_as postgres <<'PGPANEL_STEP'
if out=$(PGPASSWORD="$PGPANEL_REPLICATION_PASSWORD" PGCONNECT_TIMEOUT=10 /usr/pgsql-16/bin/psql -X -At 'host=192.168.0.10 port=5432 user=replica dbname=replication replication=true' -c IDENTIFY_SYSTEM 2>&1); then
  echo "Replication connection to 192.168.0.10:5432 works (system identifier ${out%%|*})."
else
  echo "standby1 cannot open a replication connection to 192.168.0.10:5432 as replica: $out" >&2
  exit 3
fi
PGPANEL_STEP
  }
  if on_node primary; then passes step23_1; else passes waiting 'primary: Replication role replica with LOGIN REPLICATION and its password' step23_1; fi
  result passed
fi

# ── Step 24/36 [standby1] Clone the primary with pg_basebackup into /var/lib/pgsql/16/.data.pgpanel-clone
#    A new empty directory beside the data directory; the data directory itself is only ever replaced by a complete, configured clone. pg_basebackup runs in a process group of its own that ends — and gives its replication slot back — when it fails, is cancelled, or the panel's connection is gone.
if on_node standby1; then
  pgpanel_step='24/36 Clone the primary with pg_basebackup into /var/lib/pgsql/16/.data.pgpanel-clone'
  echo '[24/36] standby1: Clone the primary with pg_basebackup into /var/lib/pgsql/16/.data.pgpanel-clone'
  step24_3() {
  run_as postgres <<'PGPANEL_STEP'
test -s /var/lib/pgsql/16/data/PG_VERSION && test "$(cat /var/lib/pgsql/16/data/pgpanel.cluster 2>/dev/null)" = seed && { test -f /var/lib/pgsql/16/data/standby.signal || test -f /var/lib/pgsql/16/data/recovery.conf; } || test -f /var/lib/pgsql/16/.data.pgpanel-clone/.pgpanel-clone-complete
PGPANEL_STEP
  }
  if step24_3; then
    echo '  already in place'
    result unchanged
  else
    files_changed=0
    step24_1() {
    run_as postgres <<'PGPANEL_STEP'
staging=/var/lib/pgsql/16/.data.pgpanel-clone
pidfile="$staging.pid"
slot=seed_standby1
# When the panel is gone, writing to it must not kill this script before it has cleaned up.
trap '' PIPE
# A pg_basebackup left running by an earlier attempt (its connection dropped, or the panel was killed) would
# hold the slot and write into the staging directory: stop its whole process group, ours by the recorded id
# and the staging directory on its command line.
if [ -f "$pidfile" ]; then
  old=$(cat "$pidfile")
  if [ -n "$(ps -o pid= -g "$old" 2>/dev/null)" ] && ps -o args= -g "$old" | grep -qF -- "-D $staging "; then
    echo "Stopping pg_basebackup (process group $old) left running by an earlier attempt."
    kill -TERM -- "-$old" 2>/dev/null || true
    for i in $(seq 1 50); do [ -n "$(ps -o pid= -g "$old" 2>/dev/null)" ] || break; sleep 0.2; done
    kill -KILL -- "-$old" 2>/dev/null || true
  fi
  rm -f "$pidfile"
fi
if [ -e "$staging" ]; then
  aside="$staging.failed-$(date +%Y%m%d%H%M%S)"
  mv "$staging" "$aside"
  echo "An unfinished clone from an earlier attempt was moved aside to $aside."
fi
# Failed copies are kept 24 h for a look, at most 2, then removed: they are partial clones, never a data directory.
now=$(date +%s)
n=0
for old in $(ls -1d "$staging".failed-* 2>/dev/null | grep -E '\.failed-[0-9]{14}$' | sort -r); do
  n=$((n + 1))
  age=$(( (now - $(stat -c %Y "$old")) / 3600 ))
  if [ "$n" -gt 2 ] || [ "$age" -ge 24 ]; then
    rm -rf -- "$old"
    echo "Removed $old, a failed clone copy (kept 24 h, 2 at most)."
  else
    echo "Kept $old, a failed clone copy: $(du -sh "$old" 2>/dev/null | cut -f1), removed after 24 h."
  fi
done
# The slot this clone streams through: made again when an earlier attempt gave it back.
if [ -n "$slot" ]; then
  if out=$(PGPASSWORD="$PGPANEL_REPLICATION_PASSWORD" PGCONNECT_TIMEOUT=10 /usr/pgsql-16/bin/psql -X -At 'host=192.168.0.10 port=5432 user=replica dbname=replication replication=true' -c "CREATE_REPLICATION_SLOT $slot PHYSICAL RESERVE_WAL" 2>&1); then
    echo "Created replication slot $slot."
  elif ! printf '%s' "$out" | grep -q 'already exists'; then
    echo "Could not make replication slot $slot: $out" >&2; exit 1
  fi
fi
# Output may find the panel gone: a failed write must not end the clean-up (errexit).
say() { printf '%s\n' "$*" 2>/dev/null || true; }
release() {
  kill -TERM -- "-$pgid" 2>/dev/null || true
  for i in $(seq 1 50); do [ -n "$(ps -o pid= -g "$pgid" 2>/dev/null)" ] || break; sleep 0.2; done
  kill -KILL -- "-$pgid" 2>/dev/null || true
  if [ -n "$slot" ]; then
    for i in $(seq 1 20); do
      # Given back by this call, or already by the other caller (the watcher and the script both may).
      if out=$(PGPASSWORD="$PGPANEL_REPLICATION_PASSWORD" PGCONNECT_TIMEOUT=10 /usr/pgsql-16/bin/psql -X -At 'host=192.168.0.10 port=5432 user=replica dbname=replication replication=true' -c "DROP_REPLICATION_SLOT $slot" 2>&1) || printf '%s' "$out" | grep -q 'does not exist'; then
        say "Replication slot $slot given back."; break
      fi
      sleep 0.5
    done
  fi
  rm -f "$pidfile"
}
PGPASSWORD="${PGPANEL_REPLICATION_PASSWORD}" setsid /usr/pgsql-16/bin/pg_basebackup -d 'host=192.168.0.10 port=5432 user=replica connect_timeout=10 keepalives=1 keepalives_idle=10 keepalives_interval=5 keepalives_count=3 options='\''-c tcp_keepalives_idle=10 -c tcp_keepalives_interval=5 -c tcp_keepalives_count=3 -c tcp_user_timeout=20000'\''' -D /var/lib/pgsql/16/.data.pgpanel-clone -X stream -c fast -P -w -S seed_standby1 &
pgid=$!
echo "$pgid" > "$pidfile"
trap 'release; exit 143' TERM INT HUP
# When the panel's connection (or the panel, on this machine) is gone, nobody waits for this clone: end it.
(
  exec >/dev/null 2>&1
  while [ -n "$(ps -o pid= -g "$pgid" 2>/dev/null)" ]; do
    if [ -n "${PGPANEL_SESSION_PID:-}" ] && [ ! -e "/proc/$PGPANEL_SESSION_PID" ]; then
      release
      exit 0
    fi
    sleep 1
  done
) &
# The watcher ends by itself within a second of pg_basebackup; it is never killed, so a release it began finishes.
if wait "$pgid"; then
  rm -f "$pidfile"
  touch /var/lib/pgsql/16/.data.pgpanel-clone/.pgpanel-clone-complete
else
  rc=$?
  say "pg_basebackup ended with exit code $rc." >&2
  release
  exit "$rc"
fi
PGPANEL_STEP
    }
    step24_2() {
    run_as postgres <<'PGPANEL_STEP'
# The clone failed: the primary must not keep WAL for it. End the WAL sender still using the slot (a cut link
# leaves one until wal_sender_timeout) and drop the slot; the next attempt of the clone makes it again.
# A terminated sender blocked on a dead peer ends at its TCP user timeout (20 s, 12+): ask again meanwhile.
for i in $(seq 1 90); do
  /usr/pgsql-16/bin/psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p 5432 -d postgres -At -c 'SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = '\''seed_standby1'\'' AND active' >/dev/null 2>&1 || true
  /usr/pgsql-16/bin/psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p 5432 -d postgres -At -c 'SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '\''seed_standby1'\'' AND NOT active' >/dev/null 2>&1 || true
  left=$(/usr/pgsql-16/bin/psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p 5432 -d postgres -At -c 'SELECT count(*) FROM pg_replication_slots WHERE slot_name = '\''seed_standby1'\''')
  if [ "$left" = 0 ]; then echo "Replication slot seed_standby1 is gone from the primary: it keeps no WAL for the failed clone."; exit 0; fi
  sleep 0.5
done
echo "Replication slot seed_standby1 is still in use on the primary." >&2
exit 1
PGPANEL_STEP
    }
    if ! { step24_1; }; then
      if on_node primary; then step24_2 || echo '  clean-up on primary failed' >&2; fi
      exit 1
    fi
    step_result=changed
    result "$step_result"
  fi
fi

# ── Step 25/36 [standby1] Write the standby configuration into the clone (standby.signal, pgpanel.conf)
#    Written before the clone becomes the data directory, so it can never start as a second primary.
if on_node standby1; then
  pgpanel_step='25/36 Write the standby configuration into the clone (standby.signal, pgpanel.conf)'
  echo '[25/36] standby1: Write the standby configuration into the clone (standby.signal, pgpanel.conf)'
  step25_1() {
  run_as postgres <<'PGPANEL_STEP'
test -s /var/lib/pgsql/16/data/PG_VERSION && test "$(cat /var/lib/pgsql/16/data/pgpanel.cluster 2>/dev/null)" = seed && { test -f /var/lib/pgsql/16/data/standby.signal || test -f /var/lib/pgsql/16/data/recovery.conf; }
PGPANEL_STEP
  }
  if step25_1; then
    echo '  already in place'
    result unchanged
  else
    files_changed=0
    if printf '' | write_file /var/lib/pgsql/16/.data.pgpanel-clone/standby.signal 0600 postgres; then files_changed=1; fi
    if printf '%s' '# Settings of node standby1 (standby) of PgPanel cluster "seed" (PostgreSQL 16).
    # Rendered whole by PgPanel and included from postgresql.conf; edits are overwritten on the next run.
    listen_addresses = '\''127.0.0.1,192.168.0.11'\''
    port = '\''5432'\''
    unix_socket_directories = '\''/var/run/postgresql'\''
    wal_level = '\''replica'\''
    synchronous_commit = '\''on'\''
    max_wal_senders = '\''10'\''
    wal_sender_timeout = '\''60s'\''
    max_connections = '\''100'\''
    max_replication_slots = '\''10'\''
    hot_standby = '\''on'\''
    wal_log_hints = '\''on'\''
    password_encryption = '\''scram-sha-256'\''
    max_slot_wal_keep_size = '\''10GB'\''
    max_standby_streaming_delay = '\''30s'\''
    wal_receiver_status_interval = '\''1s'\''
    hot_standby_feedback = '\''on'\''
    primary_conninfo = '\''host=192.168.0.10 port=5432 user=replica password=' "$PGPANEL_REPLICATION_PASSWORD" ' application_name=seed_standby1'\''
    primary_slot_name = '\''seed_standby1'\''
    recovery_target_timeline = '\''latest'\''
    ' | write_file /var/lib/pgsql/16/.data.pgpanel-clone/pgpanel.conf 0600 postgres; then files_changed=1; fi
    if [ "$files_changed" = 1 ]; then step_result=changed; else step_result=unchanged; fi
    result "$step_result"
  fi
fi

# ── Step 26/36 [standby1] Move the configured clone into place as /var/lib/pgsql/16/data
if on_node standby1; then
  pgpanel_step='26/36 Move the configured clone into place as /var/lib/pgsql/16/data'
  echo '[26/36] standby1: Move the configured clone into place as /var/lib/pgsql/16/data'
  step26_1() {
  run_as postgres <<'PGPANEL_STEP'
test -s /var/lib/pgsql/16/data/PG_VERSION && test "$(cat /var/lib/pgsql/16/data/pgpanel.cluster 2>/dev/null)" = seed && { test -f /var/lib/pgsql/16/data/standby.signal || test -f /var/lib/pgsql/16/data/recovery.conf; }
PGPANEL_STEP
  }
  if step26_1; then
    echo '  already in place'
    result unchanged
  else
    files_changed=0
    run_as postgres <<'PGPANEL_STEP'
d=/var/lib/pgsql/16/data
if [ -e "$d" ] && [ -n "$(ls -A "$d")" ]; then echo "Refusing to replace $d: it is not empty. Nothing was changed." >&2; exit 3; fi
if [ -d "$d" ]; then rmdir "$d"; fi
rm -f /var/lib/pgsql/16/.data.pgpanel-clone/.pgpanel-clone-complete
mv /var/lib/pgsql/16/.data.pgpanel-clone "$d"
chmod 0700 "$d"
echo "$d now holds the standby."
PGPANEL_STEP
    step_result=changed
    result "$step_result"
  fi
fi

# ── Step 27/36 [standby1] Write the standby's settings and standby configuration
#    hot_standby, max_standby_streaming_delay, wal_receiver_status_interval, hot_standby_feedback, max_connections ≥ the primary's, and the connection to the primary.
if on_node standby1; then
  pgpanel_step='27/36 Write the standby'\''s settings and standby configuration'
  echo '[27/36] standby1: Write the standby'\''s settings and standby configuration'
  files_changed=0
  if printf '' | write_file /var/lib/pgsql/16/data/standby.signal 0600 postgres; then files_changed=1; fi
  if printf '%s' '# Settings of node standby1 (standby) of PgPanel cluster "seed" (PostgreSQL 16).
  # Rendered whole by PgPanel and included from postgresql.conf; edits are overwritten on the next run.
  listen_addresses = '\''127.0.0.1,192.168.0.11'\''
  port = '\''5432'\''
  unix_socket_directories = '\''/var/run/postgresql'\''
  wal_level = '\''replica'\''
  synchronous_commit = '\''on'\''
  max_wal_senders = '\''10'\''
  wal_sender_timeout = '\''60s'\''
  max_connections = '\''100'\''
  max_replication_slots = '\''10'\''
  hot_standby = '\''on'\''
  wal_log_hints = '\''on'\''
  password_encryption = '\''scram-sha-256'\''
  max_slot_wal_keep_size = '\''10GB'\''
  max_standby_streaming_delay = '\''30s'\''
  wal_receiver_status_interval = '\''1s'\''
  hot_standby_feedback = '\''on'\''
  primary_conninfo = '\''host=192.168.0.10 port=5432 user=replica password=' "$PGPANEL_REPLICATION_PASSWORD" ' application_name=seed_standby1'\''
  primary_slot_name = '\''seed_standby1'\''
  recovery_target_timeline = '\''latest'\''
  ' | write_file /var/lib/pgsql/16/data/pgpanel.conf 0600 postgres; then files_changed=1; fi
  if [ "$files_changed" = 1 ]; then step_result=changed; else step_result=unchanged; fi
  if [ "$step_result" = changed ]; then notify_restart_standby1=1; fi
  result "$step_result"
fi

# ── Step 28/36 [standby1] postgresql.conf includes PgPanel's settings (include_if_exists = 'pgpanel.conf')
#    The distribution's postgresql.conf stays as it is; one include line at its end brings in PgPanel's file.
if on_node standby1; then
  pgpanel_step='28/36 postgresql.conf includes PgPanel'\''s settings (include_if_exists = '\''pgpanel.conf'\'')'
  echo '[28/36] standby1: postgresql.conf includes PgPanel'\''s settings (include_if_exists = '\''pgpanel.conf'\'')'
  files_changed=0
  step28_1() {
  run_as postgres <<'PGPANEL_STEP'
grep -qxF 'include_if_exists = '\''pgpanel.conf'\''' /var/lib/pgsql/16/data/postgresql.conf
PGPANEL_STEP
  }
  if differs step28_1; then
    run_as postgres <<'PGPANEL_STEP'
printf '\n# Added by PgPanel for cluster %s\n%s\n' seed 'include_if_exists = '\''pgpanel.conf'\''' >> /var/lib/pgsql/16/data/postgresql.conf
PGPANEL_STEP
    converged step28_1
    step_result=changed
  elif [ "$files_changed" = 1 ]; then
    step_result=changed
  else
    step_result=unchanged
  fi
  if [ "$step_result" = changed ]; then notify_restart_standby1=1; fi
  result "$step_result"
fi

# ── Step 29/36 [standby1] Write pg_hba.conf: replication only from the cluster's nodes
if on_node standby1; then
  pgpanel_step='29/36 Write pg_hba.conf: replication only from the cluster'\''s nodes'
  echo '[29/36] standby1: Write pg_hba.conf: replication only from the cluster'\''s nodes'
  files_changed=0
  if write_file /var/lib/pgsql/16/data/pg_hba.conf 0640 postgres <<'PGPANEL_FILE'
# pg_hba.conf of PgPanel cluster "seed" (PostgreSQL 16), rendered whole by PgPanel.
# Replication is allowed only from the cluster's own nodes, each by its /32, so a switchover needs no edit.
# TYPE  DATABASE     USER            ADDRESS                  METHOD
local   all          all                                      peer
host    all          all             127.0.0.1/32             scram-sha-256
host    all          all             ::1/128                  scram-sha-256
local   replication  all                                      peer
host    replication  "replica"       127.0.0.1/32             scram-sha-256
host    replication  "replica"       192.168.0.10/32          scram-sha-256   # primary
host    replication  "replica"       192.168.0.11/32          scram-sha-256   # standby1
host    postgres     "pgpanel_monitor" 127.0.0.1/32             scram-sha-256   # PgPanel monitor
PGPANEL_FILE
  then files_changed=1; fi
  if [ "$files_changed" = 1 ]; then step_result=changed; else step_result=unchanged; fi
  if [ "$step_result" = changed ]; then notify_reload_standby1=1; fi
  result "$step_result"
fi

# ── Step 30/36 [standby1] Restart the standby to apply changed settings
#    Runs only when settings-standby1 or include-standby1 changed something and the server is running.
if on_node standby1; then
  pgpanel_step='30/36 Restart the standby to apply changed settings'
  echo '[30/36] standby1: Restart the standby to apply changed settings'
  step30_1() {
  run_as root <<'PGPANEL_STEP'
if systemctl is-active --quiet postgresql-16; then exit 1; fi
echo 'The server is not running; the start step applies the configuration.'
PGPANEL_STEP
  }
  if [ "${notify_restart_standby1:-0}" != 1 ]; then
    echo '  not notified: nothing it applies changed in this run'
    result unchanged
  elif differs step30_1; then
    run_as root <<'PGPANEL_STEP'
if ! systemctl restart postgresql-16; then
  echo "The server did not start." >&2
  {
    echo "journalctl -u postgresql-16, last lines:"; journalctl -u postgresql-16 -n 20 --no-pager 2>&1 || true
    newest=$(ls -t /var/lib/pgsql/16/data/log/*.log 2>/dev/null | head -n 1 || true)
    if [ -n "$newest" ]; then echo "$newest, last lines:"; tail -n 20 "$newest" || true; fi
  } >&2
  exit 1
fi
PGPANEL_STEP
    result changed
  else
    result unchanged
  fi
fi

# ── Step 31/36 [standby1] Reload the standby to apply pg_hba.conf
#    Runs only when hba-standby1 changed something and the server is running.
if on_node standby1; then
  pgpanel_step='31/36 Reload the standby to apply pg_hba.conf'
  echo '[31/36] standby1: Reload the standby to apply pg_hba.conf'
  step31_1() {
  run_as root <<'PGPANEL_STEP'
if systemctl is-active --quiet postgresql-16; then exit 1; fi
echo 'The server is not running; the start step applies the configuration.'
PGPANEL_STEP
  }
  if [ "${notify_reload_standby1:-0}" != 1 ]; then
    echo '  not notified: nothing it applies changed in this run'
    result unchanged
  elif differs step31_1; then
    run_as root <<'PGPANEL_STEP'
systemctl reload postgresql-16
PGPANEL_STEP
    result changed
  else
    result unchanged
  fi
fi

# ── Step 32/36 [standby1] Start the standby (192.168.0.11:5432)
if on_node standby1; then
  pgpanel_step='32/36 Start the standby (192.168.0.11:5432)'
  echo '[32/36] standby1: Start the standby (192.168.0.11:5432)'
  files_changed=0
  step32_1() {
  run_as root <<'PGPANEL_STEP'
systemctl is-active --quiet postgresql-16 || exit 1
PGPANEL_STEP
  }
  if differs step32_1; then
    run_as root <<'PGPANEL_STEP'
if ! systemctl enable --now postgresql-16; then
  echo "The server did not start." >&2
  {
    echo "journalctl -u postgresql-16, last lines:"; journalctl -u postgresql-16 -n 20 --no-pager 2>&1 || true
    newest=$(ls -t /var/lib/pgsql/16/data/log/*.log 2>/dev/null | head -n 1 || true)
    if [ -n "$newest" ]; then echo "$newest, last lines:"; tail -n 20 "$newest" || true; fi
  } >&2
  exit 1
fi
PGPANEL_STEP
    converged step32_1
    step_result=changed
  elif [ "$files_changed" = 1 ]; then
    step_result=changed
  else
    step_result=unchanged
  fi
  result "$step_result"
fi

# ── Step 33/36 [primary] Verify: the primary streams WAL to standby1 (pg_stat_replication)
if on_node primary; then
  pgpanel_step='33/36 Verify: the primary streams WAL to standby1 (pg_stat_replication)'
  echo '[33/36] primary: Verify: the primary streams WAL to standby1 (pg_stat_replication)'
  step33_1() {
  run_as postgres <<'PGPANEL_STEP'
state=""
for i in $(seq 1 1200); do
  state=$(/usr/pgsql-16/bin/psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p 5432 -d postgres -At -c 'SELECT state FROM pg_stat_replication WHERE application_name = '\''seed_standby1'\''' | head -n 1)
  if [ "$state" = streaming ]; then break; fi
  sleep 0.1
done
if [ "$state" != streaming ]; then echo "The primary shows no WAL sender streaming to seed_standby1 (state: ${state:-none})." >&2; exit 3; fi
echo "primary: WAL sender for seed_standby1 is streaming."
PGPANEL_STEP
  }
  if on_node standby1; then passes step33_1; else passes waiting 'standby1: Start the standby (192.168.0.11:5432)' step33_1; fi
  result passed
fi

# ── Step 34/36 [standby1] Verify: standby1 is in recovery with a streaming WAL receiver
if on_node standby1; then
  pgpanel_step='34/36 Verify: standby1 is in recovery with a streaming WAL receiver'
  echo '[34/36] standby1: Verify: standby1 is in recovery with a streaming WAL receiver'
  step34_1() {
  run_as postgres <<'PGPANEL_STEP'
recovery=$(/usr/pgsql-16/bin/psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p 5432 -d postgres -At -c 'SELECT pg_is_in_recovery()')
if [ "$recovery" != t ]; then echo "standby1 is not in recovery: it is not a standby." >&2; exit 3; fi
status=""
for i in $(seq 1 1200); do
  status=$(/usr/pgsql-16/bin/psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p 5432 -d postgres -At -c "SELECT status FROM pg_stat_wal_receiver" || true)
  if [ "$status" = streaming ]; then break; fi
  sleep 0.1
done
if [ "$status" != streaming ]; then echo "standby1 has no streaming WAL receiver (status: ${status:-none})." >&2; exit 3; fi
echo "standby1: in recovery, WAL receiver streaming."
PGPANEL_STEP
  }
  passes step34_1
  result passed
fi

# ── Step 35/36 [primary] Keep replication asynchronous: synchronous_standby_names is empty
#    Set only once the standby streams, so the primary never waits for a standby that does not exist yet.
if on_node primary; then
  pgpanel_step='35/36 Keep replication asynchronous: synchronous_standby_names is empty'
  echo '[35/36] primary: Keep replication asynchronous: synchronous_standby_names is empty'
  files_changed=0
  step35_1() {
  run_as postgres <<'PGPANEL_STEP'
test "$(/usr/pgsql-16/bin/psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p 5432 -d postgres -At -c 'SHOW synchronous_standby_names')" = ''
PGPANEL_STEP
  }
  if differs step35_1; then
    run_as postgres <<'PGPANEL_STEP'
/usr/pgsql-16/bin/psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p 5432 -d postgres -c 'ALTER SYSTEM RESET synchronous_standby_names' -c 'SELECT pg_reload_conf()' >/dev/null
sleep 0.2
PGPANEL_STEP
    converged step35_1
    step_result=changed
  elif [ "$files_changed" = 1 ]; then
    step_result=changed
  else
    step_result=unchanged
  fi
  result "$step_result"
fi

# ── Step 36/36 [standby1] Verify: a canary row written on the primary is read on standby1
#    The primary writes a new token and waits until standby1 reports it replayed; standby1 reads the token.
if on_node standby1 || on_node primary; then
  pgpanel_step='36/36 Verify: a canary row written on the primary is read on standby1'
  echo '[36/36] standby1: Verify: a canary row written on the primary is read on standby1'
  if on_node primary; then
    step36_1() {
    run_as postgres <<'PGPANEL_STEP'
written=$(/usr/pgsql-16/bin/psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p 5432 -d postgres -At <<'PGPANEL_SQL' | tail -n 1
SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS pgpanel;
CREATE TABLE IF NOT EXISTS pgpanel.canary (id int PRIMARY KEY, token text NOT NULL, written_at timestamptz NOT NULL DEFAULT now());
INSERT INTO pgpanel.canary (id, token) VALUES (1, md5(random()::text || clock_timestamp()::text))
  ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token, written_at = now() RETURNING token || ' ' || pg_current_wal_lsn();
PGPANEL_SQL
)
token=${written%% *}
lsn=${written#* }
for i in $(seq 1 2400); do
  if [ "$(/usr/pgsql-16/bin/psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p 5432 -d postgres -At -v lsn="$lsn" <<'PGPANEL_SQL'
SELECT pg_wal_lsn_diff(replay_lsn, :'lsn') >= 0 FROM pg_stat_replication WHERE application_name = 'seed_standby1'
PGPANEL_SQL
)" = t ]; then
    echo "seed_standby1 replayed the canary write (WAL position $lsn)."
    echo "$token"
    exit 0
  fi
  sleep 0.05
done
echo "seed_standby1 did not replay the canary write at $lsn within 120 s." >&2
exit 3
PGPANEL_STEP
    }
    out=$(passes step36_1)
    printf '%s\n' "$out" | sed '$d'
    PGPANEL_CANARY=$(printf '%s\n' "$out" | tail -n 1)
    export PGPANEL_CANARY
  fi
  if on_node standby1; then
    step36_2() {
    run_as postgres <<'PGPANEL_STEP'
# The token the primary wrote, when this host ran that part too; an exported script run on the standby's own
# host reads whatever token arrived (the primary's part has already seen it replayed).
want="${PGPANEL_CANARY:-}"
for i in $(seq 1 2400); do
  seen=$(/usr/pgsql-16/bin/psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p 5432 -d postgres -At -c 'SELECT token FROM pgpanel.canary WHERE id = 1' 2>/dev/null || true)
  if [ -n "$seen" ] && { [ -z "$want" ] || [ "$seen" = "$want" ]; }; then echo "standby1 reads canary $seen written on the primary."; exit 0; fi
  sleep 0.05
done
echo "standby1 did not receive the canary row within 120 s (it reads '${seen:-nothing}')." >&2
exit 3
PGPANEL_STEP
    }
    if on_node primary; then passes step36_2; else passes waiting 'primary: Verify: the primary streams WAL to standby1 (pg_stat_replication)' step36_2; fi
  fi
  result passed
fi

echo "PgPanel plan for cluster seed complete on this host ($PGPANEL_NODES): $pgpanel_changed step(s) changed something."
