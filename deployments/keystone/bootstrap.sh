# Bootstraps Keystone for the certification target, then serves it: the admin account
# (keystone-manage bootstrap), a second user of the admin project, a user of a second project,
# the glance service user, and the image service in the catalog. Every password is @SECRET@.
set -eu
ks() { runuser -u keystone -- keystone-manage --config-file /etc/keystone/keystone.conf "$@"; }
install -d -o keystone -g keystone /var/lib/keystone /etc/keystone/fernet-keys /etc/keystone/credential-keys
ks db_sync
ks fernet_setup --keystone-user keystone --keystone-group keystone
ks credential_setup --keystone-user keystone --keystone-group keystone
ks bootstrap --bootstrap-password '@SECRET@' --bootstrap-region-id RegionOne \
  --bootstrap-admin-url http://keystone:5000/v3 --bootstrap-internal-url http://keystone:5000/v3 \
  --bootstrap-public-url '@PUBLISHED_keystone@/v3'

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
os project create --domain default conformance-other
os user create --domain default --password '@SECRET@' glance
os role add --project service --user glance admin
os user create --domain default --password '@SECRET@' member
os role add --project admin --user member member
os user create --domain default --password '@SECRET@' other
os role add --project conformance-other --user other member
os service create --name glance image
os endpoint create --region RegionOne image public '@PUBLIC_ENDPOINT@'
os endpoint create --region RegionOne image internal http://glance:9292
echo "glance-conformance: keystone bootstrapped"
wait "$server"
