# v4l2-ffm module loader: runs in a privileged container that shares the host's kernel, PID
# namespace (--pid=host), /lib/modules (read-only) and /dev (as /hostdev). Only busybox is here.
#   loader.sh watch PID START   wait while that process lives (START: field 22 of its
#                               /proc/PID/stat), then unload; without a visible PID, just wait
#   loader.sh load MODULE [PARAM=VALUE...]   modprobe, remembering the modules it brought in
#   loader.sh chmod NODE...     make /hostdev/NODE readable and writable by everyone
#   loader.sh attach PORT TCPPORT DEVID   connect to 127.0.0.1:TCPPORT (a software camera in the
#                               test JVM) and hand the socket to vhci_hcd's PORT, as usbip attach does
#   loader.sh unload            rmmod the remembered modules, each once nothing uses it; fails if
#                               a module asked for (not a dependency) stays. A dependency that
#                               the kernel keeps referenced with no module using it (rc_core,
#                               after vivid's CEC adapters) is named on a "left:" line
B=/bin/busybox
state=/loaded
starttime() { $B sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | $B cut -d' ' -f20; }
case "$1" in
watch)
  if [ -n "$2" ] && [ "$(starttime "$2")" = "$3" ]; then
    while [ "$(starttime "$2")" = "$3" ]; do $B sleep 1; done
    echo "the test JVM ($2) is gone: unloading"
    exec $B sh /loader.sh unload
  fi
  while :; do $B sleep 3600; done ;;
load)
  shift
  before=" $($B cut -d' ' -f1 /proc/modules | $B tr '\n' ' ') "
  $B modprobe "$@" || exit $?
  echo "$1" >> /requested
  for m in $($B cut -d' ' -f1 /proc/modules); do
    case "$before" in *" $m "*) ;; *) echo "$m" >> $state ;; esac
  done ;;
chmod)
  shift
  for n in "$@"; do $B chmod 0666 "/hostdev/$n" || exit 1; done ;;
attach)
  # nc runs the shell with the connected socket as its descriptor 0; the kernel takes its own reference
  exec $B nc 127.0.0.1 "$3" -e $B sh -c "echo $2 0 $4 3 > /sys/devices/platform/vhci_hcd.0/attach" ;;
unload)
  [ -f $state ] || exit 0
  idle=0   # passes in a row that removed nothing: give up after 3 s of them
  while [ $idle -lt 6 ]; do
    left=0; removed=0
    for m in $($B cat $state); do
      line=$($B grep "^$m " /proc/modules) || continue
      if [ "$(echo "$line" | $B cut -d' ' -f3)" = 0 ] && $B rmmod "$m"; then removed=1; else left=1; fi
    done
    [ $left = 0 ] && exit 0
    if [ $removed = 1 ]; then idle=0; else idle=$((idle + 1)); $B sleep 0.5; fi
  done
  bad=0
  for m in $($B cat $state); do
    line=$($B grep "^$m " /proc/modules) || continue
    holders=$($B ls /sys/module/$m/holders 2>/dev/null | $B tr '\n' ' ')
    if $B grep -qx "$m" /requested || [ -n "$holders" ]; then echo "in use: $line"; bad=1
    else echo "left: $m (refcount $(echo "$line" | $B cut -d' ' -f3), no module uses it)"; fi
  done
  exit $bad ;;
*)
  echo "usage: loader.sh watch|load|chmod|attach|unload" >&2; exit 2 ;;
esac
