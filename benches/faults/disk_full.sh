#!/usr/bin/env bash
# Fault 4: the disk under the SQLite database fills up. The database lives on a small file system
# of its own: a loop-mounted ext4 image (DISK_MB, default 64 MiB, no reserved blocks), else a
# size-limited tmpfs; both need root (CAP_SYS_ADMIN) — without either the bench says so and stops
# (filling the machine's real disk is not an option). One node, SQLite + memory cache. After a
# quarter of the run the WAL is checkpointed and truncated and a filler file takes every free block
# (dd until ENOSPC); it stays OUTAGE seconds and is deleted. The node is not touched.
#   bash benches/faults/disk_full.sh            (SECONDS_LOAD=60 OUTAGE=10 DISK_MB=64)
source "$(dirname "$0")/lib.sh"
faults_init disk
MNT="$DIR/mnt"
mkdir -p "$MNT"
SIZE_MB="${DISK_MB:-64}"
if truncate -s "${SIZE_MB}M" "$DIR/disk.img" && mkfs.ext4 -q -m 0 "$DIR/disk.img" &&
  mount -o loop "$DIR/disk.img" "$MNT" 2>/dev/null; then
  echo "file system under the database: loop-mounted ext4 image, $SIZE_MB MiB"
elif mount -t tmpfs -o "size=${SIZE_MB}m" tmpfs "$MNT" 2>/dev/null; then
  echo "file system under the database: tmpfs, $SIZE_MB MiB"
else
  echo "cannot mount a small file system here (needs CAP_SYS_ADMIN): not run"
  exit 2
fi
MOUNTED="$MNT"
export VHOD_DATABASE__URL="sqlite://$MNT/vhod.db" VHOD_CACHE__URL=memory
node_start 18631
portal_and_admin
LOAD="${SECONDS_LOAD:-60}"
driver_start "$LOAD" 18631
sleep $((LOAD / 4))
# The WAL is checkpointed and truncated first, as after a quiet period or a restart: SQLite then
# needs new blocks for its next commits (a WAL grown earlier would be reused for a while).
echo "WAL checkpoint (TRUNCATE), busy|log|checkpointed: $(sqlite3 -cmd ".timeout 5000" "$MNT/vhod.db" "PRAGMA wal_checkpoint(TRUNCATE);")"
event fault_start
dd if=/dev/zero of="$MNT/filler" bs=1M status=none 2>/dev/null || true
echo "disk full: $(df -h --output=size,used,avail "$MNT" | tail -1)"
sleep "${OUTAGE:-10}"
rm -f "$MNT/filler"
event fault_end
wait "$DRIVER_PID"
echo "database file: $(du -h "$MNT/vhod.db" | cut -f1), WAL $(du -h "$MNT/vhod.db-wal" 2>/dev/null | cut -f1)"
check 18631 7
