#!/bin/sh
# PID 1 of the lab VM, run from the host's file system (seen read-only through 9p, with a tmpfs
# overlay): mount what a system needs, load the V4L2 test drivers, run the job's command in the
# host's working directory, hand its exit status back and power off.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
poweroff_now() { sync; echo o > /proc/sysrq-trigger; sleep 10; }
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mkdir -p /dev/pts /dev/shm && mount -t devpts devpts /dev/pts && mount -t tmpfs tmpfs /dev/shm
mkdir -p /lab/job && mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 labjob /lab/job \
  || { echo "lab-guest: cannot mount the job directory"; poweroff_now; }
. /lab/job/env
mkdir -p "$LAB_RW" && mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000,cache=none labrw "$LAB_RW" \
  || { echo "lab-guest: cannot mount $LAB_RW"; poweroff_now; }
mkdir -p "/lib/modules/$LAB_KVER" && mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=512000 labmods "/lib/modules/$LAB_KVER" \
  || { echo "lab-guest: cannot mount the lab's kernel modules"; poweroff_now; }
hostname v4l2-lab
ip link set lo up 2>/dev/null || true

fail=0
modprobe vivid $LAB_VIVID || fail=1
for m in vim2m vicodec vimc; do modprobe $m || fail=1; done
if [ $fail -ne 0 ]; then
  echo "lab-guest: loading the V4L2 test drivers failed"; echo 125 > /lab/job/status; poweroff_now
fi
# wait for the nodes (vimc's pipeline registers asynchronously)
i=0; while [ $i -lt 50 ] && [ "$(ls /dev/video* 2>/dev/null | wc -l)" -lt 9 ]; do sleep 0.1; i=$((i + 1)); done
echo "lab-guest: $(uname -r), $(ls /dev/video* | wc -l) video nodes"

cd "$LAB_CWD" || cd "$LAB_RW"
if [ -t 0 ] || grep -q '^exec /bin/bash -i' /lab/job/cmd; then
  setsid sh -c 'exec /bin/sh /lab/job/cmd </dev/ttyS0 >/dev/ttyS0 2>&1' 
  rc=$?
else
  /bin/sh /lab/job/cmd
  rc=$?
fi
echo $rc > /lab/job/status
poweroff_now
