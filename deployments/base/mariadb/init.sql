-- Run by mariadbd at start-up (--init-file): Glance's database and user.
CREATE DATABASE IF NOT EXISTS glance;
CREATE USER IF NOT EXISTS 'glance'@'%' IDENTIFIED BY 'glance';
GRANT ALL PRIVILEGES ON glance.* TO 'glance'@'%';
-- Keystone's, for the deployments that run one (deployments/keystone): SQLite answers
-- "database is locked" when its uWSGI workers write at the same moment.
CREATE DATABASE IF NOT EXISTS keystone;
CREATE USER IF NOT EXISTS 'keystone'@'%' IDENTIFIED BY 'keystone';
GRANT ALL PRIVILEGES ON keystone.* TO 'keystone'@'%';
