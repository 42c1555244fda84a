#!/usr/bin/env bash
# The V4L2 lab: a QEMU VM on a pinned Debian kernel with the kernel's virtual V4L2 drivers
# (vivid, vim2m, vicodec, vimc) loaded, for machines whose own kernel cannot load them.
#
#   lab.sh install-deps        apt-get install what the lab needs on the host (apt-packages.txt)
#   lab.sh prepare             download the kernel, build the missing drivers, make the initramfs (cached)
#   lab.sh run [--] CMD...     boot, load the drivers, run CMD in the current directory, power off;
#                              exits with CMD's status
#   lab.sh shell               boot and open an interactive shell (exit it to power off)
#
# The guest sees the host's root file system read-only (with a tmpfs overlay) and the directory
# $V4L2_LAB_RW (default: the git top level of the current directory) read-write at the same
# path, so builds, reports and output files land on the host. See README.md beside this file.
set -euo pipefail

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# The pinned kernel: Debian bookworm-backports' 6.12 (vivid, udmabuf and the system DMA heap are
# built in or as modules; vim2m, vicodec, vimc and v4l2-mem2mem are built here from its source).
KVER=6.12.95+deb12-amd64
KPKGVER=6.12.95-1~bpo12+1
KABI=${KVER%-amd64}
SUITE=bookworm-backports
MIRROR=http://deb.debian.org/debian
CACHE=${V4L2_LAB_CACHE:-$HOME/.cache/v4l2-ffm-lab}/$KVER
LAB_FORMAT=3   # bump when what prepare builds changes
VIVID_PARAMS="n_devs=2 node_types=0x1,0x1 multiplanar=1,2"

say() { printf 'lab: %s\n' "$*" >&2; }
die() { printf 'lab: error: %s\n' "$*" >&2; exit 1; }

