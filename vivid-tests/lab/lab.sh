#!/usr/bin/env bash
# The V4L2 lab: a QEMU VM on a pinned Debian kernel with the kernel's virtual V4L2 drivers
# (vivid, vim2m, vicodec, vimc) loaded, for machines whose own kernel cannot load them.
#
#   lab.sh install-deps        apt-get install what the lab needs on the host (apt-packages.txt)
#   lab.sh prepare             download the kernel, build the missing drivers, make the initramfs (cached)
#   lab.sh run [--] CMD...     boot, load the drivers, run CMD in the current directory, power off;
#                              exits with CMD's status
#   lab.sh shell               boot and open an interactive shell (exit it to power off)
#   lab.sh info                print the kernel, the cache and the accelerator the lab would use
#
# The guest sees the host's root file system read-only (with a tmpfs overlay) and the directory
# $V4L2_LAB_RW (default: the git top level of the current directory) read-write at the same
# path, so builds, reports and output files land on the host. V4L2_LAB_KERNEL=6.12 (the default)
# or 6.1 picks the kernel. See README.md beside this file.
set -euo pipefail

# The pinned kernels (V4L2_LAB_KERNEL picks one; default 6.12), each with its own cache directory.
# 6.12: Debian bookworm-backports. Built in or as modules there: vivid, udmabuf, the system DMA
#   heap, virtio, 9p, overlay. Backports keeps only its newest kernel.
# 6.1: Debian bookworm's own kernel, whose updates come through bookworm-security: its ABI name
#   (6.1.0-NN) changes with every update and the suite keeps only the newest linux-kbuild-6.1.
#   vivid is a module there; udmabuf and the DMA heaps are not built (LACKS: the device tests
#   report the tests that need them as not applicable on this kernel, and only on it).
# Not built in either: vim2m, vicodec, vimc and v4l2-mem2mem, which prepare builds from the same
# version's linux-source. When a pin is gone, prepare names the suite's current kernel.
KERNEL=${V4L2_LAB_KERNEL:-6.12}
case $KERNEL in
  6.12) PIN_KVER=6.12.95+deb12-amd64 PIN_KPKGVER=6.12.95-1~bpo12+1
        SUITE=bookworm-backports MIRROR=http://deb.debian.org/debian LACKS= ;;
  6.1)  PIN_KVER=6.1.0-57-amd64 PIN_KPKGVER=6.1.192-3
        SUITE=bookworm-security MIRROR=http://security.debian.org/debian-security LACKS="udmabuf dma_heap" ;;
  *) printf 'lab: error: V4L2_LAB_KERNEL must be 6.12 or 6.1, not %s\n' "$KERNEL" >&2; exit 2 ;;
esac
KVER=${V4L2_LAB_KVER:-$PIN_KVER}          # uname -r of the guest
KPKGVER=${V4L2_LAB_KPKGVER:-$PIN_KPKGVER} # the Debian package version

LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KABI=${KVER%-amd64}
KSRC=linux-source-$(cut -d. -f1,2 <<<"$KVER")   # linux-source-6.12, linux-source-6.1
# 6.12's kbuild package is per ABI (linux-kbuild-6.12.95+deb12), 6.1's per series (linux-kbuild-6.1)
if [[ $KERNEL == 6.1 ]]; then KBUILD=linux-kbuild-6.1; else KBUILD=linux-kbuild-$KABI; fi
CACHE_ROOT=${V4L2_LAB_CACHE:-$HOME/.cache/v4l2-ffm-lab}
CACHE=$CACHE_ROOT/$KVER
MODULES_KEY="2 $KPKGVER"   # bump the number when what the module stage builds changes
VIVID_PARAMS=${V4L2_LAB_VIVID:-n_devs=4 node_types=0x101,0x101,0x1,0x1 multiplanar=1,2,1,1}

say() { printf 'lab: %s\n' "$*" >&2; }
die() { printf 'lab: error: %s\n' "$*" >&2; exit 1; }

# ---------------------------------------------------------------------------------------------
# host packages

