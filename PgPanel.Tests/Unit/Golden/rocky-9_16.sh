#!/usr/bin/env bash
# PgPanel plan for cluster "seed": PostgreSQL 16 streaming replication.
#   primary   192.168.0.10:5432  data /var/lib/pgsql/16/data  (RedHatService, over SSH)
#   standby1  192.168.0.11:5432  data /var/lib/pgsql/16/data  (RedHatService, over SSH)
#
# Every step checks first and changes only what differs: running this script again changes nothing.
# When the nodes are on different hosts, run it on each host in order with PGPANEL_NODES set to that host's nodes,
# e.g. PGPANEL_NODES=primary on the primary first, then PGPANEL_NODES=standby1 on the standby.
# Secrets come from the environment and are never written into this script:
#   PGPANEL_REPLICATION_PASSWORD  password of the replication role replica
#   PGPANEL_MONITOR_PASSWORD  password of the monitoring role pgpanel_monitor

set -o errexit -o nounset -o pipefail
PGPANEL_NODES="${PGPANEL_NODES:-all}"

# on_node NODE: true when this host runs NODE's steps (PGPANEL_NODES="primary" or "standby1", default all).
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
: "${PGPANEL_REPLICATION_PASSWORD:?export PGPANEL_REPLICATION_PASSWORD first (password of the replication role replica)}"
export PGPANEL_REPLICATION_PASSWORD
: "${PGPANEL_MONITOR_PASSWORD:?export PGPANEL_MONITOR_PASSWORD first (password of the monitoring role pgpanel_monitor)}"
export PGPANEL_MONITOR_PASSWORD

# ── Step 1/31 [primary] Data directory /var/lib/pgsql/16/data is empty or already this cluster
#    PgPanel never deletes or overwrites a data directory it did not make for this cluster.
if on_node primary; then
  run_as root <<'PGPANEL_STEP' || { echo 'Pre-flight failed: Data directory /var/lib/pgsql/16/data is empty or already this cluster' >&2; exit 1; }
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
fi

