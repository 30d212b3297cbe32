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

export OS_AUTH_URL=http://127.0.0.1:5000/v3 OS_USERNAME=admin OS_PASSWORD='@SECRET@' \
  OS_PROJECT_NAME=admin OS_USER_DOMAIN_NAME=Default OS_PROJECT_DOMAIN_NAME=Default OS_IDENTITY_API_VERSION=3 \
  OS_INTERFACE=internal  # the catalog's public URL is the host's, unreachable from in here
os() { openstack "$@" >/dev/null; }
os project create --domain default service
os project create --domain default conformance-main
os project create --domain default conformance-other
os user create --domain default --password '@SECRET@' glance
os role add --project service --user glance admin
os user create --domain default --password '@SECRET@' conformance-main
os role add --project conformance-main --user conformance-main admin
os user create --domain default --password '@SECRET@' conformance-member
os role add --project conformance-main --user conformance-member member
os user create --domain default --password '@SECRET@' conformance-other
os role add --project conformance-other --user conformance-other member
os service create --name glance image
echo "glance-conformance: keystone bootstrapped"
wait "$server"
