#!/bin/busybox sh
# The lab's initramfs: mount the host's root over 9p (read-only) under a tmpfs overlay, then
# switch to it and run the lab's guest init ($labinit, from the kernel command line).
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in netfs 9pnet 9pnet_virtio 9p overlay; do
  insmod /mods/$m.ko || { echo "lab-initramfs: insmod $m failed"; echo o > /proc/sysrq-trigger; }
done
mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000,cache=loose hostroot /lower \
  || { echo "lab-initramfs: cannot mount the host root"; echo o > /proc/sysrq-trigger; }
mount -t tmpfs -o size=75% tmpfs /rw
mkdir -p /rw/upper /rw/work
mount -t overlay overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work /newroot \
  || { echo "lab-initramfs: overlay mount failed"; echo o > /proc/sysrq-trigger; }
mount --move /dev /newroot/dev
umount /proc /sys
exec switch_root /newroot /bin/sh "$labinit"