# ── Step 2/31 [primary] Port 5432 is free or already this cluster's
if on_node primary; then
  run_as root <<'PGPANEL_STEP' || { echo 'Pre-flight failed: Port 5432 is free or already this cluster'\''s' >&2; exit 1; }
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
fi

# ── Step 3/31 [primary] Enough free disk space for primary
if on_node primary; then
  run_as - <<'PGPANEL_STEP' || { echo 'Pre-flight failed: Enough free disk space for primary' >&2; exit 1; }
p=/var/lib/pgsql/16/data
while [ ! -e "$p" ]; do p=$(dirname "$p"); done
free=$(df -Pk "$p" | awk 'NR==2 {print $4}')
if [ "$free" -lt 262144 ]; then
  echo "Only $((free / 1024)) MiB free on the file system of $p; at least 256 MiB are needed." >&2; exit 3
fi
echo "$((free / 1024)) MiB free on the file system of $p."
PGPANEL_STEP
fi

# ── Step 4/31 [standby1] Data directory /var/lib/pgsql/16/data is empty or already this cluster
#    PgPanel never deletes or overwrites a data directory it did not make for this cluster.
if on_node standby1; then
  run_as root <<'PGPANEL_STEP' || { echo 'Pre-flight failed: Data directory /var/lib/pgsql/16/data is empty or already this cluster' >&2; exit 1; }
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
fi

# ── Step 5/31 [standby1] Port 5432 is free or already this cluster's
if on_node standby1; then
  run_as root <<'PGPANEL_STEP' || { echo 'Pre-flight failed: Port 5432 is free or already this cluster'\''s' >&2; exit 1; }
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
fi

# ── Step 6/31 [standby1] Enough free disk space for standby1
if on_node standby1; then
  run_as - <<'PGPANEL_STEP' || { echo 'Pre-flight failed: Enough free disk space for standby1' >&2; exit 1; }
p=/var/lib/pgsql/16/data
while [ ! -e "$p" ]; do p=$(dirname "$p"); done
free=$(df -Pk "$p" | awk 'NR==2 {print $4}')
if [ "$free" -lt 262144 ]; then
  echo "Only $((free / 1024)) MiB free on the file system of $p; at least 256 MiB are needed." >&2; exit 3
fi
echo "$((free / 1024)) MiB free on the file system of $p."
PGPANEL_STEP
fi

# ── Step 7/31 [primary] Install PostgreSQL 16 on the host of primary
#    Install PostgreSQL 16 from the PGDG repository for EL-9 (the seed's procedure; no 'yum update' of the whole system).
if on_node primary; then
  step_changed=0
  if ! run_as root <<'PGPANEL_STEP'; then
test -x /usr/pgsql-16/bin/pg_ctl && test -x /usr/pgsql-16/bin/pg_basebackup && test -x /usr/pgsql-16/bin/psql
PGPANEL_STEP
    run_as root <<'PGPANEL_STEP'
if ! rpm -q pgdg-redhat-repo >/dev/null 2>&1; then
  dnf install -y https://download.postgresql.org/pub/repos/yum/reporpms/EL-9-x86_64/pgdg-redhat-repo-latest.noarch.rpm
fi
dnf -qy module disable postgresql
dnf install -y postgresql16-server postgresql16-contrib
PGPANEL_STEP
    step_changed=1
  fi
fi

# ── Step 8/31 [standby1] Install PostgreSQL 16 on the host of standby1
#    Install PostgreSQL 16 from the PGDG repository for EL-9 (the seed's procedure; no 'yum update' of the whole system).
if on_node standby1; then
  step_changed=0
  if ! run_as root <<'PGPANEL_STEP'; then
test -x /usr/pgsql-16/bin/pg_ctl && test -x /usr/pgsql-16/bin/pg_basebackup && test -x /usr/pgsql-16/bin/psql
PGPANEL_STEP
    run_as root <<'PGPANEL_STEP'
if ! rpm -q pgdg-redhat-repo >/dev/null 2>&1; then
  dnf install -y https://download.postgresql.org/pub/repos/yum/reporpms/EL-9-x86_64/pgdg-redhat-repo-latest.noarch.rpm
fi
dnf -qy module disable postgresql
dnf install -y postgresql16-server postgresql16-contrib
PGPANEL_STEP
    step_changed=1
  fi
fi

# ── Step 9/31 [primary] Initialise the primary's data directory /var/lib/pgsql/16/data
#    initdb with data checksums (needed by pg_rewind), peer auth locally and scram-sha-256 over TCP.
if on_node primary; then
  step_changed=0
  if ! run_as root <<'PGPANEL_STEP'; then
test -s /var/lib/pgsql/16/data/PG_VERSION && test -s /var/lib/pgsql/16/data/pgpanel.cluster
PGPANEL_STEP
    run_as root <<'PGPANEL_STEP'
PGSETUP_INITDB_OPTIONS='--auth-local=peer --auth-host=scram-sha-256 --data-checksums --encoding=UTF8' /usr/pgsql-16/bin/postgresql-16-setup initdb
runuser -u postgres -- sh -c 'echo seed > /var/lib/pgsql/16/data/pgpanel.cluster'
PGPANEL_STEP
    step_changed=1
  fi
fi

# ── Step 10/31 [primary] Write the primary's settings (pgpanel.conf)
#    listen_addresses, wal_level, synchronous_commit, max_wal_senders, wal_sender_timeout, max_connections and the rest, rendered whole.
if on_node primary; then
  step_changed=0
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
PGPANEL_FILE
  then step_changed=1; fi
  if [ "$step_changed" = 1 ]; then notify_restart_primary=1; fi
fi

# ── Step 11/31 [primary] postgresql.conf includes PgPanel's settings (include_if_exists = 'pgpanel.conf')
#    The distribution's postgresql.conf stays as it is; one include line at its end brings in PgPanel's file.
if on_node primary; then
  step_changed=0
  if ! run_as postgres <<'PGPANEL_STEP'; then
grep -qxF 'include_if_exists = '\''pgpanel.conf'\''' /var/lib/pgsql/16/data/postgresql.conf
PGPANEL_STEP
    run_as postgres <<'PGPANEL_STEP'
printf '\n# Added by PgPanel for cluster %s\n%s\n' seed 'include_if_exists = '\''pgpanel.conf'\''' >> /var/lib/pgsql/16/data/postgresql.conf
PGPANEL_STEP
    step_changed=1
  fi
  if [ "$step_changed" = 1 ]; then notify_restart_primary=1; fi
fi

# ── Step 12/31 [primary] Write pg_hba.conf: replication only from the cluster's nodes
if on_node primary; then
  step_changed=0
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
  then step_changed=1; fi
  if [ "$step_changed" = 1 ]; then notify_reload_primary=1; fi
fi

# ── Step 13/31 [primary] Restart the primary to apply changed settings
#    Runs only when settings-primary or include-primary changed something and the server is running.
if on_node primary; then
  if [ "${notify_restart_primary:-0}" = 1 ] && ! run_as root <<'PGPANEL_STEP'; then
if /usr/pgsql-16/bin/pg_ctl status -D /var/lib/pgsql/16/data >/dev/null 2>&1; then exit 1; fi
echo 'The server is not running; the start step applies the configuration.'
PGPANEL_STEP
    run_as root <<'PGPANEL_STEP'
if ! systemctl restart postgresql-16; then
  echo "The server did not start; the last lines of /var/lib/pgsql/16/data.log:" >&2
  tail -n 20 /var/lib/pgsql/16/data.log >&2 || true
  exit 1
fi
PGPANEL_STEP
  fi
fi

# ── Step 14/31 [primary] Reload the primary to apply pg_hba.conf
#    Runs only when hba-primary changed something and the server is running.
if on_node primary; then
  if [ "${notify_reload_primary:-0}" = 1 ] && ! run_as root <<'PGPANEL_STEP'; then
if /usr/pgsql-16/bin/pg_ctl status -D /var/lib/pgsql/16/data >/dev/null 2>&1; then exit 1; fi
echo 'The server is not running; the start step applies the configuration.'
PGPANEL_STEP
    run_as root <<'PGPANEL_STEP'
systemctl reload postgresql-16
PGPANEL_STEP
  fi
fi

# ── Step 15/31 [primary] Start the primary (192.168.0.10:5432)
if on_node primary; then
  step_changed=0
  if ! run_as root <<'PGPANEL_STEP'; then
/usr/pgsql-16/bin/pg_ctl status -D /var/lib/pgsql/16/data >/dev/null 2>&1 || exit 1
PGPANEL_STEP
    run_as root <<'PGPANEL_STEP'
if ! systemctl enable --now postgresql-16; then
  echo "The server did not start; the last lines of /var/lib/pgsql/16/data.log:" >&2
  tail -n 20 /var/lib/pgsql/16/data.log >&2 || true
  exit 1
fi
PGPANEL_STEP
    step_changed=1
  fi
fi

# ── Step 16/31 [primary] Replication role replica with LOGIN REPLICATION and its password
#    The password reaches psql through the environment, never the command line; stored as scram-sha-256.
if on_node primary; then
  step_changed=0
  if ! run_as postgres <<'PGPANEL_STEP'; then
state=$(/usr/pgsql-16/bin/psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p 5432 -d postgres -At -c 'SELECT rolcanlogin AND rolreplication FROM pg_roles WHERE rolname = '\''replica'\''')
if [ "$state" != t ]; then echo "Role replica is missing or lacks LOGIN REPLICATION."; exit 1; fi
if ! PGPASSWORD="$PGPANEL_REPLICATION_PASSWORD" PGCONNECT_TIMEOUT=10 /usr/pgsql-16/bin/psql -X -At 'host=127.0.0.1 port=5432 user=replica dbname=replication replication=true' -c IDENTIFY_SYSTEM >/dev/null 2>&1; then
  echo "Role replica exists but its password does not open a replication connection."; exit 1
fi
echo "Role replica exists and its password opens a replication connection."
PGPANEL_STEP
    run_as postgres <<'PGPANEL_STEP'
if [ "$(/usr/pgsql-16/bin/psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p 5432 -d postgres -At -c 'SELECT rolcanlogin AND rolreplication FROM pg_roles WHERE rolname = '\''replica'\''')" = "" ]; then verb=CREATE; else verb=ALTER; fi
/usr/pgsql-16/bin/psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p 5432 -d postgres -v verb="$verb" <<'PGPANEL_SQL'
\set pgpanel_password `printf '%s' "${PGPANEL_REPLICATION_PASSWORD}"`
SET password_encryption = 'scram-sha-256';
:verb ROLE "replica" WITH LOGIN REPLICATION PASSWORD :'pgpanel_password';
PGPANEL_SQL
echo "Role replica: $verb ROLE … WITH LOGIN REPLICATION PASSWORD ********"
PGPANEL_STEP
    step_changed=1
  fi
fi

# ── Step 17/31 [primary] Monitoring role pgpanel_monitor (member of pg_monitor)
#    The panel's live pages read pg_stat_replication and pg_stat_wal_receiver as this login; it replicates to the standbys.
if on_node primary; then
  step_changed=0
  if ! run_as postgres <<'PGPANEL_STEP'; then
if [ "$(/usr/pgsql-16/bin/psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p 5432 -d postgres -At -c 'SELECT rolcanlogin FROM pg_roles WHERE rolname = '\''pgpanel_monitor'\''')" != t ]; then echo "Role pgpanel_monitor is missing."; exit 1; fi
if [ "$(/usr/pgsql-16/bin/psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p 5432 -d postgres -At -c 'SELECT pg_has_role('\''pgpanel_monitor'\'', '\''pg_monitor'\'', '\''member'\'')' 2>/dev/null)" != t ]; then echo "Role pgpanel_monitor cannot read the replication views yet."; exit 1; fi
if ! PGPASSWORD="${PGPANEL_MONITOR_PASSWORD}" PGCONNECT_TIMEOUT=10 /usr/pgsql-16/bin/psql -X -At 'host=127.0.0.1 port=5432 user=pgpanel_monitor dbname=postgres' -c 'SELECT 1' >/dev/null 2>&1; then
  echo "Role pgpanel_monitor exists but its password does not log in."; exit 1
fi
echo "Role pgpanel_monitor can log in and read the replication views."
PGPANEL_STEP
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
    step_changed=1
  fi
fi

# ── Step 18/31 [primary] Physical replication slot seed_standby1 for standby1
#    The primary keeps the WAL this standby has not received yet, so it never needs a full rebuild.
if on_node primary; then
  step_changed=0
  if ! run_as postgres <<'PGPANEL_STEP'; then
test "$(/usr/pgsql-16/bin/psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p 5432 -d postgres -At -c 'SELECT count(*) FROM pg_replication_slots WHERE slot_name = '\''seed_standby1'\''')" = 1
PGPANEL_STEP
    run_as postgres <<'PGPANEL_STEP'
/usr/pgsql-16/bin/psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p 5432 -d postgres -At -c 'SELECT pg_create_physical_replication_slot('\''seed_standby1'\'', true)'
PGPANEL_STEP
    step_changed=1
  fi
fi

# ── Step 19/31 [standby1] standby1 opens a replication connection to the primary as replica
#    Proves reachability, pg_hba.conf and the password from the standby's host before any clone starts.
if on_node standby1; then
  run_as postgres <<'PGPANEL_STEP' || { echo 'Pre-flight failed: standby1 opens a replication connection to the primary as replica' >&2; exit 1; }
if out=$(PGPASSWORD="$PGPANEL_REPLICATION_PASSWORD" PGCONNECT_TIMEOUT=10 /usr/pgsql-16/bin/psql -X -At 'host=192.168.0.10 port=5432 user=replica dbname=replication replication=true' -c IDENTIFY_SYSTEM 2>&1); then
  echo "Replication connection to 192.168.0.10:5432 works (system identifier ${out%%|*})."
else
  echo "standby1 cannot open a replication connection to 192.168.0.10:5432 as replica: $out" >&2
  exit 3
fi
PGPANEL_STEP
fi

# ── Step 20/31 [standby1] Clone the primary with pg_basebackup into /var/lib/pgsql/16/.data.pgpanel-clone
#    A new empty directory beside the data directory; the data directory itself is only ever replaced by a complete, configured clone.
if on_node standby1; then
  if run_as postgres <<'PGPANEL_STEP'; then
test -s /var/lib/pgsql/16/data/PG_VERSION && test "$(cat /var/lib/pgsql/16/data/pgpanel.cluster 2>/dev/null)" = seed && { test -f /var/lib/pgsql/16/data/standby.signal || test -f /var/lib/pgsql/16/data/recovery.conf; } || test -f /var/lib/pgsql/16/.data.pgpanel-clone/.pgpanel-clone-complete
PGPANEL_STEP
    echo '  already in place'
  else
    step_changed=0
    run_as postgres <<'PGPANEL_STEP'
staging=/var/lib/pgsql/16/.data.pgpanel-clone
pidfile="$staging.pid"
# A pg_basebackup left running by an earlier attempt of this step (its connection dropped) would hold the
# slot and write into the staging directory: stop that process, ours by the pid we recorded.
if [ -f "$pidfile" ]; then
  old=$(cat "$pidfile")
  if kill -0 "$old" 2>/dev/null && tr '\0' ' ' < "/proc/$old/cmdline" | grep -qF -- "-D $staging "; then
    echo "Stopping pg_basebackup pid $old left running by an earlier attempt."
    kill "$old" 2>/dev/null || true
    for i in $(seq 1 50); do kill -0 "$old" 2>/dev/null || break; sleep 0.2; done
  fi
  rm -f "$pidfile"
fi
if [ -e "$staging" ]; then
  aside="$staging.failed-$(date +%Y%m%d%H%M%S)"
  mv "$staging" "$aside"
  echo "An unfinished clone from an earlier attempt was moved aside to $aside; remove it when you no longer need it."
fi
PGPASSWORD="$PGPANEL_REPLICATION_PASSWORD" /usr/pgsql-16/bin/pg_basebackup -h 192.168.0.10 -p 5432 -U replica -D /var/lib/pgsql/16/.data.pgpanel-clone -X stream -c fast -P -w -S seed_standby1 &
echo $! > "$pidfile"
wait $!
rm -f "$pidfile"
touch /var/lib/pgsql/16/.data.pgpanel-clone/.pgpanel-clone-complete
PGPANEL_STEP
    step_changed=1
  fi
fi

# ── Step 21/31 [standby1] Write the standby configuration into the clone (standby.signal, pgpanel.conf)
#    Written before the clone becomes the data directory, so it can never start as a second primary.
if on_node standby1; then
  if run_as postgres <<'PGPANEL_STEP'; then
test -s /var/lib/pgsql/16/data/PG_VERSION && test "$(cat /var/lib/pgsql/16/data/pgpanel.cluster 2>/dev/null)" = seed && { test -f /var/lib/pgsql/16/data/standby.signal || test -f /var/lib/pgsql/16/data/recovery.conf; }
PGPANEL_STEP
    echo '  already in place'
  else
    step_changed=0
    if printf '' | write_file /var/lib/pgsql/16/.data.pgpanel-clone/standby.signal 0600 postgres; then step_changed=1; fi
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
    max_standby_streaming_delay = '\''30s'\''
    wal_receiver_status_interval = '\''1s'\''
    hot_standby_feedback = '\''on'\''
    primary_conninfo = '\''host=192.168.0.10 port=5432 user=replica password=' "$PGPANEL_REPLICATION_PASSWORD" ' application_name=seed_standby1'\''
    primary_slot_name = '\''seed_standby1'\''
    recovery_target_timeline = '\''latest'\''
    ' | write_file /var/lib/pgsql/16/.data.pgpanel-clone/pgpanel.conf 0600 postgres; then step_changed=1; fi
  fi
fi

# ── Step 22/31 [standby1] Move the configured clone into place as /var/lib/pgsql/16/data
if on_node standby1; then
  if run_as postgres <<'PGPANEL_STEP'; then
test -s /var/lib/pgsql/16/data/PG_VERSION && test "$(cat /var/lib/pgsql/16/data/pgpanel.cluster 2>/dev/null)" = seed && { test -f /var/lib/pgsql/16/data/standby.signal || test -f /var/lib/pgsql/16/data/recovery.conf; }
PGPANEL_STEP
    echo '  already in place'
  else
    step_changed=0
    run_as postgres <<'PGPANEL_STEP'
d=/var/lib/pgsql/16/data
if [ -e "$d" ] && [ -n "$(ls -A "$d")" ]; then echo "Refusing to replace $d: it is not empty. Nothing was changed." >&2; exit 3; fi
if [ -d "$d" ]; then rmdir "$d"; fi
rm -f /var/lib/pgsql/16/.data.pgpanel-clone/.pgpanel-clone-complete
mv /var/lib/pgsql/16/.data.pgpanel-clone "$d"
chmod 0700 "$d"
echo "$d now holds the standby."
PGPANEL_STEP
    step_changed=1
  fi
fi

# ── Step 23/31 [standby1] Write the standby's settings and standby configuration
#    hot_standby, max_standby_streaming_delay, wal_receiver_status_interval, hot_standby_feedback, max_connections ≥ the primary's, and the connection to the primary.
if on_node standby1; then
  step_changed=0
  if printf '' | write_file /var/lib/pgsql/16/data/standby.signal 0600 postgres; then step_changed=1; fi
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
  max_standby_streaming_delay = '\''30s'\''
  wal_receiver_status_interval = '\''1s'\''
  hot_standby_feedback = '\''on'\''
  primary_conninfo = '\''host=192.168.0.10 port=5432 user=replica password=' "$PGPANEL_REPLICATION_PASSWORD" ' application_name=seed_standby1'\''
  primary_slot_name = '\''seed_standby1'\''
  recovery_target_timeline = '\''latest'\''
  ' | write_file /var/lib/pgsql/16/data/pgpanel.conf 0600 postgres; then step_changed=1; fi
  if [ "$step_changed" = 1 ]; then notify_restart_standby1=1; fi
fi

# ── Step 24/31 [standby1] postgresql.conf includes PgPanel's settings (include_if_exists = 'pgpanel.conf')
#    The distribution's postgresql.conf stays as it is; one include line at its end brings in PgPanel's file.
if on_node standby1; then
  step_changed=0
  if ! run_as postgres <<'PGPANEL_STEP'; then
grep -qxF 'include_if_exists = '\''pgpanel.conf'\''' /var/lib/pgsql/16/data/postgresql.conf
PGPANEL_STEP
    run_as postgres <<'PGPANEL_STEP'
printf '\n# Added by PgPanel for cluster %s\n%s\n' seed 'include_if_exists = '\''pgpanel.conf'\''' >> /var/lib/pgsql/16/data/postgresql.conf
PGPANEL_STEP
    step_changed=1
  fi
  if [ "$step_changed" = 1 ]; then notify_restart_standby1=1; fi
fi

# ── Step 25/31 [standby1] Write pg_hba.conf: replication only from the cluster's nodes
if on_node standby1; then
  step_changed=0
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
  then step_changed=1; fi
  if [ "$step_changed" = 1 ]; then notify_reload_standby1=1; fi
fi

# ── Step 26/31 [standby1] Restart the standby to apply changed settings
#    Runs only when settings-standby1 or include-standby1 changed something and the server is running.
if on_node standby1; then
  if [ "${notify_restart_standby1:-0}" = 1 ] && ! run_as root <<'PGPANEL_STEP'; then
if /usr/pgsql-16/bin/pg_ctl status -D /var/lib/pgsql/16/data >/dev/null 2>&1; then exit 1; fi
echo 'The server is not running; the start step applies the configuration.'
PGPANEL_STEP
    run_as root <<'PGPANEL_STEP'
if ! systemctl restart postgresql-16; then
  echo "The server did not start; the last lines of /var/lib/pgsql/16/data.log:" >&2
  tail -n 20 /var/lib/pgsql/16/data.log >&2 || true
  exit 1
fi
PGPANEL_STEP
  fi
fi

# ── Step 27/31 [standby1] Reload the standby to apply pg_hba.conf
#    Runs only when hba-standby1 changed something and the server is running.
if on_node standby1; then
  if [ "${notify_reload_standby1:-0}" = 1 ] && ! run_as root <<'PGPANEL_STEP'; then
if /usr/pgsql-16/bin/pg_ctl status -D /var/lib/pgsql/16/data >/dev/null 2>&1; then exit 1; fi
echo 'The server is not running; the start step applies the configuration.'
PGPANEL_STEP
    run_as root <<'PGPANEL_STEP'
systemctl reload postgresql-16
PGPANEL_STEP
  fi
fi

# ── Step 28/31 [standby1] Start the standby (192.168.0.11:5432)
if on_node standby1; then
  step_changed=0
  if ! run_as root <<'PGPANEL_STEP'; then
/usr/pgsql-16/bin/pg_ctl status -D /var/lib/pgsql/16/data >/dev/null 2>&1 || exit 1
PGPANEL_STEP
    run_as root <<'PGPANEL_STEP'
if ! systemctl enable --now postgresql-16; then
  echo "The server did not start; the last lines of /var/lib/pgsql/16/data.log:" >&2
  tail -n 20 /var/lib/pgsql/16/data.log >&2 || true
  exit 1
fi
PGPANEL_STEP
    step_changed=1
  fi
fi

# ── Step 29/31 [primary] Verify: the primary streams to every standby, each standby is in recovery with a WAL receiver
if on_node primary; then
  run_as postgres <<'PGPANEL_STEP'
for name in seed_standby1; do
  state=""
  for i in $(seq 1 1200); do
    state=$(/usr/pgsql-16/bin/psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p 5432 -d postgres -At -c "SELECT state FROM pg_stat_replication WHERE application_name = '$name'" | head -n 1)
    if [ "$state" = streaming ]; then break; fi
    sleep 0.1
  done
  if [ "$state" != streaming ]; then echo "The primary shows no WAL sender streaming to $name (state: ${state:-none})." >&2; exit 3; fi
  echo "primary: WAL sender for $name is streaming."
done
PGPANEL_STEP
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
fi

# ── Step 30/31 [primary] Keep replication asynchronous: synchronous_standby_names is empty
#    Set only once the standby streams, so the primary never waits for a standby that does not exist yet.
if on_node primary; then
  step_changed=0
  if ! run_as postgres <<'PGPANEL_STEP'; then
test "$(/usr/pgsql-16/bin/psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p 5432 -d postgres -At -c 'SHOW synchronous_standby_names')" = ''
PGPANEL_STEP
    run_as postgres <<'PGPANEL_STEP'
/usr/pgsql-16/bin/psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p 5432 -d postgres -c 'ALTER SYSTEM RESET synchronous_standby_names' -c 'SELECT pg_reload_conf()' >/dev/null
sleep 0.2
PGPANEL_STEP
    step_changed=1
  fi
fi

# ── Step 31/31 [standby1] Verify: a canary row written on the primary is read on standby1
if on_node standby1; then
  PGPANEL_CANARY=$(run_as postgres <<'PGPANEL_STEP'
/usr/pgsql-16/bin/psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p 5432 -d postgres -At <<'PGPANEL_SQL' | tail -n 1
SET client_min_messages = warning;
CREATE SCHEMA IF NOT EXISTS pgpanel;
CREATE TABLE IF NOT EXISTS pgpanel.canary (id int PRIMARY KEY, token text NOT NULL, written_at timestamptz NOT NULL DEFAULT now());
INSERT INTO pgpanel.canary (id, token) VALUES (1, md5(random()::text || clock_timestamp()::text))
  ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token, written_at = now() RETURNING token;
PGPANEL_SQL
PGPANEL_STEP
  )
  export PGPANEL_CANARY
  run_as postgres <<'PGPANEL_STEP'
for i in $(seq 1 2400); do
  seen=$(/usr/pgsql-16/bin/psql -X -q -v ON_ERROR_STOP=1 -h /var/run/postgresql -p 5432 -d postgres -At -c 'SELECT token FROM pgpanel.canary WHERE id = 1' 2>/dev/null || true)
  if [ "$seen" = "$PGPANEL_CANARY" ]; then echo "standby1 reads canary $seen written on the primary."; exit 0; fi
  sleep 0.05
done
echo "standby1 did not receive the canary row within 120 s (it reads '${seen:-nothing}')." >&2
exit 3
PGPANEL_STEP
fi

echo "PgPanel plan for cluster seed complete."
