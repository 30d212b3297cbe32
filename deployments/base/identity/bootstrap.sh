# Bootstraps the run's Keystone, then serves it: the bootstrap admin (keystone-manage bootstrap:
# user admin, project admin, with which the harness registers each column's endpoint), the
# specs' three accounts (identity.yaml's clouds), the glance service user keystonemiddleware
# signs in as, and the image service, whose endpoints the harness adds, one region per column.
# Every password is @SECRET@.
set -eu
ks() { runuser -u keystone -- keystone-manage --config-file /etc/keystone/keystone.conf "$@"; }
install -d -o keystone -g keystone /var/lib/keystone /etc/keystone/fernet-keys /etc/keystone/credential-keys
ks db_sync
ks fernet_setup --keystone-user keystone --keystone-group keystone
ks credential_setup --keystone-user keystone --keystone-group keystone
ks bootstrap --bootstrap-password '@SECRET@' --bootstrap-region-id RegionOne \
  --bootstrap-admin-url http://keystone:5000/v3 --bootstrap-internal-url http://keystone:5000/v3 \
  --bootstrap-public-url '@PUBLIC_ENDPOINT@/v3'

uwsgi --ini /etc/keystone/keystone-uwsgi.ini &
server=$!
for i in $(seq 1 60); do
  curl -fsS -o /dev/null http://127.0.0.1:5000/v3 && break
  sleep 1
done

# One Python process with Keystone's own client library (a dependency of Debian's keystone):
# eleven `openstack` commands took about 40 s, one interpreter start each.
GC_SECRET='@SECRET@' python3 - <<'PY'
import os
import time
from keystoneauth1 import exceptions, session
from keystoneauth1.identity import v3
from keystoneclient.v3 import client

secret = os.environ["GC_SECRET"]
auth = v3.Password(auth_url="http://127.0.0.1:5000/v3", username="admin", password=secret, project_name="admin",
                   user_domain_name="Default", project_domain_name="Default")
# The catalog's public URL is the host's, unreachable from in here.
ks = client.Client(session=session.Session(auth=auth), interface="internal")

def retried(f, *args, **kwargs):
    # Keystone's uWSGI (http-socket, Debian's ini) closes a kept-alive connection after an answer;
    # a request sent on it before the close arrives is reset unprocessed (seen: "Connection reset
    # by peer" on a POST), so resending it is safe.
    for _ in range(4):
        try:
            return f(*args, **kwargs)
        except exceptions.ConnectFailure:
            time.sleep(1)
    return f(*args, **kwargs)

role = {r.name: r for r in retried(ks.roles.list)}
projects = {name: retried(ks.projects.create, name, domain="default") for name in ("service", "conformance-main", "conformance-other")}
for user, project, r in (("glance", "service", "admin"), ("conformance-main", "conformance-main", "admin"),
                         ("conformance-member", "conformance-main", "member"), ("conformance-other", "conformance-other", "member"),
                         ("conformance-main-reader", "conformance-main", "reader"), ("conformance-other-reader", "conformance-other", "reader")):
    u = retried(ks.users.create, user, domain="default", password=secret)
    retried(ks.roles.grant, role[r], user=u, project=projects[project])
retried(ks.services.create, "glance", type="image")
# A deployment's second Glance node, under the service type Tempest's alternate_image_endpoint
# names (devstack's image_remote): registered only in the regions of columns that have one.
retried(ks.services.create, "glance-remote", type="image_remote")
PY
echo "glance-conformance: keystone bootstrapped"
wait "$server"
