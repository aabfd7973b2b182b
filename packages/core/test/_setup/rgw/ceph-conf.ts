/**
 * The ceph.conf of the test cluster: one mon, one memstore OSD and radosgw, all on 127.0.0.1 and all writing under
 * one state directory, so two test runs on one machine never share a port, a socket or a file.
 */

export interface CephConfOptions {
  fsid: string;
  /** The state directory; every path the daemons write to is under it. */
  state: string;
  monPort: number;
  rgwPort: number;
  /** First port of the OSD's private window (it binds the first free ones of 64). */
  osdPortMin: number;
}

/** memstore counts against this capacity; nothing is allocated up front. */
const STORE_BYTES = 4 * 1024 ** 3;

export function cephConf(o: CephConfOptions): string {
  const { state } = o;
  return `[global]
fsid = ${o.fsid}
mon initial members = a
mon host = [v2:127.0.0.1:${o.monPort}]
public addr = 127.0.0.1
cluster addr = 127.0.0.1
# msgr2 only, in a private port window: msgr1's fixed 6789 would collide with a concurrent run
ms bind msgr1 = false
ms bind msgr2 = true
ms bind port min = ${o.osdPortMin}
ms bind port max = ${o.osdPortMin + 64}
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
keyring = ${state}/keyring
run dir = ${state}/run
crash dir = ${state}/crash
admin socket = ${state}/run/$cluster-$name.asok
pid file = ${state}/run/$cluster-$name.daemonpid
log file = ${state}/log/$cluster-$name.log
log to stderr = false
err to stderr = true
mon cluster log file = ${state}/log/$cluster.mon.log
# one copy and few placement groups: a single OSD must be enough for every pool rgw creates
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
mon max pg per osd = 500
auth allow insecure global id reclaim = false
mon warn on insecure global id reclaim allowed = false
ms async op threads = 1

[mon]
mon data = ${state}/data/mon.$id
mon data avail warn = 2
mon data avail crit = 1
# rgw creates its pools one osdmap epoch at a time; the default 1 s per epoch makes the start take ~24 s
paxos propose interval = 0.05
paxos min wait = 0.01

[osd]
osd data = ${state}/data/osd.$id
keyring = ${state}/data/osd.$id/keyring
osd objectstore = memstore
memstore device bytes = ${STORE_BYTES}
osd crush update on start = true
osd crush initial weight = 1
osd op num shards = 1
osd op num threads per shard = 2
osd map cache size = 50

[client.rgw.a]
rgw frontends = beast endpoint=127.0.0.1:${o.rgwPort}
rgw data = ${state}/data/rgw.a
rgw thread pool size = 32
# virtual-host style answers for Host: <bucket>.localhost; path style works on any host
rgw dns name = localhost
rgw enable usage log = false
rgw dynamic resharding = false
# memstore keeps overwritten and deleted data in RAM until garbage collection: collect it soon
rgw gc obj min wait = 30
rgw gc processor period = 30
`;
}
