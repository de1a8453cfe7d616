# A Debian 12 server reachable over SSH, for trying PgPanel's SSH target: root logs in with the key in
# ./docker/keys/authorized_keys; PostgreSQL 15 is installed without a default cluster, as PgPanel expects to create it.
FROM debian:12
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends openssh-server sudo postgresql-common \
 && pg_conftool /etc/postgresql-common/createcluster.conf set create_main_cluster false \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql-15 \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir -p /run/sshd /root/.ssh && chmod 700 /root/.ssh
EXPOSE 22 5432
CMD ["/usr/sbin/sshd", "-D", "-e", "-o", "PermitRootLogin=prohibit-password", "-o", "AuthorizedKeysFile=/keys/authorized_keys"]
