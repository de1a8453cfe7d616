#!/usr/bin/env bash
# PgPanel SSH test bed: N Debian "hosts" on this Linux box, for the tests and for trying SSH mode by hand.
#
# Each host is a network namespace on a private bridge (10.77.77.0/24; the bridge is 10.77.77.1, host I is
# 10.77.77.(10+I)) with its own sshd, and private mount and PID namespaces, so that it has its own
# /var/lib/postgresql, /etc/postgresql, /run/postgresql and /var/log/postgresql (the PostgreSQL binaries are
# this machine's). Logins: root with the generated key, and the non-root user pgdba with a password and
# password-protected sudo. Needs root, iproute2, util-linux, openssh-server, sudo and a PostgreSQL server package.
#
# Usage: testbed.sh up N        create hosts 1..N (idempotent: hosts already up are kept)
#        testbed.sh down        remove everything up created
#        testbed.sh status      addresses, logins and host key fingerprints
#        testbed.sh stop-sshd I / start-sshd I / rekey I / reset I   (what the tests do to host I)
#        testbed.sh exec I CMD…   run CMD inside host I
set -o errexit -o nounset -o pipefail

STATE=${PGPANEL_TESTBED_DIR:-/var/tmp/pgpanel-testbed}
BRIDGE=pgpbr0
NET=10.77.77
NONROOT=pgdba
PRIVATE_DIRS=(var/lib/postgresql etc/postgresql run/postgresql var/log/postgresql)

