"""Installs a Glance source tree (at /src) over the packaged Glance of this image, or says in
one line why the tree does not fit the release (exit status 3).

Nothing is fetched: the release's packaged dependencies must satisfy the tree's requirements.
"""
import configparser
import importlib.metadata as md
import os
import shutil
import subprocess
import sys
import traceback

from packaging.requirements import Requirement

SRC = "/src"
SITE = "/usr/lib/python3/dist-packages"


def refuse(why):
    print("REFUSED: " + why, flush=True)
    sys.exit(3)


def check_requirements():
    path = os.path.join(SRC, "requirements.txt")
    if not os.path.exists(path):
        refuse("the tree has no requirements.txt: not a Glance source tree")
    for line in open(path):
        line = line.split("#")[0].strip()
        if not line or line.startswith("-"):
            continue
        req = Requirement(line)
        if req.marker and not req.marker.evaluate():
            continue
        try:
            have = md.version(req.name)
        except md.PackageNotFoundError:
            refuse("%s is not installed in this release (the tree requires %s)" % (req.name, req))
        if req.specifier and not req.specifier.contains(have, prereleases=True):
            refuse("this release has %s %s; the tree requires %s" % (req.name, have, req))


def install():
    if not os.path.isdir(os.path.join(SRC, "glance")):
        refuse("the tree has no glance/ package: not a Glance source tree")
    shutil.rmtree(os.path.join(SITE, "glance"))
    shutil.copytree(os.path.join(SRC, "glance"), os.path.join(SITE, "glance"))
    (info,) = [d for d in os.listdir(SITE) if d.startswith("glance-") and d.endswith((".egg-info", ".dist-info"))]
    info = os.path.join(SITE, info)
    # The tree's entry points (stevedore finds import flows, stores' plugins... through them).
    cfg = configparser.ConfigParser(interpolation=None)
    cfg.read(os.path.join(SRC, "setup.cfg"))
    if cfg.has_section("entry_points"):
        with open(os.path.join(info, "entry_points.txt"), "w") as out:
            for group, value in cfg.items("entry_points"):
                out.write("[%s]\n" % group)
                for entry in value.strip().splitlines():
                    if entry.strip():
                        out.write(entry.strip() + "\n")
                out.write("\n")
    # The package's version metadata stays: git describe is no PEP 440 version, and the
    # reports name the tree from the image's labels.


def check_imports():
    for module in ("glance.api.v2.router", "glance.cmd.manage", "glance.async_.flows.api_image_import"):
        try:
            __import__(module)
        except Exception as e:
            last = traceback.format_exception_only(type(e), e)[-1].strip()
            refuse("importing %s fails with this release's libraries: %s" % (module, last))


def check_migrations():
    with open("/tmp/migrate.conf", "w") as f:
        f.write("[database]\nconnection = sqlite:////tmp/migrate.db\n")
    p = subprocess.run(["glance-manage", "--config-file", "/tmp/migrate.conf", "db_sync"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        lines = [l for l in (p.stderr + p.stdout).splitlines() if l.strip()]
        refuse("glance-manage db_sync fails with this release's libraries: %s" % (lines[-1] if lines else p.returncode))
    os.remove("/tmp/migrate.db")
    os.remove("/tmp/migrate.conf")


check_requirements()
install()
check_imports()
check_migrations()
shutil.rmtree(SRC)
print("INSTALLED", flush=True)