install_deps() {
  local pkgs p missing=() sudo=()
  pkgs=$(sed 's/#.*//' "$LAB_DIR/apt-packages.txt" | xargs)
  for p in $pkgs; do
    [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) == "install ok installed" ]] || missing+=("$p")
  done
  if ((${#missing[@]} == 0)); then say "host packages: all installed"; return 0; fi
  [[ $(id -u) -eq 0 ]] || sudo=(sudo)
  say "installing ${missing[*]}"
  "${sudo[@]}" apt-get update -q >/dev/null || die "apt-get update failed"
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install ${missing[*]} failed"
}

check_tools() { # check_tools TOOL...
  local t
  for t in "$@"; do
    command -v "$t" >/dev/null \
      || die "$t is missing: install the lab's host packages with '$LAB_DIR/lab.sh install-deps' (list: $LAB_DIR/apt-packages.txt)"
  done
}
PREPARE_TOOLS=(apt-get dpkg dpkg-deb busybox depmod modprobe xz cpio gzip make gcc flock)
BOOT_TOOLS=(qemu-system-x86_64 timeout flock)

# ---------------------------------------------------------------------------------------------
# prepare: everything lands in $CACHE, one stage at a time, each with its stamp

stamp_ok() { [[ -f $CACHE/stamp.$1 && $(cat "$CACHE/stamp.$1") == "$2" ]]; }
stamp_set() { echo "$2" > "$CACHE/stamp.$1"; }
initramfs_key() { echo "2 $(cksum < "$LAB_DIR/initramfs-init.sh")"; }
prepared() {
  stamp_ok modules "$MODULES_KEY" && stamp_ok initramfs "$(initramfs_key)" \
    && [[ -f $CACHE/root/boot/vmlinuz-$KVER && -f $CACHE/initrd.img ]]
}

apt_private() { # a private apt configuration that knows only $SUITE: nothing on the host changes
  local dir=$CACHE/apt
  mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
  echo "deb $MIRROR $SUITE main" > "$dir/sources.list"
  APT=(-o Dir::Etc::SourceList="$dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
       -o Dir::State::Lists="$dir/lists" -o Dir::State::Status=/dev/null -o Dir::Cache="$dir/cache"
       -o Debug::NoLocking=1 -o APT::Sandbox::User="$(id -un)")
  if [[ ${1:-} == refresh ]] || ! compgen -G "$dir/lists/*Packages*" >/dev/null; then
    apt-get "${APT[@]}" update -q >"$dir/update.log" 2>&1 \
      || { tail -5 "$dir/update.log" >&2; die "kernel package download failed: apt-get update for $SUITE failed (log: $dir/update.log)"; }
  fi
}

pkg_has_version() { # pkg_has_version PKG VERSION
  apt-cache "${APT[@]}" madison "$1" 2>/dev/null | awk -F'|' '{gsub(/ /,"",$2); print $2}' | grep -qxF "$2"
}

download() {
  mkdir -p "$CACHE/debs"
  # the kernel image: Debian ships it signed (linux-image-VER) and unsigned (-unsigned); take the
  # first of the two that exists in the pinned version
  local image=() p
  for p in "linux-image-$KVER" "linux-image-$KVER-unsigned"; do
    if compgen -G "$CACHE/debs/${p}_${KPKGVER//\~/?}_*.deb" >/dev/null; then image=("$p"); break; fi
  done
  local want=("linux-headers-$KVER" "linux-headers-$KABI-common" "$KBUILD" "$KSRC") need=()
  for p in "${want[@]}"; do
    compgen -G "$CACHE/debs/${p}_${KPKGVER//\~/?}_*.deb" >/dev/null || need+=("$p")
  done
  ((${#image[@]} == 0 || ${#need[@]})) || return 0
  apt_private
  local tried missing=()
  for tried in 1 2; do   # the second time with fresh lists: they may be older than the pin
    if ((${#image[@]} == 0)); then
      for p in "linux-image-$KVER" "linux-image-$KVER-unsigned"; do
        if pkg_has_version "$p" "$KPKGVER"; then image=("$p"); need+=("$p"); break; fi
      done
    fi
    missing=()
    ((${#image[@]})) || missing+=("linux-image-$KVER")
    for p in "${need[@]}"; do pkg_has_version "$p" "$KPKGVER" || missing+=("$p"); done
    ((${#missing[@]} == 0 || tried == 2)) && break
    apt_private refresh
  done
  if ((${#missing[@]})); then
    local avail re
    if [[ $KERNEL == 6.1 ]]; then re='^linux-headers-6\.1\.0-[0-9]+-amd64$'
    else re="^linux-headers-$(cut -d. -f1,2 <<<"$KVER")\.[0-9]+\+deb[0-9]+-amd64\$"; fi
    avail=$(apt-cache "${APT[@]}" search --names-only "$re" 2>/dev/null | awk '{print $1}' | sort -V | tail -1)
    [[ -n $avail ]] && avail="${avail#linux-headers-} $(apt-cache "${APT[@]}" madison "$avail" | awk -F'|' 'NR==1{gsub(/ /,"",$2); print $2}')"
    die "kernel package download failed: $SUITE has no ${missing[*]} in version $KPKGVER${avail:+ (it has kernel $avail)}; update the $KERNEL pin (PIN_KVER and PIN_KPKGVER) at the top of lab.sh, or set V4L2_LAB_KVER and V4L2_LAB_KPKGVER"
  fi
  say "downloading ${need[*]} ($KPKGVER)"
  local args=() log=$CACHE/download.log
  for p in "${need[@]}"; do args+=("$p=$KPKGVER"); done
  (cd "$CACHE/debs" && apt-get "${APT[@]}" download -q "${args[@]}") >"$log" 2>&1 \
    || { tail -5 "$log" >&2; die "kernel package download failed: apt-get download ${args[*]} (log: $log)"; }
}

# v4l2loopback (a virtual camera: what an application writes to its output side, others capture),
# built for $KVER from bookworm-backports' v4l2loopback-dkms source package whatever suite the kernel
# comes from (bookworm's 0.12.7 does not build for 6.12: strlcpy). Pinned: fails clearly when the
# version is gone. Puts v4l2loopback.ko into the module tree's extra/ (before build_modules' depmod).
V4L2LOOPBACK_VER=${V4L2_LAB_V4L2LOOPBACK:-0.13.2-1~bpo12+1}
MODULES_KEY+=" v4l2loopback $V4L2LOOPBACK_VER"
build_v4l2loopback() { # build_v4l2loopback HEADERS_DIR MODULES_DIR
  local hdr=$1 mods=$2 dir=$CACHE/v4l2loopback upstream=${V4L2LOOPBACK_VER%%-*}
  local deb pkgdir=$CACHE/debs apt=$CACHE/apt-v4l2loopback log=$CACHE/v4l2loopback.log
  mkdir -p "$pkgdir"
  deb=$(compgen -G "$pkgdir/v4l2loopback-dkms_${V4L2LOOPBACK_VER//\~/?}_all.deb" | head -1 || true)
  if [[ -z $deb ]]; then
    say "downloading v4l2loopback-dkms $V4L2LOOPBACK_VER (bookworm-backports)"
    mkdir -p "$apt/lists/partial" "$apt/cache/archives/partial"
    echo "deb http://deb.debian.org/debian bookworm-backports main" > "$apt/sources.list"   # whatever the kernel's own mirror
    local o=(-o Dir::Etc::SourceList="$apt/sources.list" -o Dir::Etc::SourceParts=/dev/null
             -o Dir::State::Lists="$apt/lists" -o Dir::State::Status=/dev/null -o Dir::Cache="$apt/cache"
             -o Debug::NoLocking=1 -o APT::Sandbox::User="$(id -un)")
    apt-get "${o[@]}" update -q >"$log" 2>&1 \
      || { tail -5 "$log" >&2; die "v4l2loopback download failed: apt-get update for bookworm-backports failed (log: $log)"; }
    if ! apt-cache "${o[@]}" madison v4l2loopback-dkms 2>/dev/null | awk -F'|' '{gsub(/ /,"",$2); print $2}' | grep -qxF "$V4L2LOOPBACK_VER"; then
      die "v4l2loopback download failed: bookworm-backports has no v4l2loopback-dkms $V4L2LOOPBACK_VER (it has: $(apt-cache "${o[@]}" madison v4l2loopback-dkms 2>/dev/null | awk -F'|' '{gsub(/ /,"",$2); printf "%s ", $2}')); update V4L2LOOPBACK_VER in lab.sh or set V4L2_LAB_V4L2LOOPBACK"
    fi
    (cd "$pkgdir" && apt-get "${o[@]}" download -q "v4l2loopback-dkms=$V4L2LOOPBACK_VER") >>"$log" 2>&1 \
      || { tail -5 "$log" >&2; die "v4l2loopback download failed: apt-get download v4l2loopback-dkms=$V4L2LOOPBACK_VER (log: $log)"; }
    deb=$(compgen -G "$pkgdir/v4l2loopback-dkms_${V4L2LOOPBACK_VER//\~/?}_all.deb" | head -1) \
      || die "v4l2loopback download failed: no .deb in $pkgdir after apt-get download"
  fi
  rm -rf "$dir"; mkdir -p "$dir"
  dpkg -x "$deb" "$dir" || die "cannot unpack $deb"
  local src=$dir/usr/src/v4l2loopback-$upstream
  [[ -f $src/v4l2loopback.c ]] || die "$deb has no usr/src/v4l2loopback-$upstream/v4l2loopback.c"
  say "building v4l2loopback $upstream for $KVER"
  if ! make -C "$hdr" M="$src" -j"$(nproc)" CONFIG_DEBUG_INFO_BTF_MODULES= modules >"$log" 2>&1; then
    tail -30 "$log" >&2
    die "v4l2loopback build failed for $KVER (full log: $log)"
  fi
  mkdir -p "$mods/extra"
  cp "$src/v4l2loopback.ko" "$mods/extra/" || die "v4l2loopback build failed: no v4l2loopback.ko (log: $log)"
  rm -rf "$dir"
}

build_modules() {
  local hdr=$CACHE/headers src=$CACHE/src build=$CACHE/build d
  rm -rf "$hdr" "$src" "$build" "$CACHE/root"
  mkdir -p "$hdr" "$src" "$build"
  say "unpacking the kernel, its headers and the test drivers' sources"
  for d in "$CACHE"/debs/linux-headers-*.deb "$CACHE"/debs/linux-kbuild-*.deb; do dpkg -x "$d" "$hdr"; done
  # the headers' Makefile includes /usr/src/linux-headers-...-common absolutely: point it (and
  # any absolute symlink) at the unpacked copy
  grep -rl --include=Makefile "/usr/src/linux-headers-" "$hdr/usr/src" \
    | xargs -r sed -i "s|\([ :]\)/usr/src/linux-headers-|\1$hdr/usr/src/linux-headers-|g"
  find "$hdr/usr/src" -maxdepth 2 -type l | while read -r l; do
    local t; t=$(readlink "$l")
    if [[ $t == /* ]]; then ln -sfn "$hdr$t" "$l"; fi
  done
  local base=${KSRC}
  dpkg-deb --fsys-tarfile "$CACHE/debs/${KSRC}_"*.deb | tar -x -C "$src" "./usr/src/$base.tar.xz" \
    || die "$KSRC's package has no usr/src/$base.tar.xz"
  tar -xJf "$src/usr/src/$base.tar.xz" -C "$src" \
    "$base/drivers/media/test-drivers/vim2m.c" \
    "$base/drivers/media/test-drivers/vicodec" \
    "$base/drivers/media/test-drivers/vimc" \
    "$base/drivers/media/v4l2-core/v4l2-mem2mem.c" || die "cannot extract the drivers from $base.tar.xz"
  local s=$src/$base/drivers/media
  cp "$s/v4l2-core/v4l2-mem2mem.c" "$s/test-drivers/vim2m.c" "$build/"
  cp -r "$s/test-drivers/vicodec" "$s/test-drivers/vimc" "$build/"
  printf 'obj-m += v4l2-mem2mem.o vim2m.o\nobj-m += vicodec/ vimc/\n' > "$build/Kbuild"
  say "building v4l2-mem2mem, vim2m, vicodec and vimc for $KVER"
  local log=$CACHE/build.log
  if ! make -C "$hdr/usr/src/linux-headers-$KVER" M="$build" -j"$(nproc)" \
      CONFIG_V4L2_MEM2MEM_DEV=m CONFIG_VIDEO_VIM2M=m CONFIG_VIDEO_VICODEC=m CONFIG_VIDEO_VIMC=m \
      CONFIG_DEBUG_INFO_BTF_MODULES= modules >"$log" 2>&1; then
    tail -30 "$log" >&2
    die "module build failed (full log: $log)"
  fi

  # the kernel's module tree, with the built drivers under extra/
  local root=$CACHE/root
  mkdir -p "$root"
  dpkg -x "$CACHE"/debs/linux-image-*.deb "$root"
  [[ -f $root/boot/vmlinuz-$KVER ]] || die "the kernel package has no boot/vmlinuz-$KVER"
  local mods=$root/lib/modules/$KVER m
  mkdir -p "$mods/extra"
  find "$build" -name '*.ko' -exec cp {} "$mods/extra/" \;
  for m in v4l2-mem2mem vim2m vicodec vimc; do
    [[ -f $mods/extra/$m.ko ]] || { tail -30 "$log" >&2; die "module build failed: $m.ko is missing (log: $log)"; }
  done
  build_v4l2loopback "$hdr/usr/src/linux-headers-$KVER" "$mods"
  depmod -b "$root" "$KVER" || die "depmod failed on $mods"
  # what is left is only needed to build again: keep the headers, drop the sources
  rm -rf "$src" "$hdr/usr/src/linux-headers-$KABI-common/Documentation" "$CACHE"/debs/"$KSRC"_*.deb
}

make_initramfs() {
  local ir=$CACHE/initramfs mods=$CACHE/root/lib/modules/$KVER m f
  rm -rf "$ir"; mkdir -p "$ir"/{bin,dev,proc,sys,mods,lower,rw,newroot}
  local bb; bb=$(command -v busybox)
  if command -v ldd >/dev/null && ldd "$bb" >/dev/null 2>&1; then
    die "$bb is linked dynamically: install busybox-static ('$LAB_DIR/lab.sh install-deps')"
  fi
  cp "$bb" "$ir/bin/busybox"
  # what the initramfs needs that the kernel has as modules, in load order: the dependencies as
  # modprobe resolves them (6.1 has virtio, virtio_pci and fscache as modules, 6.12 has them built in)
  local deps line n=0
  deps=$(modprobe -d "$CACHE/root" -S "$KVER" -a --show-depends virtio_pci 9pnet_virtio 9p overlay 2>&1) \
    || die "modprobe --show-depends failed on $mods: $deps"
  while read -r line; do
    case $line in
      builtin\ *) continue ;;
      insmod\ *) f=${line#insmod }; f=${f%% *} ;;
      *) die "unexpected line from modprobe --show-depends: $line" ;;
    esac
    [[ -f $f ]] || die "modprobe --show-depends named $f, which does not exist"
    m=$(basename "$f"); m=${m%%.ko*}
    grep -qxF "$m" "$ir/mods/order" 2>/dev/null && continue
    case $f in
      *.xz) xz -dc "$f" > "$ir/mods/$m.ko" ;;
      *.zst) zstd -qdc "$f" > "$ir/mods/$m.ko" ;;
      *.gz) gzip -dc "$f" > "$ir/mods/$m.ko" ;;
      *) cp "$f" "$ir/mods/$m.ko" ;;
    esac
    echo "$m" >> "$ir/mods/order"; n=$((n + 1))
  done <<<"$deps"
  say "initramfs: $n modules ($(tr '\n' ' ' < "$ir/mods/order" 2>/dev/null))"
  cp "$LAB_DIR/initramfs-init.sh" "$ir/init"
  chmod +x "$ir/init"
  (cd "$ir" && find . | cpio -o -H newc --quiet | gzip -1) > "$CACHE/initrd.img.new"
  mv "$CACHE/initrd.img.new" "$CACHE/initrd.img"
}

prepare() { # holds the cache's lock exclusively while it builds; returns holding it shared
  mkdir -p "$CACHE"
  exec {LOCK}>"$CACHE/.lock"
  if prepared; then flock -s "$LOCK"; return 0; fi
  # a cache made by the lab's first layout (one "ready" file) has the same module tree
  if [[ ! -f $CACHE/stamp.modules && -f $CACHE/ready && -f $CACHE/root/lib/modules/$KVER/extra/vimc.ko ]] \
      && compgen -G "$CACHE/debs/linux-image-*_${KPKGVER//\~/?}_*.deb" >/dev/null; then
    stamp_set modules "$MODULES_KEY"; rm -f "$CACHE/ready"
  fi
  check_tools "${PREPARE_TOOLS[@]}"
  if ! flock -n -x "$LOCK"; then
    # another run holds the lock: a boot (shared) or a build (exclusive, then shared for its
    # boot). Wait for a shared hold, which comes as soon as no build is under way; if that build
    # prepared this cache, boot beside the other run rather than wait for it to end
    say "waiting for other lab runs or builds using $CACHE"
    flock -s "$LOCK"
    if prepared; then return 0; fi
    flock -x "$LOCK"
  fi
  if ! prepared; then
    local t0=$SECONDS
    say "preparing Linux $KVER in $CACHE (once per kernel version)"
    if ! stamp_ok modules "$MODULES_KEY"; then
      rm -f "$CACHE"/stamp.*
      download
      build_modules
      stamp_set modules "$MODULES_KEY"
    fi
    make_initramfs
    stamp_set initramfs "$(initramfs_key)"
    say "prepared in $((SECONDS - t0)) s"
  fi
  flock -s "$LOCK"   # a boot only reads the cache: other boots may share it
}

# ---------------------------------------------------------------------------------------------
# boot

ACCEL_NOTE=
accel() { # sets ACC and CPU
  case ${V4L2_LAB_ACCEL:-auto} in
    kvm) ACC=kvm ACCEL_NOTE="V4L2_LAB_ACCEL=kvm" ;;
    tcg) ACC=tcg ACCEL_NOTE="V4L2_LAB_ACCEL=tcg" ;;
    auto)
      # KVM where it boots this kernel; TCG where it does not (some nested hosts open /dev/kvm
      # and then hang in early boot). The probe boots the kernel with no root file system up to
      # its "cannot mount root" panic: about a second under KVM. Its result is kept per host.
      local probe=$CACHE/kvm-probe.$(uname -n)
      if [[ ! -f $probe ]]; then
        local got=tcg
        if [[ -r /dev/kvm && -w /dev/kvm ]]; then
          say "probing KVM (once per host)"
          (timeout -k 2 10 qemu-system-x86_64 -accel kvm -cpu "${V4L2_LAB_CPU:-host}" -m 256 -display none \
            -serial stdio -nodefaults -no-reboot -kernel "$CACHE/root/boot/vmlinuz-$KVER" \
            -append "console=ttyS0 panic=-1 loglevel=4" </dev/null >"$probe.log" 2>&1 || :) 2>/dev/null
          grep -q -e 'Unable to mount root' -e 'Kernel panic' "$probe.log" && got=kvm
        fi
        echo "$got" > "$probe"
      fi
      ACC=$(cat "$probe")
      if [[ $ACC == kvm ]]; then ACCEL_NOTE="KVM probe passed"
      elif [[ -e /dev/kvm ]]; then ACCEL_NOTE="KVM did not boot the kernel here; delete $probe to probe again"
      else ACCEL_NOTE="no /dev/kvm"; fi ;;
    *) die "V4L2_LAB_ACCEL must be kvm, tcg or auto" ;;
  esac
  # TCG: qemu64 (Temurin's compiled code crashed under -cpu max); KVM: the host's CPU
  if [[ $ACC == kvm ]]; then CPU=${V4L2_LAB_CPU:-host}; else CPU=${V4L2_LAB_CPU:-qemu64}; fi
}

new_job() { # sets RW and JOB: the job directory the guest reads its command and environment from
  RW=${V4L2_LAB_RW:-$(git -C "$PWD" rev-parse --show-toplevel 2>/dev/null || pwd)}
  RW=$(cd "$RW" && pwd -P) || die "V4L2_LAB_RW: no directory $RW"
  local cwd; cwd=$(pwd -P)
  JOB=$(mktemp -d "${TMPDIR:-/tmp}/v4l2-lab.XXXXXX")
  trap 'rm -rf "$JOB"' EXIT
  {
    printf 'LAB_MODE=%q\n' "$1"
    printf 'LAB_KVER=%q\n' "$KVER"
    printf 'LAB_RW=%q\n' "$RW"
    printf 'LAB_CWD=%q\n' "$cwd"
    printf 'LAB_VIVID=%q\n' "$VIVID_PARAMS"
    printf 'export PATH=%q HOME=%q LANG=%q TERM=%q\n' "$PATH" "$HOME" "${LANG:-C.UTF-8}" "${TERM:-vt100}"
    local v
    for v in $(compgen -e | grep -E '^(JAVA_HOME|JAVA_HOME_[0-9]+|JAVA_TOOL_OPTIONS|MAVEN_OPTS|MAVEN_ARGS|USER|LOGNAME|TZ|CI|V4L2_.*)$' || true); do
      printf 'export %s=%q\n' "$v" "${!v}"
    done
    # which kernel this is, and what it is known to lack (the device tests may report a test
    # that needs one of these as not applicable, on this kernel only)
    printf 'export V4L2_LAB_KERNEL=%q V4L2_LAB_LACKS=%q\n' "$KERNEL" "$LACKS"
  } > "$JOB/env"
}

boot() { # boot MODE: MODE is run or shell; the job directory is set up by new_job
  local mode=$1
  prepare
  check_tools "${BOOT_TOOLS[@]}"
  accel
  # 2 vCPUs where the host has 4 CPUs or more. On smaller hosts a second vCPU thread fights the
  # first for the host's CPUs: the guest then spends its time spinning on locks (measured on a
  # 2-CPU host: javac of the library 2.5 min with 1 vCPU, 7.5 min with 2).
  local smp=${V4L2_LAB_SMP:-$( (( $(nproc) >= 4 )) && echo 2 || echo 1)} mem=${V4L2_LAB_MEM:-4G} timeout=${V4L2_LAB_TIMEOUT:-1800}
  say "Linux $KVER on QEMU: accelerator $ACC ($ACCEL_NOTE), cpu $CPU, $smp vCPUs, $mem"
  local logs=$CACHE/logs
  mkdir -p "$logs"
  ls -1t "$logs"/console-* 2>/dev/null | tail -n +41 | xargs -r rm -f   # keep the last 20 or so
  LOG=$logs/console-$(date +%Y%m%d-%H%M%S)-$$.log
  local tcg=tcg
  [[ $ACC == tcg && $smp -gt 1 ]] && tcg=tcg,thread=multi
  local share=security_model=none,multidevs=remap kmsg="quiet loglevel=3" filter='/^\[ *[0-9]*\.[0-9]*\] /d'
  if [[ ${V4L2_LAB_VERBOSE:-0} == 1 ]]; then kmsg="loglevel=7 printk.time=1"; filter='n'; fi
  local qemu=(qemu-system-x86_64 -name v4l2-lab -accel "$( [[ $ACC == kvm ]] && echo kvm || echo "$tcg")"
    -cpu "$CPU" -smp "$smp" -m "$mem" -no-reboot -nodefaults -display none
    -kernel "$CACHE/root/boot/vmlinuz-$KVER" -initrd "$CACHE/initrd.img"
    -append "console=ttyS0 $kmsg panic=-1 oops=panic rw labinit=$LAB_DIR/guest-init.sh"
    -virtfs "local,path=/,mount_tag=hostroot,$share,readonly=on"
    -virtfs "local,path=$JOB,mount_tag=labjob,$share"
    -virtfs "local,path=$RW,mount_tag=labrw,$share"
    -virtfs "local,path=$CACHE/root/lib/modules/$KVER,mount_tag=labmods,$share,readonly=on"
    -device virtio-rng-pci)
  # V4L2_LAB_ICOUNT=shift=0,sleep=off: TCG's instruction counting (-icount), where the guest's
  # clock advances by 2^shift ns per instruction executed: CPU times read in the guest become
  # instruction counts, whatever the host's speed. It needs TCG on one host thread (QEMU 7.2):
  # refused under KVM, and with more than one vCPU they take turns on it (-accel tcg,thread=single)
  if [[ -n ${V4L2_LAB_ICOUNT:-} ]]; then
    [[ $ACC == kvm ]] && die "V4L2_LAB_ICOUNT needs TCG (V4L2_LAB_ACCEL=tcg), not KVM"
    qemu+=(-icount "$V4L2_LAB_ICOUNT")
    [[ $smp -gt 1 ]] && qemu[4]=tcg,thread=single
  fi
  local rc=0
  if [[ $mode == shell ]]; then
    say "exit the shell to power the VM off (or Ctrl-A x to kill it)"
    "${qemu[@]}" -serial mon:stdio || rc=$?
  else
    # the guest's serial console: kept whole in $LOG, shown live without the kernel's messages
    set +e
    timeout --foreground -k 10 "$timeout" "${qemu[@]}" -serial stdio </dev/null 2>"$LOG.qemu" \
      | tee "$LOG" | sed -u -e 's/\r$//' -e "$filter"
    rc=${PIPESTATUS[0]}
    set -e
    [[ -s $LOG.qemu ]] || rm -f "$LOG.qemu"
  fi
  local crash=
  grep -qE 'Kernel panic|Oops|BUG:|general protection fault|WARNING: CPU' "$LOG" 2>/dev/null && crash=1
  if [[ -s $JOB/status ]]; then
    local status; status=$(cat "$JOB/status")
    [[ -n $crash ]] && say "warning: the guest kernel logged an Oops/BUG/WARNING (console log: $LOG)"
    return "$status"
  fi
  [[ $mode == shell ]] && return "$rc"
  local why="the guest stopped before the command finished (qemu exit status $rc)"
  ((rc == 124 || rc == 137)) && why="timed out after $timeout s (V4L2_LAB_TIMEOUT): qemu killed"
  [[ -n $crash ]] && why="the guest kernel crashed: $(grep -m1 -oE '(Kernel panic|Oops|BUG:|general protection fault|WARNING: CPU).*' "$LOG" | tr -d '\r')"
  if [[ -s $LOG.qemu ]]; then say "qemu said:"; tail -10 "$LOG.qemu" >&2; fi
  say "error: $why; last lines of the guest console:"
  tail -40 "$LOG" | tr -d '\r' >&2
  say "error: $why (full guest console: $LOG)"
  return 125
}

# ---------------------------------------------------------------------------------------------

case ${1:-} in
  install-deps) install_deps ;;
  prepare) prepare; say "ready: $CACHE" ;;
  info)
    prepare; accel
    echo "kernel:      $KVER (V4L2_LAB_KERNEL=$KERNEL: Debian $SUITE, package $KPKGVER)"
    echo "lacks:       ${LACKS:-nothing the tests need}"
    echo "cache:       $CACHE"
    echo "accelerator: $ACC, cpu $CPU ($ACCEL_NOTE)"
    echo "vivid:       $VIVID_PARAMS" ;;
  run)
    shift; [[ ${1:-} == -- ]] && shift
    (($#)) || die "usage: lab.sh run [--] CMD [ARGS...]"
    new_job run
    { printf 'exec'; printf ' %q' "$@"; printf '\n'; } > "$JOB/cmd"
    rc=0; boot run || rc=$?
    exit "$rc" ;;
  shell)
    new_job shell
    echo 'exec /bin/bash -i' > "$JOB/cmd"
    rc=0; boot shell || rc=$?
    exit "$rc" ;;
  -h|--help|help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' ;;
  *) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
