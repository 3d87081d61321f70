/**
 * The facts of a `.bpf.o` known right after libbpf opens it, before anything touches the kernel:
 * its programs and maps as plain data. Validation works on this, so `--config.check` needs no
 * privilege and the loader can refuse a mismatched config before `bpf_object__load`.
 */

import { BpfObject, isPerCpuMapType, type OpenOptions } from "../../ffi/libbpf.ts";

/** One program: what libbpf knows of it at open time. */
export interface ProgramSpec {
  name: string;
  /** ELF section, which decides how it attaches (e.g. "tracepoint/sched/sched_switch"). */
  section: string;
  /** Whether libbpf will load it. */
  autoload: boolean;
}

/** One map as declared in the object. */
export interface MapSpec {
  name: string;
  /** enum bpf_map_type value (see MapType in ffi/libbpf.ts). */
  type: number;
  keySize: number;
  valueSize: number;
  maxEntries: number;
  /** Whether lookups return one value slot per possible CPU. */
  perCpu: boolean;
}

/** Everything validation needs to know about one object file. */
export interface ObjectSpec {
  /** File path, or the object name for objects opened from memory. */
  path: string;
  programs: ProgramSpec[];
  /** In object order, including libbpf's internal maps (".rodata", ".bss", ...). */
  maps: MapSpec[];
  hasBtf: boolean;
}

/** The spec of an opened (not necessarily loaded) object. */
export function objectSpec(object: BpfObject, path: string): ObjectSpec {
  return {
    path,
    programs: object.programs().map((p) => ({
      name: p.name,
      section: p.section,
      autoload: p.autoload,
    })),
    maps: object.maps().map((m) => ({
      name: m.name,
      type: m.type,
      keySize: m.keySize,
      valueSize: m.valueSize,
      maxEntries: m.maxEntries,
      perCpu: isPerCpuMapType(m.type),
    })),
    hasBtf: object.hasBtf,
  };
}

/** Opens an object file, reads its spec and closes it again; throws LibbpfError naming the file. */
export function readObjectSpec(path: string, opts: OpenOptions = {}): ObjectSpec {
  const object = BpfObject.openFile(path, opts);
  try {
    return objectSpec(object, path);
  } finally {
    object.close();
  }
}

/** The map of this name, or null. */
export function findMap(spec: ObjectSpec, name: string): MapSpec | null {
  return spec.maps.find((m) => m.name === name) ?? null;
}