die() { echo "testbed: $*" >&2; exit 1; }
need_root() { [ "$(id -u)" = 0 ] || die "run as root (it creates network namespaces, a bridge and a user)"; }
host_ip() { echo "$NET.$((10 + $1))"; }
ns() { echo "pgp-h$1"; }
init_pid() { cat "$STATE/h$1/init.pid" 2>/dev/null || true; }
alive() { local pid; pid=$(init_pid "$1"); [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }
in_host() { local i=$1; shift; nsenter -t "$(init_pid "$i")" -m -p -n -- "$@"; }

check_tools() {
  local missing=()
  command -v ip >/dev/null || missing+=(iproute2)
  command -v unshare >/dev/null && command -v nsenter >/dev/null || missing+=(util-linux)
  [ -x /usr/sbin/sshd ] || missing+=(openssh-server)
  command -v sudo >/dev/null || missing+=(sudo)
  ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || missing+=(postgresql)
  [ ${#missing[@]} -eq 0 ] || die "missing packages: ${missing[*]} (apt-get install -y ${missing[*]})"
}

client_keys() {
  mkdir -p "$STATE/authorized_keys"
  chmod 755 "$STATE"
  [ -f "$STATE/id_ed25519" ] || ssh-keygen -q -t ed25519 -N '' -C pgpanel-testbed -f "$STATE/id_ed25519"
  [ -f "$STATE/id_rsa_pem" ] || ssh-keygen -q -t rsa -b 3072 -m PEM -N '' -C pgpanel-testbed-rsa -f "$STATE/id_rsa_pem"
  [ -f "$STATE/id_ed25519_passphrase" ] || ssh-keygen -q -t ed25519 -N 'testbed-passphrase' -C pgpanel-testbed-pass -f "$STATE/id_ed25519_passphrase"
  cat "$STATE"/id_*.pub > "$STATE/authorized_keys/root"
  cp "$STATE/authorized_keys/root" "$STATE/authorized_keys/$NONROOT"
  chmod 644 "$STATE/authorized_keys/"*
}

nonroot_user() {
  if ! id "$NONROOT" >/dev/null 2>&1; then
    useradd --create-home --shell /bin/bash "$NONROOT"
    touch "$STATE/created-user"
  fi
  [ -f "$STATE/$NONROOT.password" ] || (umask 077; head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$STATE/$NONROOT.password")
  echo "$NONROOT:$(cat "$STATE/$NONROOT.password")" | chpasswd
  printf '%s ALL=(ALL:ALL) ALL\n' "$NONROOT" > /etc/sudoers.d/pgpanel-testbed
  chmod 0440 /etc/sudoers.d/pgpanel-testbed
}

bridge() {
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
    ip addr add "$NET.1/24" dev "$BRIDGE"
  fi
  ip link set "$BRIDGE" up
}

sshd_config() {
  local i=$1 dir="$STATE/h$1"
  cat > "$dir/sshd_config" <<EOF
Port 22
ListenAddress $(host_ip "$i")
HostKey $dir/ssh_host_ed25519_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $STATE/authorized_keys/%u
PermitRootLogin prohibit-password
PasswordAuthentication yes
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PrintMotd no
AcceptEnv LANG
Subsystem sftp internal-sftp
EOF
}

host_up() {
  local i=$1 dir="$STATE/h$1" ip
  ip=$(host_ip "$i")
  if alive "$i"; then echo "host $i ($ip) is already up"; return; fi
  mkdir -p "$dir/root"
  for d in "${PRIVATE_DIRS[@]}"; do mkdir -p "$dir/root/$d"; done
  chown postgres:postgres "$dir/root/var/lib/postgresql" "$dir/root/etc/postgresql"
  chown postgres:postgres "$dir/root/run/postgresql" && chmod 2775 "$dir/root/run/postgresql"
  chown root:postgres "$dir/root/var/log/postgresql" && chmod 1775 "$dir/root/var/log/postgresql"
  [ -f "$dir/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -f "$dir/ssh_host_ed25519_key"
  sshd_config "$i"
  mkdir -p /run/sshd

  ip netns list | grep -qw "$(ns "$i")" || ip netns add "$(ns "$i")"
  if ! ip link show "pgpv$i" >/dev/null 2>&1; then
    ip link add "pgpv$i" type veth peer name eth0 netns "$(ns "$i")"
  fi
  ip link set "pgpv$i" master "$BRIDGE" up
  ip netns exec "$(ns "$i")" ip addr replace "$ip/24" dev eth0
  ip netns exec "$(ns "$i")" ip link set eth0 up
  ip netns exec "$(ns "$i")" ip link set lo up

  # The host's first process: private mounts, sshd, then a loop that reaps orphans (it is PID 1 of the host).
  local init
  init="set -e
    hostname pgp-h$i
    for d in ${PRIVATE_DIRS[*]}; do mount --bind '$dir/root/'\$d /\$d; done
    /usr/sbin/sshd -f '$dir/sshd_config' -E '$dir/sshd.log'
    trap 'exit 0' TERM
    while :; do sleep 3600 & wait \$! || true; done"
  ip netns exec "$(ns "$i")" unshare --mount --uts --pid --fork --mount-proc --propagation private \
    bash -c "$init" </dev/null >"$dir/init.log" 2>&1 &
  local outer=$! inner=""
  for _ in $(seq 1 100); do
    inner=$(pgrep -P "$outer" -x bash || true)
    [ -n "$inner" ] && break
    sleep 0.05
  done
  [ -n "$inner" ] || die "host $i did not start: $(cat "$dir/init.log")"
  echo "$inner" > "$dir/init.pid"
  echo "$outer" > "$dir/unshare.pid"
  wait_ssh "$i"
  echo "host $i is up: $ip (namespace $(ns "$i"))"
}

wait_ssh() {
  local ip
  ip=$(host_ip "$1")
  for _ in $(seq 1 100); do
    if timeout 1 bash -c "exec 3<>/dev/tcp/$ip/22" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  die "sshd of host $1 does not answer on $ip:22: $(cat "$STATE/h$1/sshd.log" 2>/dev/null)"
}

host_down() {
  local i=$1 pid
  pid=$(init_pid "$i")
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true   # PID 1 of the host: its PID namespace, and every process in it, ends
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  ip netns list | grep -qw "$(ns "$i")" && ip netns del "$(ns "$i")" || true
  ip link show "pgpv$i" >/dev/null 2>&1 && ip link del "pgpv$i" || true
}

fingerprint() { ssh-keygen -lf "$STATE/h$1/ssh_host_ed25519_key.pub" | awk '{print $2}'; }

write_env() {
  {
    echo "PGPANEL_TESTBED_DIR=$STATE"
    echo "PGPANEL_TESTBED_USER=$NONROOT"
    for dir in "$STATE"/h*/; do
      local i=${dir%/}; i=${i##*/h}
      alive "$i" || continue
      echo "PGPANEL_TESTBED_HOST$i=$(host_ip "$i")"
      echo "PGPANEL_TESTBED_FINGERPRINT$i=$(fingerprint "$i")"
    done
  } > "$STATE/hosts.env"
}

case "${1:-}" in
  up)
    need_root; check_tools
    count=${2:-2}
    [[ "$count" =~ ^[1-9]$ ]] || die "up takes a number of hosts from 1 to 9"
    mkdir -p "$STATE"
    client_keys; nonroot_user; bridge
    for i in $(seq 1 "$count"); do host_up "$i"; done
    write_env
    echo "test bed ready: $STATE/hosts.env; root key $STATE/id_ed25519; $NONROOT's password in $STATE/$NONROOT.password"
    ;;
  down)
    need_root
    if [ -d "$STATE" ]; then
      for dir in "$STATE"/h*/; do [ -d "$dir" ] || continue; i=${dir%/}; i=${i##*/h}; host_down "$i"; done
    fi
    ip link show "$BRIDGE" >/dev/null 2>&1 && ip link del "$BRIDGE" || true
    rm -f /etc/sudoers.d/pgpanel-testbed
    if [ -f "$STATE/created-user" ]; then userdel --remove "$NONROOT" 2>/dev/null || true; fi
    rm -rf "$STATE"
    echo "test bed removed"
    ;;
  status)
    [ -f "$STATE/hosts.env" ] || die "the test bed is not up"
    write_env; cat "$STATE/hosts.env"
    ;;
  stop-sshd)
    need_root; alive "${2:?host}" || die "host $2 is not up"
    in_host "$2" pkill -KILL -x sshd || true
    ;;
  start-sshd)
    need_root; alive "${2:?host}" || die "host $2 is not up"
    in_host "$2" /usr/sbin/sshd -f "$STATE/h$2/sshd_config" -E "$STATE/h$2/sshd.log"
    wait_ssh "$2"
    ;;
  rekey)
    need_root; alive "${2:?host}" || die "host $2 is not up"
    in_host "$2" pkill -KILL -x sshd || true
    rm -f "$STATE/h$2/ssh_host_ed25519_key" "$STATE/h$2/ssh_host_ed25519_key.pub"
    ssh-keygen -q -t ed25519 -N '' -f "$STATE/h$2/ssh_host_ed25519_key"
    in_host "$2" /usr/sbin/sshd -f "$STATE/h$2/sshd_config" -E "$STATE/h$2/sshd.log"
    wait_ssh "$2"; write_env; fingerprint "$2"
    ;;
  reset)
    # Stops every PostgreSQL server of host I and empties its private directories (test hosts only).
    need_root; alive "${2:?host}" || die "host $2 is not up"
    in_host "$2" bash -c 'for pid in /var/lib/postgresql/*/*/postmaster.pid /var/lib/postgresql/*/postmaster.pid; do
        [ -f "$pid" ] && kill -INT "$(head -n 1 "$pid")" 2>/dev/null || true; done
      for _ in $(seq 1 100); do pgrep -x postgres >/dev/null || break; sleep 0.1; done
      pkill -KILL -x postgres || true
      pkill -KILL -x pg_basebackup || true'
    for d in "${PRIVATE_DIRS[@]}"; do find "$STATE/h$2/root/$d" -mindepth 1 -delete; done
    ;;
  exec)
    need_root; i=${2:?host}; shift 2; alive "$i" || die "host $i is not up"
    in_host "$i" "$@"
    ;;
  *)
    sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
