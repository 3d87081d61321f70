/** Names of the kernel's map types (enum bpf_map_type), for messages about a map's type. */

// Index = enum value, as in include/uapi/linux/bpf.h.
const NAMES = [
  "UNSPEC",
  "HASH",
  "ARRAY",
  "PROG_ARRAY",
  "PERF_EVENT_ARRAY",
  "PERCPU_HASH",
  "PERCPU_ARRAY",
  "STACK_TRACE",
  "CGROUP_ARRAY",
  "LRU_HASH",
  "LRU_PERCPU_HASH",
  "LPM_TRIE",
  "ARRAY_OF_MAPS",
  "HASH_OF_MAPS",
  "DEVMAP",
  "SOCKMAP",
  "CPUMAP",
  "XSKMAP",
  "SOCKHASH",
  "CGROUP_STORAGE",
  "REUSEPORT_SOCKARRAY",
  "PERCPU_CGROUP_STORAGE",
  "QUEUE",
  "STACK",
  "SK_STORAGE",
  "DEVMAP_HASH",
  "STRUCT_OPS",
  "RINGBUF",
  "INODE_STORAGE",
  "TASK_STORAGE",
  "BLOOM_FILTER",
  "USER_RINGBUF",
  "CGRP_STORAGE",
  "ARENA",
] as const;

/** `BPF_MAP_TYPE_<NAME>` for a map type value; unknown (newer) values keep their number. */
export function mapTypeName(type: number): string {
  const name = NAMES[type];
  return name === undefined ? `map type ${type}` : `BPF_MAP_TYPE_${name}`;
}
