/**
 * Every C struct layout the FFI layer writes or reads by hand, in one place: the byte size the
 * exporter uses and the offset of each field it touches. `make check-structs` (and the libbpf
 * bundle build) compiles _Static_asserts generated from these tables (ffi/structs_check.ts)
 * against libbpf's and the kernel's headers, so a wrong offset fails the build, not a run.
 */

/** Where a struct is declared, which decides the headers its check includes. */
export type StructHeader = "libbpf" | "uapi" | "libc";

/**
 * How the size relates to the header's: "exact" for fixed layouts; "prefix" for structs that
 * grow with new versions (option structs carry their size in `sz`, kernel info structs take a
 * length), where the size is an older version's and every used field must lie inside it.
 */
export type SizeRule = "exact" | "prefix";

/** One struct: its C type, size and the offsets of the fields the exporter uses. */
export interface StructLayout {
  /** The C type, e.g. "struct bpf_object_open_opts" or "union bpf_attr". */
  ctype: string;
  header: StructHeader;
  size: number;
  sizeRule: SizeRule;
  /** Field designator (as offsetof takes it, e.g. "link_create.prog_fd") → byte offset. */
  fields: Record<string, number>;
  /**
   * Offsets with no field name to check by offsetof (a bitfield word): name → a C expression
   * that yields the offset.
   */
  computed?: Record<string, { offset: number; expr: string }>;
}

/** struct bpf_object_open_opts as of libbpf 1.1 (newer libbpf accepts this smaller size). */
export const BPF_OBJECT_OPEN_OPTS = {
  ctype: "struct bpf_object_open_opts",
  header: "libbpf",
  size: 80,
  sizeRule: "prefix",
  fields: { sz: 0, object_name: 8, btf_custom_path: 48 },
} as const satisfies StructLayout;

/** struct bpf_uprobe_opts as of libbpf 1.1. */
export const BPF_UPROBE_OPTS = {
  ctype: "struct bpf_uprobe_opts",
  header: "libbpf",
  size: 40,
  sizeRule: "prefix",
  fields: { sz: 0, ref_ctr_offset: 8, bpf_cookie: 16, retprobe: 24, func_name: 32 },
} as const satisfies StructLayout;

/** struct bpf_prog_info up to run_cnt and the fields after it that 5.x kernels know. */
export const BPF_PROG_INFO = {
  ctype: "struct bpf_prog_info",
  header: "uapi",
  size: 232,
  sizeRule: "prefix",
  fields: { id: 4, tag: 8, run_time_ns: 192, run_cnt: 200 },
} as const satisfies StructLayout;

/** struct btf_type's common head (a BTF_KIND_DATASEC's var_secinfo array follows it). */
export const BTF_TYPE = {
  ctype: "struct btf_type",
  header: "uapi",
  size: 12,
  sizeRule: "exact",
  fields: { name_off: 0, info: 4, size: 8 },
} as const satisfies StructLayout;

/** struct btf_var_secinfo: one variable of a data section. */
export const BTF_VAR_SECINFO = {
  ctype: "struct btf_var_secinfo",
  header: "uapi",
  size: 12,
  sizeRule: "exact",
  fields: { type: 0, offset: 4, size: 8 },
} as const satisfies StructLayout;

/**
 * struct perf_event_attr as of PERF_ATTR_SIZE_VER7. `flags` is the word of bitfields that
 * follows read_format; `freq` is bit 10 of it (bitfields have no offsetof, so the bit number is
 * kept next to its use in ffi/perf.ts).
 */
export const PERF_EVENT_ATTR = {
  ctype: "struct perf_event_attr",
  header: "uapi",
  size: 128,
  sizeRule: "prefix",
  fields: { type: 0, size: 4, config: 8, sample_period: 16, sample_freq: 16, read_format: 32 },
  computed: {
    flags: { offset: 40, expr: "offsetof(struct perf_event_attr, read_format) + 8" },
  },
} as const satisfies StructLayout;

/**
 * union bpf_attr for the raw bpf(2) calls of the kernel feature probes: BPF_PROG_LOAD's
 * anonymous struct and BPF_LINK_CREATE's link_create (with its kprobe_multi part). 128 bytes
 * cover both; the kernel accepts any size up to its own when the tail is zero.
 */
export const BPF_ATTR = {
  ctype: "union bpf_attr",
  header: "uapi",
  size: 128,
  sizeRule: "prefix",
  fields: {
    prog_type: 0,
    insn_cnt: 4,
    insns: 8,
    license: 16,
    expected_attach_type: 68,
    "link_create.prog_fd": 0,
    "link_create.attach_type": 8,
    "link_create.kprobe_multi.cnt": 20,
    "link_create.kprobe_multi.syms": 24,
  },
} as const satisfies StructLayout;

/** struct bpf_insn: one BPF instruction. */
export const BPF_INSN = {
  ctype: "struct bpf_insn",
  header: "uapi",
  size: 8,
  sizeRule: "exact",
  fields: {},
} as const satisfies StructLayout;

/**
 * The kernel's linux_dirent64, which glibc declares as struct dirent64: a 19-byte head, then the
 * name (variable length, so its offset is checked but not its size).
 */
export const DIRENT64 = {
  ctype: "struct dirent64",
  header: "libc",
  size: 19,
  sizeRule: "prefix",
  fields: { d_ino: 0, d_off: 8, d_reclen: 16, d_type: 18 },
  computed: { d_name: { offset: 19, expr: "offsetof(struct dirent64, d_name)" } },
} as const satisfies StructLayout;

/** struct __user_cap_header_struct (capget/capset). */
export const CAP_HEADER = {
  ctype: "struct __user_cap_header_struct",
  header: "uapi",
  size: 8,
  sizeRule: "exact",
  fields: { version: 0, pid: 4 },
} as const satisfies StructLayout;

/** struct __user_cap_data_struct; version 3 passes two of them (low and high 32 bits). */
export const CAP_DATA = {
  ctype: "struct __user_cap_data_struct",
  header: "uapi",
  size: 12,
  sizeRule: "exact",
  fields: { effective: 0, permitted: 4, inheritable: 8 },
} as const satisfies StructLayout;

/** struct sockaddr_un (the systemd notify socket address). */
export const SOCKADDR_UN = {
  ctype: "struct sockaddr_un",
  header: "libc",
  size: 110,
  sizeRule: "exact",
  fields: { sun_family: 0, sun_path: 2 },
} as const satisfies StructLayout;

/** Every layout, for the compile-time check. */
export const STRUCTS: readonly StructLayout[] = [
  BPF_OBJECT_OPEN_OPTS,
  BPF_UPROBE_OPTS,
  BPF_PROG_INFO,
  BTF_TYPE,
  BTF_VAR_SECINFO,
  PERF_EVENT_ATTR,
  BPF_ATTR,
  BPF_INSN,
  DIRENT64,
  CAP_HEADER,
  CAP_DATA,
  SOCKADDR_UN,
];
