#!/usr/bin/env bash
# Install the operating-system packages Zhucun needs, on Debian 12 or Ubuntu 24.04.
# Usage: scripts/install-system.sh run|test|ci
#   run  — what `make run` needs (GDAL/GEOS, SpatiaLite, a CJK font, gettext, python3-venv)
#   test — adds Chromium (browser tests) and poppler-utils
#   ci   — adds PostgreSQL + PostGIS and Redis
# Installs only what is missing; uses sudo when not root.
set -euo pipefail
profile=${1:-run}

packages=(gdal-bin libsqlite3-mod-spatialite python3-venv python3-dev build-essential gettext fonts-noto-cjk
  # pyproj, pyogrio and shapely are compiled against these, so one copy of each library is loaded.
  libgdal-dev libproj-dev proj-bin libgeos-dev)
if [[ $profile == test || $profile == ci ]]; then
  packages+=(chromium poppler-utils)
fi
if [[ $profile == ci ]]; then
  packages+=(postgresql postgresql-postgis redis-server)
fi

missing=()
for package in "${packages[@]}"; do
  # postgresql-postgis is virtual: satisfied by any postgresql-NN-postgis-3.
  if [[ $package == postgresql-postgis ]]; then
    dpkg-query -W -f='${Status}\n' 'postgresql-*-postgis-3' 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
    continue
  fi
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

sudo=""
if [[ $(id -u) != 0 ]]; then
  command -v sudo >/dev/null || { echo "需要 root 或 sudo 来安装: ${missing[*]} / need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  sudo="sudo"
fi
echo "安装系统软件包 / installing system packages: ${missing[*]}"
$sudo apt-get update -qq
# On Ubuntu the PostGIS package name carries the PostgreSQL major version.
resolved=()
for package in "${missing[@]}"; do
  if [[ $package == postgresql-postgis ]]; then
    major=$(apt-cache depends postgresql 2>/dev/null | sed -n 's/.*Depends: postgresql-\([0-9][0-9]*\)$/\1/p' | head -n1)
    resolved+=("postgresql-${major:-15}-postgis-3")
  else
    resolved+=("$package")
  fi
done
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${resolved[@]}"
