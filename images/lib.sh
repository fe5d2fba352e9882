# Shared by images/*/build: copy a dynamically linked program with the shared libraries and the
# loader it needs into a root filesystem directory, at the same paths, so it runs FROM scratch.
# shellcheck shell=bash

# copy_with_libs ROOTFS PROGRAM...: PROGRAM and every library `ldd` lists for it
copy_with_libs() {
  local rootfs=$1 prog lib
  shift
  for prog in "$@"; do
    install -D -m 0755 "$prog" "$rootfs$prog"
    # ldd prints "name => /path (addr)" for libraries and "/path (addr)" for the loader
    for lib in $(ldd "$prog" | grep -o '/[^ ]*'); do
      [ -e "$rootfs$lib" ] || install -D -m 0755 "$(readlink -f "$lib")" "$rootfs$lib"
    done
  done
}

# current_label IMAGE: the goship inputs digest the image was built from (empty when absent)
current_label() {
  docker image inspect -f '{{index .Config.Labels "goship.image.inputs"}}' "$1" 2>/dev/null || true
}
