# Podman settings for Sluice's container image, in one place. Sourced by scripts/image
# (and through it by the container test); not run on its own.
#
#   source scripts/lib/podman.sh
#   sluice_podman images              # podman with this machine's settings
#
# Why these settings (see ../shared/notes/containers.md, checked on the development VM):
# - default_ulimits = []: the VM refuses the default rlimits
#   (`crun: setrlimit RLIMIT_NOFILE: Operation not permitted`);
# - runc with the cgroupfs manager: crun says `cgroups in hybrid mode not supported`;
# - --network host (on build and run): lets `apt-get install` reach Debian's mirror
#   during the build, and a container reach the local stack on 127.0.0.1.
#
# Overridable from the environment:
#   SLUICE_IMAGE        the image to build and run (default localhost/sluice:<version in the source>)
#   SLUICE_IMAGE_BASE   the base image (default localhost/debian:bookworm, made by scripts/image)

SLUICE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
SLUICE_PODMAN_STATE="$SLUICE_ROOT/.sluice/podman"
SLUICE_PODMAN_CONF="$SLUICE_PODMAN_STATE/containers.conf"

# The version Sluice stamps into its events, so the tag says which code is inside.
sluice_version() {
    sed -n 's/.*static let current = "\(.*\)".*/\1/p' "$SLUICE_ROOT/Sources/Pipeline/Extract/ChangeEvent.swift" | head -n 1
}

SLUICE_IMAGE="${SLUICE_IMAGE:-localhost/sluice:$(sluice_version || true)}"
SLUICE_IMAGE="${SLUICE_IMAGE%:}"   # no version found: no tag, podman says :latest
SLUICE_IMAGE_BASE="${SLUICE_IMAGE_BASE:-localhost/debian:bookworm}"

# Writes the containers.conf these settings need (once; it holds no secret).
sluice_podman_conf() {
    mkdir -p "$SLUICE_PODMAN_STATE"
    if [ ! -s "$SLUICE_PODMAN_CONF" ]; then
        printf '%s\n' '# Written by scripts/lib/podman.sh: this VM refuses the default rlimits.' \
            '[containers]' 'default_ulimits = []' >"$SLUICE_PODMAN_CONF"
    fi
}

# podman with the runtime, cgroup manager and configuration above.
sluice_podman() {
    sluice_podman_conf
    CONTAINERS_CONF="$SLUICE_PODMAN_CONF" podman --runtime runc --cgroup-manager=cgroupfs "$@"
}