install_deps() {
  local pkgs
  pkgs=$(grep -v '^#' "$LAB_DIR/apt-packages.txt" | xargs)
  local missing=()
  for p in $pkgs; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  if ((${#missing[@]})); then
    say "installing ${missing[*]}"
    if [[ $(id -u) -ne 0 ]]; then SUDO=sudo; else SUDO=; fi
    $SUDO apt-get update -q >/dev/null || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null \
      || die "apt-get install ${missing[*]} failed"
  fi
}

check_tools() {
  local t
  for t in qemu-system-x86_64 busybox modprobe depmod xz cpio gzip make gcc; do
    command -v "$t" >/dev/null || die "$t is missing: run '$0 install-deps' (packages in $LAB_DIR/apt-packages.txt)"
  done
}

apt_private() {
  local dir=$CACHE/apt
  mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
  echo "deb $MIRROR $SUITE main" > "$dir/sources.list"
  APT=(-o Dir::Etc::SourceList="$dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
       -o Dir::State::Lists="$dir/lists" -o Dir::Cache="$dir/cache" -o APT::Sandbox::User=root)
  if [[ -z $(ls "$dir/lists" 2>/dev/null | grep Packages) ]]; then
    apt-get "${APT[@]}" update -q >"$dir/update.log" 2>&1 || { tail -5 "$dir/update.log" >&2; die "kernel package download failed: apt-get update for $SUITE"; }
  fi
}

download() {
  mkdir -p "$CACHE/debs"
  local want=("linux-image-$KVER-unsigned" "linux-headers-$KVER" "linux-headers-$KABI-common" "linux-kbuild-$KABI" "linux-source-6.12")
  local need=() p
  for p in "${want[@]}"; do
    compgen -G "$CACHE/debs/${p}_*.deb" >/dev/null || need+=("$p=$KPKGVER")
  done
  ((${#need[@]})) || return 0
  apt_private
  say "downloading ${need[*]}"
  (cd "$CACHE/debs" && apt-get "${APT[@]}" download -q "${need[@]}" >"$CACHE/download.log" 2>&1) \
    || { tail -5 "$CACHE/download.log" >&2; die "kernel package download failed (is $KPKGVER still in $SUITE?)"; }
}

build_modules() {
  local hdr=$CACHE/headers src=$CACHE/src build=$CACHE/build
  rm -rf "$hdr" "$src" "$build"
  mkdir -p "$hdr" "$src" "$build"
  say "unpacking headers and the driver sources"
  local d
  for d in "$CACHE"/debs/linux-headers-*.deb "$CACHE"/debs/linux-kbuild-*.deb; do dpkg -x "$d" "$hdr"; done
  # the headers' Makefiles name /usr/src/... absolutely: point them at the unpacked copy
  grep -rl "/usr/src/linux-headers-" "$hdr/usr/src" --include=Makefile | xargs -r sed -i "s|/usr/src/linux-headers-|$hdr/usr/src/linux-headers-|g"
  # the kbuild package's scripts are reached through a symlink to /usr/lib/linux-kbuild-*
  find "$hdr/usr/src" -maxdepth 2 -type l -lname '*/usr/lib/linux-kbuild-*' | while read -r l; do
    ln -sfn "$hdr$(readlink "$l" | sed 's|^\(\.\./\)*|/|; s|^/*|/|')" "$l"
  done
  dpkg-deb --fsys-tarfile "$CACHE"/debs/linux-source-6.12_*.deb | tar -x -C "$src" ./usr/src/linux-source-6.12.tar.xz
  tar -xJf "$src/usr/src/linux-source-6.12.tar.xz" -C "$src" \
    linux-source-6.12/drivers/media/test-drivers/vim2m.c \
    linux-source-6.12/drivers/media/test-drivers/vicodec \
    linux-source-6.12/drivers/media/test-drivers/vimc \
    linux-source-6.12/drivers/media/v4l2-core/v4l2-mem2mem.c
  rm -f "$src/usr/src/linux-source-6.12.tar.xz"
  local s=$src/linux-source-6.12/drivers/media
  cp "$s/v4l2-core/v4l2-mem2mem.c" "$s/test-drivers/vim2m.c" "$build/"
  cp -r "$s/test-drivers/vicodec" "$s/test-drivers/vimc" "$build/"
  cat > "$build/Kbuild" <<'EOF'
obj-m += v4l2-mem2mem.o vim2m.o
obj-m += vicodec/ vimc/
EOF
  say "building v4l2-mem2mem, vim2m, vicodec, vimc for $KVER"
  if ! make -C "$hdr/usr/src/linux-headers-$KVER" M="$build" -j"$(nproc)" \
      CONFIG_V4L2_MEM2MEM_DEV=m CONFIG_VIDEO_VIM2M=m CONFIG_VIDEO_VICODEC=m CONFIG_VIDEO_VIMC=m \
      CONFIG_DEBUG_INFO_BTF_MODULES= modules >"$CACHE/build.log" 2>&1; then
    tail -30 "$CACHE/build.log" >&2
    die "module build failed (full log: $CACHE/build.log)"
  fi
}

install_tree() {
  local root=$CACHE/root
  rm -rf "$root"; mkdir -p "$root"
  dpkg -x "$CACHE"/debs/linux-image-*.deb "$root"
  local mods=$root/lib/modules/$KVER
  mkdir -p "$mods/extra"
  find "$CACHE/build" -name '*.ko' -exec cp {} "$mods/extra/" \;
  depmod -b "$root" "$KVER"
  local m
  for m in v4l2-mem2mem vim2m vicodec vimc; do
    [[ -f $mods/extra/$m.ko ]] || die "module build failed: $m.ko is missing (see $CACHE/build.log)"
  done
}

make_initramfs() {
  local ir=$CACHE/initramfs mods=$CACHE/root/lib/modules/$KVER
  rm -rf "$ir"; mkdir -p "$ir"/{bin,dev,proc,sys,mods,lower,rw,newroot}
  cp "$(command -v busybox)" "$ir/bin/busybox"
  file -L "$ir/bin/busybox" 2>/dev/null | grep -q 'statically linked' || [[ ! -x /usr/bin/file ]] \
    || die "busybox is not static: install busybox-static"
  local m f
  for m in netfs 9pnet 9pnet_virtio 9p overlay; do
    f=$(find "$mods/kernel" -name "$m.ko.xz" | head -1)
    [[ -n $f ]] || die "module $m not found in the kernel package"
    xz -dc "$f" > "$ir/mods/$m.ko"
  done
  cp "$LAB_DIR/initramfs-init.sh" "$ir/init"
  chmod +x "$ir/init"
  (cd "$ir" && find . | cpio -o -H newc --quiet | gzip -1) > "$CACHE/initrd.img"
}

prepare() {
  if [[ -f $CACHE/ready && $(cat "$CACHE/ready") == "$LAB_FORMAT $(cksum < "$LAB_DIR/initramfs-init.sh")" ]]; then
    return 0
  fi
  check_tools
  local t0=$SECONDS
  download
  build_modules
  install_tree
  make_initramfs
  rm -rf "$CACHE/src" "$CACHE/headers/usr/src/linux-headers-$KABI-common/Documentation"
  echo "$LAB_FORMAT $(cksum < "$LAB_DIR/initramfs-init.sh")" > "$CACHE/ready"
  say "prepared $KVER in $((SECONDS - t0)) s (cache: $CACHE)"
}

accel() {
  case ${V4L2_LAB_ACCEL:-auto} in
    kvm) echo kvm ;;
    tcg) echo tcg ;;
    auto)
      # KVM where it boots a kernel; where it does not (some nested hosts hang in early boot),
      # TCG. The probe boots the lab kernel to its first console line, once per host and cache.
      local probe=$CACHE/kvm-probe
      if [[ ! -f $probe ]]; then
        if [[ -w /dev/kvm ]] && timeout 20 qemu-system-x86_64 -accel kvm -cpu host -m 256 -nographic -no-reboot \
            -kernel "$CACHE/root/boot/vmlinuz-$KVER" -append "console=ttyS0 panic=-1 init=/nonexistent" 2>/dev/null \
            | grep -q -m1 'Linux version'; then
          echo kvm > "$probe"
        else
          echo tcg > "$probe"
        fi
      fi
      cat "$probe" ;;
    *) die "V4L2_LAB_ACCEL is kvm, tcg or auto" ;;
  esac
}

boot() { # boot MODE: MODE is run or shell; the job directory is set up by the caller
  local job=$1 mode=$2
  prepare
  local acc cpu
  acc=$(accel)
  if [[ $acc == kvm ]]; then cpu=host; else cpu=qemu64; fi   # TCG: qemu64 (the JVM crashes under -cpu max)
  local smp=${V4L2_LAB_SMP:-2} mem=${V4L2_LAB_MEM:-4G}
  say "booting Linux $KVER with $acc (cpu $cpu, $smp vCPUs, $mem)"
  local log=$job/console.log
  local qemu=(qemu-system-x86_64 -accel "$acc" -cpu "$cpu" -smp "$smp" -m "$mem" -no-reboot -nodefaults
    -kernel "$CACHE/root/boot/vmlinuz-$KVER" -initrd "$CACHE/initrd.img"
    -append "console=ttyS0 quiet loglevel=3 panic=-1 oops=panic rw labinit=$LAB_DIR/guest-init.sh"
    -virtfs "local,path=/,mount_tag=hostroot,security_model=none,readonly=on,multidevs=remap"
    -virtfs "local,path=$job,mount_tag=labjob,security_model=none,multidevs=remap"
    -virtfs "local,path=$RW,mount_tag=labrw,security_model=none,multidevs=remap"
    -virtfs "local,path=$CACHE/root/lib/modules/$KVER,mount_tag=labmods,security_model=none,readonly=on,multidevs=remap"
    -device virtio-rng-pci)
  local timeout=${V4L2_LAB_TIMEOUT:-1800} rc=0
  if [[ $mode == shell ]]; then
    "${qemu[@]}" -nographic -serial mon:stdio || rc=$?
  else
    set +e
    timeout --foreground -k 10 "$timeout" "${qemu[@]}" -display none -serial stdio </dev/null \
      | tee "$log" | sed -u 's/\r$//' | grep --line-buffered -v -e '^\[ *[0-9.]*\] '
    rc=${PIPESTATUS[0]}
    set -e
  fi
  if [[ -f $job/status ]]; then
    return "$(cat "$job/status")"
  fi
  local why="the guest stopped before the command finished"
  [[ $rc -eq 124 ]] && why="timed out after $timeout s (V4L2_LAB_TIMEOUT)"
  grep -qE 'Kernel panic|Oops|BUG:' "$log" 2>/dev/null && why="the guest kernel crashed"
  say "error: $why; last lines of the guest console ($log):"
  tail -40 "$log" | tr -d '\r' >&2
  return 125
}

new_job() {
  RW=${V4L2_LAB_RW:-$(git -C "$PWD" rev-parse --show-toplevel 2>/dev/null || pwd)}
  RW=$(cd "$RW" && pwd)
  JOB=$(mktemp -d "${TMPDIR:-/tmp}/v4l2-lab.XXXXXX")
  {
    printf 'LAB_KVER=%q\n' "$KVER"
    printf 'LAB_RW=%q\n' "$RW"
    printf 'LAB_CWD=%q\n' "$PWD"
    printf 'LAB_VIVID=%q\n' "$VIVID_PARAMS"
    printf 'export PATH=%q HOME=%q LANG=C.UTF-8\n' "$PATH" "$HOME"
    [[ -n ${JAVA_HOME:-} ]] && printf 'export JAVA_HOME=%q\n' "$JAVA_HOME"
    local v
    for v in $(compgen -e | grep -E '^(V4L2_|MAVEN_|CI$)' || true); do printf 'export %s=%q\n' "$v" "${!v}"; done
  } > "$JOB/env"
}

case ${1:-} in
  install-deps) install_deps ;;
  prepare) check_tools; prepare ;;
  run)
    shift; [[ ${1:-} == -- ]] && shift
    (($#)) || die "usage: lab.sh run [--] CMD [ARGS...]"
    check_tools
    new_job
    { printf 'exec'; printf ' %q' "$@"; printf '\n'; } > "$JOB/cmd"
    rc=0; boot "$JOB" run || rc=$?
    [[ ${V4L2_LAB_KEEP:-0} == 1 ]] && say "job directory kept: $JOB" || rm -rf "$JOB"
    exit "$rc" ;;
  shell)
    check_tools
    new_job
    echo 'exec /bin/bash -i' > "$JOB/cmd"
    rc=0; boot "$JOB" shell || rc=$?
    rm -rf "$JOB"
    exit "$rc" ;;
  *) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
