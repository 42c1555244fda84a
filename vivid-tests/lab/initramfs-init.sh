#!/bin/busybox sh
# The lab's initramfs: mount the host's root over 9p (read-only) under a tmpfs overlay, then
# switch to it and run the lab's guest init ($labinit, from the kernel command line).
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
fail() { echo "lab-initramfs: $*"; echo o > /proc/sysrq-trigger; sleep 10; }
# the modules the kernel does not have built in, in load order (listed by lab.sh prepare)
[ -f /mods/order ] && for m in $(cat /mods/order); do
  insmod /mods/$m.ko || fail "insmod $m failed"
done
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose hostroot /lower \
  || fail "cannot mount the host root (9p tag hostroot)"
mount -t tmpfs -o size=75% tmpfs /rw
mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work /newroot \
  || fail "overlay mount failed"
[ -f "/newroot$labinit" ] || fail "the guest init $labinit is not visible in the host root"
mount --move /dev /newroot/dev
umount /proc /sys
exec switch_root /newroot /bin/sh "$labinit"
